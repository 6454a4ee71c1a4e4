import { PayloadError, SOURCE_IDS, sourceById } from "@trackflow/carriers";
import { PROVIDER_FACTORIES } from "@trackflow/channels";
import { formatEventTime, type ShipmentEvent } from "@trackflow/core";
import {
  deleteCredential,
  findShipment,
  getOrder,
  listCredentials,
  listDeliveryAttempts,
  listFlows,
  listInboundDeliveries,
  listNotifications,
  listShipmentEvents,
  listShipments,
  listTemplates,
  type NotificationStatus,
  type ShipmentRow,
} from "@trackflow/store";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { writeAudit } from "../audit/audit-writer.ts";
import { replayNotification } from "../dispatch/replay-notification.ts";
import type { EngineContext } from "../engine-context.ts";
import { ingest } from "../ingest/ingest.ts";
import { setManualStatus } from "../ingest/manual-status.ts";
import { registerShipment } from "../ingest/register-shipment.ts";
import { replayInboundDelivery } from "../ingest/replay-delivery.ts";
import { saveOrder } from "../ingest/save-order.ts";
import { CHANNEL_KIND_PREFIX } from "../notify/channel-connections.ts";
import { saveTemplate, TEMPLATE_ID } from "../notify/save-template.ts";
import { ProvisioningError, saveChannel, saveFlowDefinition, setSourceSecret } from "../tenancy/provision.ts";
import { type ApiCaller, authenticate } from "./api-auth.ts";
import {
  ChannelSchema,
  ManualStatusSchema,
  OrderSchema,
  RegisterShipmentSchema,
  SourceSecretSchema,
  TemplateSchema,
} from "./api-schemas.ts";
import { flowDefinitionBody, registerFlowRoutes } from "./flow-routes.ts";
import { HttpError, parseBody } from "./http-error.ts";
import type { TenantRateLimiter } from "./tenant-rate-limiter.ts";

type Params = Record<string, string>;

function shipmentView(s: ShipmentRow) {
  return {
    id: s.id,
    carrier: s.carrier,
    trackingNumber: s.trackingNumber,
    status: s.status,
    reason: s.reason,
    actionRequired: s.actionRequired,
    estimatedDelivery: s.estimatedDelivery ? formatEventTime(s.estimatedDelivery) : null,
    lastEventAt: s.state.lastEventAt ? formatEventTime(s.state.lastEventAt) : null,
    pieces: s.state.pieces.map((p) => ({ pieceId: p.pieceId, status: p.status, reason: p.reason })),
    orderId: s.orderId,
    unknownCodes: s.state.unknownCodes,
    updatedAt: s.updatedAt.toISOString(),
  };
}

