import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { EngineContext } from "@trackflow/engine";
import { getTenant, type Queryable, recordInboundDelivery, wooDeliveryTaken } from "@trackflow/store";
import { WooOrderSchema } from "./order-mapping.ts";
import { applyWooOrder, orderTrackings } from "./order-sync.ts";
import type { WooClientOptions } from "./woo-client.ts";
import { clientFor, loadWooConnection, wooWebhookSecretContext } from "./woo-connection.ts";

/** The order topics Trackflow subscribes to. */
export const WOO_TOPICS = ["order.created", "order.updated", "order.deleted"] as const;

export interface DeliveryAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** Headers never stored with a delivery. */
const SECRET_HEADERS = new Set(["authorization", "cookie"]);

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The save-time ping: WooCommerce posts `webhook_id=<id>` as a form, unsigned, when a webhook is activated. */
export function isWooPing(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): boolean {
  return (
    header(headers, "x-wc-webhook-signature") === undefined &&
    /^webhook_id=\d+$/.test(rawBody.toString("utf8").trim())
  );
}

/** Whether `signature` is the base64 HMAC-SHA256 of the raw body under the webhook's secret. */
export function wooSignatureValid(rawBody: Buffer, signature: string | undefined, secret: string): boolean {
  if (!signature) return false;
  const expected = Buffer.from(createHmac("sha256", secret).update(rawBody).digest("base64"));
  const offered = Buffer.from(signature.trim());
  return expected.length === offered.length && timingSafeEqual(expected, offered);
}

export interface DeliveryOptions {
  /** how the shop's REST API is reached (tests trust their certificate) */
  clientOptions?: WooClientOptions;
}

/**
 * One delivery to `POST /woocommerce/:tenant/webhook`: the ping answered 200 and nothing else;
 * otherwise the signature (X-WC-Webhook-Signature) checked on the raw body before anything is
 * parsed, the delivery deduplicated on X-WC-Webhook-Delivery-ID, an order older than the stored one
 * (date_modified_gmt) answered 200 and recorded as a stale no-op, the order taken in (tracking
 * numbers as shipments, status mapped) in one transaction with the delivery's record. Every
 * delivery but the ping is recorded with its outcome. Bad signature 401, malformed JSON or shape
 * 400 naming the field, no connection 404.
 */
export async function handleWooDelivery(
  ctx: EngineContext,
  tenantId: string,
  rawBody: Buffer,
  headers: Record<string, string | string[] | undefined>,
  options: DeliveryOptions = {},
): Promise<DeliveryAnswer> {
  const connection = await loadWooConnection(ctx, tenantId);
  const tenant = connection ? await getTenant(ctx.db, tenantId) : null;
  if (!connection || !tenant) {
    return { status: 404, body: { error: `no WooCommerce shop is connected for tenant "${tenantId}"` } };
  }
  if (isWooPing(rawBody, headers)) return { status: 200, body: { ok: true } };

  const deliveryId = header(headers, "x-wc-webhook-delivery-id") ?? null;
  const topic = header(headers, "x-wc-webhook-topic") ?? "";
  const storable: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !SECRET_HEADERS.has(name.toLowerCase()))
      storable[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  const record = (
    db: Queryable,
    outcome: "accepted" | "duplicate" | "rejected",
    httpStatus: number,
    verified: boolean,
    error: string | null,
  ) =>
    recordInboundDelivery(db, {
      tenantId,
      source: "woocommerce",
      verified,
      outcome,
      httpStatus,
      error,
      bodySha256: createHash("sha256").update(rawBody).digest("hex"),
      body: rawBody,
      headers: storable,
      deliveryId,
    });
  const reject = async (status: number, error: string, verified: boolean): Promise<DeliveryAnswer> => {
    await record(ctx.db, "rejected", status, verified, error);
    return { status, body: { error } };
  };

  const secret = ctx.cipher.decrypt(connection.webhookSecretCiphertext, wooWebhookSecretContext(tenantId));
  if (!wooSignatureValid(rawBody, header(headers, "x-wc-webhook-signature"), secret)) {
    return await reject(
      401,
      "woocommerce: X-WC-Webhook-Signature is missing or does not match the body",
      false,
    );
  }
  let payload: unknown;
  try {
    payload = JSON.parse(rawBody.toString("utf8"));
  } catch (error) {
    return await reject(400, `woocommerce: malformed JSON: ${(error as Error).message}`, true);
  }

  if (topic === "order.deleted" || !WOO_TOPICS.includes(topic as (typeof WOO_TOPICS)[number])) {
    // a deleted order keeps its history in Trackflow; other topics are not ours to act on
    return await ctx.db.transaction(async (tx) => {
      if (deliveryId !== null && (await wooDeliveryTaken(tx, tenantId, deliveryId))) {
        await record(tx, "duplicate", 200, true, null);
        return { status: 200, body: { duplicate: true } };
      }
      await record(tx, "accepted", 200, true, null);
      ctx.log.info(
        { tenantId, topic, payloadId: (payload as { id?: unknown })?.id },
        "woocommerce delivery noted",
      );
      return { status: 200, body: { ignored: topic } };
    });
  }

  const parsed = WooOrderSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return await reject(400, `woocommerce: order.${issue.path.join(".")}: ${issue.message}`, true);
  }
  const order = parsed.data;
  // tracking from the REST route (when the meta is absent) is read before the transaction opens
  const trackings = await orderTrackings(clientFor(ctx, connection, options.clientOptions), order).catch(
    (error) => {
      ctx.log.warn(
        { err: error, tenantId, orderId: order.id },
        "woocommerce: shipment trackings not readable",
      );
      return [];
    },
  );
  return await ctx.db.transaction(async (tx) => {
    if (deliveryId !== null) {
      // one delivery id at a time per tenant: a duplicate arriving in parallel waits, then sees it
      await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`woocommerce:${tenantId}:${deliveryId}`]);
      if (await wooDeliveryTaken(tx, tenantId, deliveryId)) {
        await record(tx, "duplicate", 200, true, null);
        return { status: 200, body: { duplicate: true } };
      }
    }
    const applied = await applyWooOrder(ctx, tenant, "source:woocommerce", order, trackings);
    if (applied.stale) {
      // an older change delivered after a newer one: answered 200 (WooCommerce must not retry or
      // disable the webhook), recorded as taken without effect, with why
      const note = `stale: order ${order.id} modified at ${order.date_modified_gmt} is older than the stored change (${applied.storedModifiedAt?.toISOString()}); not applied`;
      await record(tx, "duplicate", 200, true, note);
      ctx.log.info({ tenantId, orderId: order.id, deliveryId }, "woocommerce: stale delivery skipped");
      return { status: 200, body: { order: String(order.id), stale: true } };
    }
    await record(tx, "accepted", 200, true, null);
    return { status: 200, body: { order: String(order.id), shipments: trackings.length } };
  });
}
