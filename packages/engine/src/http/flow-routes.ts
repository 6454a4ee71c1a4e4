import { type FlowDefinition, FlowDefinitionSchema } from "@trackflow/core";
import { findShipment, listFlows } from "@trackflow/store";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { writeAudit } from "../audit/audit-writer.ts";
import type { EngineContext } from "../engine-context.ts";
import { DEFAULT_FLOWS, defaultFlow } from "../notify/default-flows.ts";
import { ManualNotifyError, notifyShipmentManually } from "../notify/manual-notify.ts";
import {
  SimulationCustomerSchema,
  SimulationInputError,
  SimulationOrderSchema,
  SimulationTimelineSchema,
} from "../notify/simulate-flows.ts";
import { simulateTenantFlows } from "../notify/simulate-tenant-flows.ts";
import { NAMED_TIMELINES } from "../notify/synthetic-timelines.ts";
import { saveFlowDefinition } from "../tenancy/provision.ts";
import { type ApiCaller, authenticate } from "./api-auth.ts";
import { HttpError, parseBody } from "./http-error.ts";
import type { TenantRateLimiter } from "./tenant-rate-limiter.ts";

type Params = Record<string, string>;
type Request = FastifyRequest<{ Params: Params; Querystring: Params }>;

const YAML_TYPES = /^(application|text)\/(x-)?yaml\b/i;

/**
 * A flow definition from a request body: JSON, or YAML when the Content-Type says
 * application/yaml or text/yaml. Validated; a bad body is a 400 naming the field.
 */
