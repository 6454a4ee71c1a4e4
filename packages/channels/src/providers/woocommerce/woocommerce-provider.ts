import { z } from "zod";
import type { OutboundMessage, ProviderFactory, SendResult } from "../../channel-provider.ts";
import { credentialField, httpUrlField, timeoutMsField } from "../../config-fields.ts";
import { httpSend } from "../../http-send.ts";
import { isRecord, oneLine, type ProviderAnswer, stringField } from "../../provider-answer.ts";
import { finalResult, withFinalHint } from "../../send-result.ts";
import { wooAuthorizedRequest } from "./woocommerce-auth.ts";

export const woocommerceConfigSchema = z.object({
  /** the shop's address, as WordPress knows it (Settings > General > Site Address) */
  storeUrl: httpUrlField,
  /** a REST API key with Read/Write permissions (WooCommerce > Settings > Advanced > REST API) */
  consumerKey: credentialField("consumerKey"),
  consumerSecret: credentialField("consumerSecret"),
  /** an order note the customer sees (WooCommerce emails it to them) or a private one for staff */
  noteVisibility: z.enum(["customer", "private"]).default("private"),
  /** mark the order completed when its shipment is delivered */
  completeOnDelivery: z.boolean().default(false),
  timeoutMs: timeoutMsField,
});

export type WoocommerceConfig = z.output<typeof woocommerceConfigSchema>;

/** The part of a writeback payload (engine's WritebackPayload) this provider reads. */
const HostPayloadSchema = z.object({
  order: z.object({ source: z.string(), externalId: z.string(), number: z.string() }).nullable(),
  shipment: z
    .object({
      carrier: z.string(),
      trackingNumber: z.string(),
      status: z.string(),
      reason: z.string().nullable(),
    })
    .nullable(),
  event: z.object({ message: z.string() }).nullable(),
});
type HostPayload = z.output<typeof HostPayloadSchema>;

const STATUS_WORDS: Readonly<Record<string, string>> = {
  pending: "pending",
  info_received: "label created",
  in_transit: "in transit",
  out_for_delivery: "out for delivery",
  available_for_pickup: "ready for pickup",
  delivered: "delivered",
  attempt_failed: "delivery attempt failed",
  exception: "delayed by a problem",
  returning_to_sender: "being returned to the sender",
  returned_to_sender: "returned to the sender",
  cancelled: "cancelled",
  lost: "lost",
  unknown: "status unknown",
};

/** The order note for a shipment's new status: "Shipment UPS 1Z… is out for delivery: <scan>". */
export function wooOrderNote(host: HostPayload): string {
  const shipment = host.shipment!;
  const word = STATUS_WORDS[shipment.status] ?? shipment.status;
  const reason = shipment.reason ? ` (${shipment.reason.replaceAll("_", " ")})` : "";
  const scan = host.event?.message ? `: ${host.event.message}` : "";
  return `Shipment ${shipment.carrier.toUpperCase()} ${shipment.trackingNumber} is ${word}${reason}${scan}`;
}

/** WordPress REST errors: `{"code","message","data":{"status"}}`, shown as "<message> (<code>)". */
export function wooErrorMessage(answer: ProviderAnswer): string | undefined {
  if (!isRecord(answer.json)) return undefined;
  const message = stringField(answer.json, "message");
  const code = stringField(answer.json, "code");
  if (message === undefined) return code;
  return oneLine(code ? `${message} (${code})` : message);
}

function classifyWoo(_answer: ProviderAnswer, standard: SendResult): SendResult {
  return withFinalHint(standard, {
    401: "check the REST API key: it must exist and have Read/Write permissions",
    404: "the order is not in the shop (deleted?), or the store URL is wrong",
  });
}

const noteId = (answer: ProviderAnswer) => {
  const id = isRecord(answer.json) ? answer.json.id : undefined;
  return typeof id === "number" || typeof id === "string" ? String(id) : null;
};

/**
 * Writes a shipment's status back into its WooCommerce order: when the shipment is delivered and
 * `completeOnDelivery` is on, `PUT /wp-json/wc/v3/orders/<id>` `{"status":"completed"}` first
 * (idempotent), then `POST /wp-json/wc/v3/orders/<id>/notes` `{"note","customer_note"}` (201 with
 * the note). WooCommerce takes no idempotency key: a resend after a lost answer adds a second note.
 */
export const woocommerceProviderFactory: ProviderFactory<typeof woocommerceConfigSchema> = {
  provider: "woocommerce",
  kind: "record",
  configSchema: woocommerceConfigSchema,
  create(config, deps) {
    const keys = { consumerKey: config.consumerKey, consumerSecret: config.consumerSecret };
    const call = (method: "POST" | "PUT", path: string, body: object, signal: AbortSignal) => {
      const request = wooAuthorizedRequest(
        `${config.storeUrl}/wp-json/wc/v3${path}`,
        method,
        keys,
        deps.now(),
      );
      return httpSend(
        {
          url: request.url,
          method,
          headers: { ...request.headers, "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify(body),
        },
        {
          provider: "WooCommerce",
          fetch: deps.fetch,
          now: deps.now,
          signal,
          timeoutMs: config.timeoutMs,
          messageId: noteId,
          errorMessage: wooErrorMessage,
          classify: classifyWoo,
        },
      );
    };
    return {
      provider: "woocommerce",
      kind: "record",
      honoursIdempotencyKey: false,
      async send(message: OutboundMessage, signal: AbortSignal): Promise<SendResult> {
        const structured = isRecord(message.content.structured) ? message.content.structured : {};
        const parsed = HostPayloadSchema.safeParse(structured.host);
        if (!parsed.success)
          return finalResult("WooCommerce: the message carries no writeback payload", null);
        const host = parsed.data;
        if (host.order === null || host.order.source !== "woocommerce") {
          return finalResult(
            "WooCommerce: nothing to write back: the order did not come from WooCommerce",
            null,
          );
        }
        if (host.shipment === null)
          return finalResult("WooCommerce: nothing to write back: no shipment", null);
        if (!/^\d+$/.test(host.order.externalId)) {
          return finalResult(
            `WooCommerce: order id ${JSON.stringify(host.order.externalId)} is not a WooCommerce id`,
            null,
          );
        }
        const orderPath = `/orders/${host.order.externalId}`;
        if (config.completeOnDelivery && host.shipment.status === "delivered") {
          const completed = await call("PUT", orderPath, { status: "completed" }, signal);
          if (completed.outcome !== "sent") return completed;
        }
        return await call(
          "POST",
          `${orderPath}/notes`,
          { note: wooOrderNote(host), customer_note: config.noteVisibility === "customer" },
          signal,
        );
      },
    };
  },
};