/** The tenant's JSON API, behind its API keys. */
export function registerApiRoutes(
  app: FastifyInstance,
  ctx: EngineContext,
  limiter: TenantRateLimiter,
): void {
  const route = <T>(
    method: "GET" | "POST" | "PUT" | "DELETE",
    url: string,
    handler: (
      caller: ApiCaller,
      request: FastifyRequest<{ Params: Params; Querystring: Params }>,
    ) => Promise<T>,
    status = 200,
  ) =>
    app.route<{ Params: Params; Querystring: Params }>({
      method,
      url,
      handler: async (request, reply) => {
        const caller = await authenticate(ctx, request, limiter);
        return reply.code(status).send(await handler(caller, request));
      },
    });

  const shipmentOr404 = async (caller: ApiCaller, params: Params) => {
    const s = await findShipment(ctx.db, caller.tenant.id, params.carrier ?? "", params.trackingNumber ?? "");
    if (!s) throw new HttpError(404, `no ${params.carrier} shipment ${params.trackingNumber}`);
    return s;
  };

  route("GET", "/api/shipments", async (caller, request) => {
    const q = z
      .object({
        status: z.string().optional(),
        carrier: z.string().optional(),
        limit: z.coerce.number().int().min(1).max(1000).optional(),
      })
      .parse(request.query);
    const rows = await listShipments(ctx.db, caller.tenant.id, {
      status: q.status as ShipmentRow["status"] | undefined,
      carrier: q.carrier,
      limit: q.limit,
    });
    return { shipments: rows.map(shipmentView) };
  });

  route("GET", "/api/shipments/:carrier/:trackingNumber", async (caller, request) => {
    const s = await shipmentOr404(caller, request.params);
    const [events, notifications, order] = await Promise.all([
      listShipmentEvents(ctx.db, caller.tenant.id, s.id),
      listNotifications(ctx.db, caller.tenant.id, { shipmentId: s.id }),
      s.orderId ? getOrder(ctx.db, caller.tenant.id, s.orderId) : null,
    ]);
    return {
      ...shipmentView(s),
      events: events.map(({ event, receivedAt }) => ({
        status: event.status,
        reason: event.reason,
        pieceId: event.pieceId,
        rawCode: event.rawCode,
        message: event.message,
        location: event.location,
        occurredAt: formatEventTime(event.occurredAt),
        source: event.source,
        receivedAt: receivedAt.toISOString(),
      })),
      order: order && {
        id: order.id,
        externalId: order.externalId,
        number: order.data.orderNumber ?? null,
        status: order.status,
      },
      notifications: notifications.map((n) => ({
        id: n.id,
        channel: n.channel,
        provider: n.provider,
        status: n.status,
        attempts: n.attempts,
        to: n.recipient.address,
        subject: n.rendered.subject ?? null,
        sentAt: n.sentAt?.toISOString() ?? null,
        lastError: n.lastError,
      })),
    };
  });

  route(
    "POST",
    "/api/shipments",
    async (caller, request) => {
      const body = parseBody(RegisterShipmentSchema, request.body);
      const shipment = await registerShipment(ctx, caller.tenant.id, caller.actor, body);
      return shipmentView(shipment);
    },
    201,
  );

  route("POST", "/api/shipments/:carrier/:trackingNumber/status", async (caller, request) => {
    const s = await shipmentOr404(caller, request.params);
    const body = parseBody(ManualStatusSchema, request.body);
    const outcome = await setManualStatus(
      ctx,
      { tenantId: caller.tenant.id, keyId: caller.keyId, actor: caller.actor },
      s,
      body,
    );
    const after = await shipmentOr404(caller, request.params);
    return { ...shipmentView(after), transitions: outcome.shipments[0]?.transitions ?? [] };
  });

  route("POST", "/api/ingest/:source", async (caller, request) => {
    const source = sourceById(request.params.source ?? "");
    if (!source)
      throw new HttpError(404, `unknown source "${request.params.source}"; one of ${SOURCE_IDS.join(", ")}`);
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString("utf8"));
    } catch (error) {
      throw new HttpError(400, `${source.id}: malformed JSON: ${(error as Error).message}`);
    }
    let events: ShipmentEvent[];
    try {
      events = source.parse(payload);
    } catch (error) {
      if (error instanceof PayloadError) throw new HttpError(400, error.message);
      throw error;
    }
    if (events.length === 0) return { accepted: 0, duplicates: 0, shipments: [] };
    const outcome = await ingest(ctx, { tenantId: caller.tenant.id, actor: caller.actor, events });
    return {
      accepted: outcome.accepted,
      duplicates: outcome.duplicates,
      shipments: outcome.shipments.map((x) => ({
        carrier: x.carrier,
        trackingNumber: x.trackingNumber,
        status: x.status,
      })),
    };
  });

  route("PUT", "/api/orders/:externalId", async (caller, request) => {
    const body = parseBody(OrderSchema, request.body);
    const order = await saveOrder(ctx, caller.tenant, caller.actor, request.params.externalId ?? "", body);
    return {
      id: order.id,
      externalId: order.externalId,
      status: order.status,
      // the host's change was older than the stored one (hostUpdatedAt): nothing changed
      ...(order.stale ? { stale: true } : {}),
    };
  });

  route("GET", "/api/orders/:id", async (caller, request) => {
    const order = await getOrder(ctx.db, caller.tenant.id, request.params.id ?? "");
    if (!order) throw new HttpError(404, `no order ${request.params.id}`);
    const shipments = await listShipments(ctx.db, caller.tenant.id, { orderId: order.id });
    return { ...order, updatedAt: order.updatedAt.toISOString(), shipments: shipments.map(shipmentView) };
  });

  route("GET", "/api/notifications", async (caller, request) => {
    const q = z
      .object({
        status: z.enum(["queued", "held", "sending", "sent", "failed", "dead"]).optional(),
        limit: z.coerce.number().int().min(1).max(1000).optional(),
      })
      .parse(request.query);
    const rows = await listNotifications(ctx.db, caller.tenant.id, {
      status: q.status as NotificationStatus | undefined,
      limit: q.limit,
    });
    return { notifications: rows.map((n) => ({ ...n, createdAt: n.createdAt.toISOString() })) };
  });

  route("GET", "/api/notifications/:id/attempts", async (caller, request) => ({
    attempts: await listDeliveryAttempts(ctx.db, caller.tenant.id, request.params.id ?? ""),
  }));

  route("POST", "/api/notifications/:id/replay", async (caller, request) => {
    const outcome = await replayNotification(ctx, caller.tenant.id, request.params.id ?? "", caller.actor);
    if (outcome === "not_found") throw new HttpError(404, `no notification ${request.params.id}`);
    if (outcome === "not_replayable")
      throw new HttpError(409, "only dead or failed notifications can be replayed");
    return { replayed: true };
  });

  route("GET", "/api/deliveries", async (caller, request) => {
    const q = z
      .object({
        outcome: z.enum(["queued", "accepted", "duplicate", "rejected", "failed"]).optional(),
        limit: z.coerce.number().int().min(1).max(1000).optional(),
      })
      .parse(request.query);
    const rows = await listInboundDeliveries(ctx.db, caller.tenant.id, q);
    return {
      deliveries: rows.map((d) => ({
        ...d,
        receivedAt: d.receivedAt.toISOString(),
        settledAt: d.settledAt?.toISOString() ?? null,
      })),
    };
  });

  route("POST", "/api/deliveries/:id/replay", async (caller, request) => {
    const id = request.params.id ?? "";
    const outcome = await replayInboundDelivery(ctx, caller.tenant.id, id, caller.actor);
    if (outcome === "not_found") throw new HttpError(404, `no delivery ${id}`);
    if (outcome === "not_replayable") throw new HttpError(409, "only a failed delivery can be replayed");
    return { replayed: true };
  });

  route("GET", "/api/flows", async (caller) => ({ flows: await listFlows(ctx.db, caller.tenant.id) }));

  route("PUT", "/api/flows/:id", async (caller, request) => {
    // JSON, or YAML with Content-Type application/yaml or text/yaml
    const body = flowDefinitionBody(request);
    if (body.id !== request.params.id)
      throw new HttpError(
        400,
        `id: the body's id "${body.id}" is not the URL's "${request.params.id}"`,
        "id",
      );
    const version = await saveFlowDefinition(ctx, caller.tenant.id, body);
    return { id: body.id, version };
  });

  route("PUT", "/api/sources/:source", async (caller, request) => {
    const source = request.params.source ?? "";
    if (!sourceById(source))
      throw new HttpError(404, `unknown source "${source}"; one of ${SOURCE_IDS.join(", ")}`);
    const body = parseBody(SourceSecretSchema, request.body);
    await setSourceSecret(ctx, caller.tenant.id, source, body.secret);
    return { source, webhookPath: `/webhooks/${caller.tenant.id}/${source}` };
  });

  route("GET", "/api/templates", async (caller) => ({
    templates: await listTemplates(ctx.db, caller.tenant.id),
  }));

  route("PUT", "/api/templates/:id", async (caller, request) => {
    const id = request.params.id ?? "";
    if (!TEMPLATE_ID.test(id)) throw new HttpError(400, "id: lower-case letters, digits, '-' and '_'", "id");
    const body = parseBody(TemplateSchema, request.body);
    // rendered now with sample values: an unknown variable or filter fails at save, not at send
    const check = await saveTemplate(ctx, ctx.db, caller.tenant, caller.actor, id, body);
    const problem = check.errors[0];
    if (problem) {
      const where = problem.line ? ` (line ${problem.line})` : "";
      throw new HttpError(400, `${problem.part}: ${problem.message}${where}`, problem.part);
    }
    return {
      id,
      locale: body.locale,
      channel: body.channel,
      warnings: check.warnings,
      ...(check.sms ? { sms: check.sms } : {}),
    };
  });

  route("GET", "/api/channels", async (caller) => ({
    channels: (await listCredentials(ctx.db, caller.tenant.id, CHANNEL_KIND_PREFIX)).map((c) => ({
      name: c.name,
      provider: c.kind.slice(CHANNEL_KIND_PREFIX.length),
      createdAt: c.createdAt.toISOString(),
    })),
    providers: PROVIDER_FACTORIES.map((f) => ({ provider: f.provider, kind: f.kind })),
  }));

  route("DELETE", "/api/channels/:name", async (caller, request) => {
    const name = request.params.name ?? "";
    const existing = (await listCredentials(ctx.db, caller.tenant.id, CHANNEL_KIND_PREFIX)).find(
      (c) => c.name === name,
    );
    if (!existing) throw new HttpError(404, `no channel "${name}"`);
    await ctx.db.transaction(async (tx) => {
      await deleteCredential(tx, caller.tenant.id, existing.kind, name);
      await writeAudit(tx, caller.tenant.id, ctx.now(), {
        actor: caller.actor,
        action: "channel.deleted",
        subject: `channel:${name}`,
        data: null,
      });
    });
    return { deleted: name };
  });

  route("PUT", "/api/channels/:name", async (caller, request) => {
    const body = parseBody(ChannelSchema, request.body);
    try {
      await saveChannel(ctx, caller.tenant.id, {
        name: request.params.name ?? "",
        provider: body.provider,
        config: body.config,
      });
    } catch (error) {
      if (error instanceof ProvisioningError) throw new HttpError(400, error.message);
      throw error;
    }
    return { name: request.params.name, provider: body.provider };
  });

  // dry runs, the default flow catalogue, flow versions, manual sends (flow-routes.ts)
  registerFlowRoutes(app, ctx, limiter);
}