export function flowDefinitionBody(request: FastifyRequest): FlowDefinition {
  const type = String(request.headers["content-type"] ?? "");
  if (!YAML_TYPES.test(type)) return parseBody(FlowDefinitionSchema, request.body);
  const raw = Buffer.isBuffer(request.body) ? request.body.toString("utf8") : String(request.body ?? "");
  if (raw.trim() === "") throw new HttpError(400, "the request body is empty: YAML expected");
  let value: unknown;
  try {
    value = parseYaml(raw);
  } catch (error) {
    throw new HttpError(400, `malformed YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  return parseBody(FlowDefinitionSchema, value);
}

/** POST /api/flows/simulate */
export const SimulateRequestSchema = z.object({
  /** the flows to dry-run; the tenant's enabled flows when absent */
  flows: z.array(FlowDefinitionSchema).min(1).max(100).optional(),
  /** events, {source, payloads}, synthetic events [{at, status, …}] or {named: "delayed"} */
  timeline: SimulationTimelineSchema,
  order: SimulationOrderSchema.optional(),
  customer: SimulationCustomerSchema.optional(),
  /** when the simulation ends (ISO with offset); seven days after the last scan by default */
  now: z.iso.datetime({ offset: true }).optional(),
});

/** POST /api/shipments/:carrier/:trackingNumber/notify */
export const ManualNotifySchema = z.object({
  /** only this flow (it must have a manual trigger); every manual flow when absent */
  flowId: z.string().min(1).max(64).optional(),
});

/** The body as JSON, its fields checked but the timeline left for the simulator to name what is wrong. */
function simulateBody(raw: unknown) {
  const loose = SimulateRequestSchema.extend({
    flows: z.array(z.unknown()).min(1).max(100).optional(),
    timeline: z.unknown(),
  });
  const body = parseBody(loose, raw);
  if (body.timeline === undefined) throw new HttpError(400, "timeline: required", "timeline");
  return body;
}

/** Flow routes beyond save and list: dry runs, the default catalogue, versions, manual sends. */
export function registerFlowRoutes(
  app: FastifyInstance,
  ctx: EngineContext,
  limiter: TenantRateLimiter,
): void {
  const route = <T>(
    method: "GET" | "POST",
    url: string,
    handler: (caller: ApiCaller, request: Request) => Promise<T>,
  ) =>
    app.route<{ Params: Params; Querystring: Params }>({
      method,
      url,
      handler: async (request, reply) => {
        const caller = await authenticate(ctx, request, limiter);
        return reply.code(200).send(await handler(caller, request));
      },
    });

  route("POST", "/api/flows/simulate", async (caller, request) => {
    const body = simulateBody(request.body);
    try {
      return await simulateTenantFlows(ctx, caller.tenant, {
        flows: body.flows,
        timeline: body.timeline,
        order: body.order,
        customer: body.customer,
        now: body.now ? new Date(body.now) : undefined,
      });
    } catch (error) {
      if (error instanceof SimulationInputError) throw new HttpError(400, error.message, error.field);
      throw error;
    }
  });

  route("GET", "/api/flows/timelines", async () => ({ timelines: NAMED_TIMELINES }));

  route("GET", "/api/flows/defaults", async (caller) => {
    const own = new Map((await listFlows(ctx.db, caller.tenant.id)).map((f) => [f.definition.id, f]));
    return {
      flows: DEFAULT_FLOWS.map((f) => {
        const installed = own.get(f.definition.id);
        return {
          id: f.definition.id,
          name: f.definition.name,
          audience: f.audience,
          description: f.description,
          definition: f.definition,
          installed: installed !== undefined,
          enabled: installed ? installed.definition.enabled : null,
          version: installed?.version ?? null,
        };
      }),
    };
  });

  route("POST", "/api/flows/defaults/:id", async (caller, request) => {
    const id = request.params.id ?? "";
    const flow = defaultFlow(id);
    if (!flow) throw new HttpError(404, `no default flow "${id}"`);
    const version = await saveFlowDefinition(ctx, caller.tenant.id, { ...flow.definition, enabled: true });
    await writeAudit(ctx.db, caller.tenant.id, ctx.now(), {
      actor: caller.actor,
      action: "flow.default_installed",
      subject: `flow:${id}`,
      data: { version },
    });
    return { id, version, enabled: true };
  });

  route("GET", "/api/flows/:id/versions", async (caller, request) => {
    const id = request.params.id ?? "";
    const { rows } = await ctx.db.query<{
      version: number;
      definition: FlowDefinition;
      enabled: boolean;
      created_at: Date;
    }>(
      "SELECT version, definition, enabled, created_at FROM flows WHERE tenant_id = $1 AND id = $2 ORDER BY version DESC",
      [caller.tenant.id, id],
    );
    if (rows.length === 0) throw new HttpError(404, `no flow "${id}"`);
    return {
      id,
      versions: rows.map((r) => ({
        version: r.version,
        enabled: r.enabled,
        createdAt: new Date(r.created_at).toISOString(),
        definition: r.definition,
      })),
    };
  });

  route("POST", "/api/shipments/:carrier/:trackingNumber/notify", async (caller, request) => {
    const body = parseBody(ManualNotifySchema, isEmpty(request.body) ? {} : request.body);
    const tenant = caller.tenant;
    const found = await findShipment(
      ctx.db,
      tenant.id,
      request.params.carrier ?? "",
      request.params.trackingNumber ?? "",
    );
    if (!found)
      throw new HttpError(404, `no ${request.params.carrier} shipment ${request.params.trackingNumber}`);
    const header = request.headers["idempotency-key"];
    const clientKey = typeof header === "string" && header.trim() !== "" ? header.trim() : null;
    if (clientKey !== null && clientKey.length > 255)
      throw new HttpError(400, "Idempotency-Key: at most 255 characters", "Idempotency-Key");
    let planned: number;
    try {
      planned = await notifyShipmentManually(ctx, caller, found, { flowId: body.flowId, clientKey });
    } catch (error) {
      if (error instanceof ManualNotifyError) throw new HttpError(error.status, error.message, error.field);
      throw error;
    }
    return { planned };
  });
}

function isEmpty(body: unknown): boolean {
  return body === undefined || body === null || (Buffer.isBuffer(body) && body.length === 0);
}
