import { randomBytes } from "node:crypto";
import { SHIPMENT_STATUSES } from "@trackflow/core";
import { type EngineContext, saveChannel, saveFlowDefinition, writeAudit } from "@trackflow/engine";
import {
  deleteWooConnection,
  getTenant,
  getWooConnection,
  upsertWooConnection,
  type WooWebhookRef,
} from "@trackflow/store";
import { z } from "zod";
import { removeWooWebhooks } from "./disconnect.ts";
import { WOO_TOPICS } from "./webhook-delivery.ts";
import {
  createWooClient,
  WooApiError,
  type WooClient,
  type WooClientOptions,
  WooUnreachableError,
} from "./woo-client.ts";
import { encryptWooKeys, WOO_CHANNEL, wooDeliveryUrl, wooWebhookSecretContext } from "./woo-connection.ts";

export const ConnectInputSchema = z.object({
  storeUrl: z.url({ protocol: /^https?$/, error: "storeUrl must be the shop's http:// or https:// address" }),
  consumerKey: z
    .string()
    .trim()
    .regex(/^ck_[0-9a-f]{20,64}$/i, "consumerKey looks like ck_ followed by 40 hex characters"),
  consumerSecret: z
    .string()
    .trim()
    .regex(/^cs_[0-9a-f]{20,64}$/i, "consumerSecret looks like cs_ followed by 40 hex characters"),
  noteVisibility: z.enum(["customer", "private"]).default("private"),
  completeOnDelivery: z.boolean().default(false),
  /** enable the flow that writes each shipment status back as an order note (offered disabled otherwise) */
  enableWriteback: z.boolean().default(false),
});
export type ConnectInput = z.input<typeof ConnectInputSchema>;

/** Why a shop could not be connected, each with what to do about it. */
export type ConnectProblem =
  | "wrong_keys"
  | "read_only_keys"
  | "plain_http"
  | "permalinks_off"
  | "not_woocommerce"
  | "unreachable"
  | "shop_error";

export class WooConnectError extends Error {
  override name = "WooConnectError";
  readonly problem: ConnectProblem;
  constructor(problem: ConnectProblem, message: string) {
    super(message);
    this.problem = problem;
  }
}

export interface ConnectResult {
  storeUrl: string;
  webhooks: WooWebhookRef[];
  /** orders the shop has, from X-WP-Total */
  orders: number | null;
  writebackFlow: { id: string; enabled: boolean };
  warnings: string[];
}

export const WOO_WRITEBACK_FLOW_ID = "woocommerce-writeback";

/** The audit actor of what the companion does on its own (reconciliation); callers name theirs. */
export const WOO_ACTOR = "woocommerce";

export interface ConnectOptions extends WooClientOptions {
  /** who connects, for the audit record (the API caller's actor) */
  actor?: string;
}

/** Says in plain words what a failed REST call means for connecting the shop. */
export function explainWooFailure(error: unknown, storeUrl: string): WooConnectError {
  if (error instanceof WooUnreachableError) {
    const tls = /cert|ssl|tls|self.signed/i.test(`${error.code} ${error.message}`);
    return new WooConnectError(
      "unreachable",
      tls
        ? `the shop at ${storeUrl} answered, but its HTTPS certificate is not valid (${error.message}): fix the certificate`
        : `the shop at ${storeUrl} cannot be reached (${error.code ?? error.message}): check the address and that the site is up and public`,
    );
  }
  if (error instanceof WooApiError) {
    if (error.status >= 300 && error.status < 400) {
      const location = error.headers.location ?? "";
      if (storeUrl.startsWith("http://") && location.startsWith("https://")) {
        return new WooConnectError(
          "plain_http",
          `the shop redirects plain HTTP to HTTPS: connect with its https:// address (${new URL(location).origin})`,
        );
      }
      return new WooConnectError(
        "shop_error",
        `the shop redirects its REST API to ${location || "another address"}: enter the WordPress site address itself`,
      );
    }
    if (error.status === 404 && error.code === null) {
      return new WooConnectError(
        "permalinks_off",
        "the shop has no /wp-json/ REST address: in WordPress, Settings > Permalinks, choose any setting but 'Plain' and save",
      );
    }
    if (error.status === 404 && error.code === "rest_no_route") {
      return new WooConnectError(
        "not_woocommerce",
        "the site's REST API has no WooCommerce routes: is WooCommerce installed and active there?",
      );
    }
    if (error.status === 401 && /write permissions/i.test(error.message)) {
      return new WooConnectError(
        "read_only_keys",
        "the REST API key is read-only: in WooCommerce > Settings > Advanced > REST API, give it Read/Write permissions (or make a new one)",
      );
    }
    if (error.status === 401 || error.status === 403) {
      const plain =
        storeUrl.startsWith("http://") && error.code === "woocommerce_rest_cannot_view"
          ? " (over plain HTTP WooCommerce accepts only OAuth signatures; if the site is served over HTTPS, use its https:// address)"
          : "";
      return new WooConnectError(
        "wrong_keys",
        `the shop refused the keys: ${error.message} Check the consumer key and secret (WooCommerce > Settings > Advanced > REST API)${plain}`,
      );
    }
    return new WooConnectError("shop_error", `the shop answered HTTP ${error.status}: ${error.message}`);
  }
  return new WooConnectError("shop_error", (error as Error).message);
}

