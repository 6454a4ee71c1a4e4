import type { EngineContext, ServerPluginHost } from "@trackflow/engine";
import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import { backfillWooOrders, WooBackfillError } from "./backfill.ts";
import { ConnectInputSchema, connectWooStore, WooConnectError } from "./connect.ts";
import { disconnectWooStore } from "./disconnect.ts";
import { handleWooDelivery } from "./webhook-delivery.ts";
import type { WooClientOptions } from "./woo-client.ts";
import { loadWooConnection } from "./woo-connection.ts";

const BackfillSchema = z.object({
  pages: z.number().int().min(1).max(100).default(1),
  restart: z.boolean().default(false),
});

function jsonBody(body: unknown): unknown {
  if (!Buffer.isBuffer(body) || body.length === 0) return {};
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw Object.assign(new Error(`malformed JSON: ${(error as Error).message}`), { statusCode: 400 });
  }
}

function invalid(reply: FastifyReply, error: z.ZodError) {
  const issue = error.issues[0]!;
  return reply
    .code(400)
    .send({ error: `${issue.path.join(".")}: ${issue.message}`, field: issue.path.join(".") });
}

/**
 * The WooCommerce routes: the shop's webhook deliveries (`POST /woocommerce/:tenant/webhook`,
 * signed, no API key) and the tenant API (`/api/woocommerce/…`, API key) to connect, see,
 * disconnect and backfill.
 */
export function registerWooRoutes(
  app: FastifyInstance,
  ctx: EngineContext,
  host: ServerPluginHost,
  options: WooClientOptions = {},
): void {
  app.post<{ Params: { tenant: string } }>("/woocommerce/:tenant/webhook", async (request, reply) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const answer = await handleWooDelivery(ctx, request.params.tenant, raw, request.headers, {
      clientOptions: options,
    });
    return reply.code(answer.status).send(answer.body);
  });

  app.post("/api/woocommerce/connect", async (request, reply) => {
    const caller = await host.authenticate(request);
    const parsed = ConnectInputSchema.safeParse(jsonBody(request.body));
    if (!parsed.success) return invalid(reply, parsed.error);
    try {
      return await connectWooStore(ctx, caller.tenantId, parsed.data, { ...options, actor: caller.actor });
    } catch (error) {
      if (error instanceof WooConnectError)
        return reply.code(422).send({ error: error.message, problem: error.problem });
      throw error;
    }
  });

  app.get("/api/woocommerce/connection", async (request, reply) => {
    const caller = await host.authenticate(request);
    const row = await loadWooConnection(ctx, caller.tenantId);
    if (!row) return reply.code(404).send({ error: "no WooCommerce shop is connected" });
    return {
      storeUrl: row.storeUrl,
      webhooks: row.webhooks,
      connectedAt: row.connectedAt,
      syncCursor: row.syncCursor,
      backfill: row.backfill,
      lastReconciledAt: row.lastReconciledAt,
      lastReconcileReport: row.lastReconcileReport,
    };
  });

  app.delete("/api/woocommerce/connection", async (request, reply) => {
    const caller = await host.authenticate(request);
    const result = await disconnectWooStore(ctx, caller.tenantId, { ...options, actor: caller.actor });
    if (!result.disconnected) return reply.code(404).send({ error: "no WooCommerce shop is connected" });
    return result;
  });

  app.post("/api/woocommerce/backfill", async (request, reply) => {
    const caller = await host.authenticate(request);
    const parsed = BackfillSchema.safeParse(jsonBody(request.body));
    if (!parsed.success) return invalid(reply, parsed.error);
    try {
      return await backfillWooOrders(ctx, caller.tenantId, parsed.data, options);
    } catch (error) {
      if (error instanceof WooBackfillError) return reply.code(404).send({ error: error.message });
      throw error;
    }
  });
}
