import type { FlowDefinition } from "@trackflow/core";
import { listFlows, listTemplates, type TenantRow } from "@trackflow/store";
import type { EngineContext } from "../engine-context.ts";
import { loadChannelConnections } from "./channel-connections.ts";
import { type SimulationResult, simulateFlows } from "./simulate-flows.ts";

export interface TenantSimulationRequest {
  /** the flows to dry-run; the tenant's enabled flows when absent */
  flows?: readonly (FlowDefinition | unknown)[] | undefined;
  /** any form simulateFlows reads: events, {source, payloads}, synthetic events, {named} */
  timeline: unknown;
  order?: unknown;
  customer?: unknown;
  now?: Date | undefined;
}

/**
 * A dry run of the tenant's flows (or the given ones) over a carrier timeline, with the tenant's
 * own templates, channels and settings: every message each flow would send, rendered. Sends and
 * stores nothing. Bad input throws SimulationInputError naming the field.
 */
export async function simulateTenantFlows(
  ctx: EngineContext,
  tenant: TenantRow,
  request: TenantSimulationRequest,
): Promise<SimulationResult> {
  const flows = request.flows ?? (await listFlows(ctx.db, tenant.id)).filter((f) => f.definition.enabled);
  const templates = (await listTemplates(ctx.db, tenant.id)).map((t) => ({
    id: t.id,
    locale: t.locale,
    channel: t.channel,
    subject: t.body.subject ?? null,
    text: t.body.text,
    html: t.body.html ?? null,
  }));
  const channels = [...(await loadChannelConnections(ctx.db, tenant.id)).values()];
  return simulateFlows({
    flows,
    timeline: request.timeline as never,
    order: (request.order ?? null) as never,
    customer: (request.customer ?? null) as never,
    tenant: { id: tenant.id, name: tenant.name, settings: tenant.settings },
    templates,
    channels,
    now: request.now,
    publicUrl: ctx.publicUrl,
  });
}