async function check<T>(storeUrl: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw explainWooFailure(error, storeUrl);
  }
}

/**
 * Connects a tenant's shop: checks the keys with a real call (orders, read) and by creating the
 * order webhooks (write), so each problem is named before anything is kept; stores the keys and a
 * new webhook secret encrypted; saves the "woocommerce" writeback channel and offers the writeback
 * flow (enabled only when asked). Connecting again replaces the old webhooks.
 */
export async function connectWooStore(
  ctx: EngineContext,
  tenantId: string,
  rawInput: ConnectInput,
  options: ConnectOptions = {},
): Promise<ConnectResult> {
  const input = ConnectInputSchema.parse(rawInput);
  const storeUrl = input.storeUrl.replace(/\/+$/, "");
  const tenant = await getTenant(ctx.db, tenantId);
  if (!tenant) throw new WooConnectError("shop_error", `no tenant "${tenantId}"`);
  const keys = { consumerKey: input.consumerKey, consumerSecret: input.consumerSecret };
  const client: WooClient = createWooClient({ storeUrl, ...keys }, options);
  const warnings: string[] = [];
  if (storeUrl.startsWith("http://"))
    warnings.push(
      "the shop is on plain HTTP: orders and customer details travel unencrypted; switch the site to HTTPS",
    );

  const probe = await check(storeUrl, () => client.get<unknown[]>("orders", { per_page: 1 }));
  if (!Array.isArray(probe.data)) {
    throw new WooConnectError(
      "not_woocommerce",
      "the shop's orders route did not answer with a list of orders",
    );
  }
  const total = Number(probe.headers["x-wp-total"]);

  // the old webhooks go first, so a shop connected again is not posted to twice
  const previous = await getWooConnection(ctx.db, tenantId);
  if (previous) await removeWooWebhooks(ctx, previous, options).catch(() => undefined);

  const secret = randomBytes(32).toString("base64url");
  // stored before the webhooks exist: their ping and first deliveries are checked against it
  await upsertWooConnection(ctx.db, {
    tenantId,
    storeUrl,
    keysCiphertext: encryptWooKeys(ctx, tenantId, keys),
    webhookSecretCiphertext: ctx.cipher.encrypt(secret, wooWebhookSecretContext(tenantId)),
    webhooks: [],
    syncCursor: ctx.now(),
  });
  const created: WooWebhookRef[] = [];
  try {
    for (const topic of WOO_TOPICS) {
      const answer = await check(storeUrl, () =>
        client.post<{ id: number }>("webhooks", {
          name: `Trackflow ${topic}`,
          topic,
          delivery_url: wooDeliveryUrl(ctx, tenantId),
          secret,
          status: "active",
        }),
      );
      created.push({ id: answer.data.id, topic });
    }
  } catch (error) {
    for (const hook of created)
      await client.delete(`webhooks/${hook.id}`, { force: true }).catch(() => undefined);
    await deleteWooConnection(ctx.db, tenantId);
    throw error;
  }
  // the connection, its channel, its flow and the audit record: all of them or none
  await ctx.db.transaction(async (tx) => {
    await upsertWooConnection(tx, {
      tenantId,
      storeUrl,
      keysCiphertext: encryptWooKeys(ctx, tenantId, keys),
      webhookSecretCiphertext: ctx.cipher.encrypt(secret, wooWebhookSecretContext(tenantId)),
      webhooks: created,
      syncCursor: ctx.now(),
    });
    await saveChannel(ctx, tenantId, {
      name: WOO_CHANNEL,
      provider: "woocommerce",
      config: {
        storeUrl,
        ...keys,
        noteVisibility: input.noteVisibility,
        completeOnDelivery: input.completeOnDelivery,
      },
    });
    await saveFlowDefinition(ctx, tenantId, {
      id: WOO_WRITEBACK_FLOW_ID,
      name: "Shipment status to WooCommerce order notes",
      enabled: input.enableWriteback,
      trigger: { type: "shipment_status", statuses: SHIPMENT_STATUSES.filter((s) => s !== "pending") },
      steps: [{ id: "writeback", type: "writeback", channel: WOO_CHANNEL }],
    });
    await writeAudit(tx, tenantId, ctx.now(), {
      actor: options.actor ?? WOO_ACTOR,
      action: previous ? "woocommerce.reconnected" : "woocommerce.connected",
      subject: `woocommerce:${storeUrl}`,
      data: {
        storeUrl,
        webhooks: created,
        writebackEnabled: input.enableWriteback,
        noteVisibility: input.noteVisibility,
        completeOnDelivery: input.completeOnDelivery,
      },
    });
  });
  ctx.log.info({ tenantId, storeUrl, webhooks: created }, "woocommerce shop connected");
  return {
    storeUrl,
    webhooks: created,
    orders: Number.isFinite(total) ? total : null,
    writebackFlow: { id: WOO_WRITEBACK_FLOW_ID, enabled: input.enableWriteback },
    warnings,
  };
}
