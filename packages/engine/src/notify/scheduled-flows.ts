import { type FlowChange, type FlowDefinition, planFlowSteps } from "@trackflow/core";
import { getTenant, listFlows, listShipmentsForSummary } from "@trackflow/store";
import { writeAudit } from "../audit/audit-writer.ts";
import type { EngineContext } from "../engine-context.ts";
import { flowContext } from "./flow-context.ts";
import { planNotifications } from "./plan-notifications.ts";

/** The queue pg-boss's cron fills with a job each time a scheduled flow is due. */
export const SCHEDULED_FLOW_QUEUE = "flow.scheduled";

const DAY_MS = 86_400_000;

export interface ScheduledFlowJob {
  tenantId: string;
  flowId: string;
}

function scheduleKey(tenantId: string, flowId: string): string {
  return `${tenantId}/${flowId}`;
}

/**
 * Keeps pg-boss's schedule in line with a flow just saved: an enabled flow with a schedule
 * trigger has one schedule (its cron, in its time zone or the tenant's); any other has none.
 * pg-boss runs the cron once across all processes and sends one job per occurrence.
 */
export async function syncFlowSchedule(
  ctx: EngineContext,
  tenantId: string,
  flow: FlowDefinition,
  tenantTimeZone: string | undefined,
): Promise<void> {
  const key = scheduleKey(tenantId, flow.id);
  if (flow.enabled && flow.trigger.type === "schedule") {
    const job: ScheduledFlowJob = { tenantId, flowId: flow.id };
    await ctx.boss.schedule(SCHEDULED_FLOW_QUEUE, flow.trigger.cron, job, {
      tz: flow.trigger.timeZone ?? tenantTimeZone ?? "UTC",
      key,
    });
  } else {
    await ctx.boss.unschedule(SCHEDULED_FLOW_QUEUE, key);
  }
}

/**
 * Runs a scheduled flow's steps for one occurrence (a daily summary, a weekly report): planned
 * in one transaction, keyed by the occurrence's job, so a job handed out twice plans once.
 */
export async function runScheduledFlow(
  ctx: EngineContext,
  job: ScheduledFlowJob,
  jobId: string,
): Promise<number> {
  return await ctx.db.transaction(async (tx) => {
    const tenant = await getTenant(tx, job.tenantId);
    if (tenant === null) return 0;
    const flows = (await listFlows(tx, tenant.id)).filter((f) => f.definition.id === job.flowId);
    const change: FlowChange = { kind: "schedule", flowId: job.flowId, key: `schedule:${jobId}` };
    const steps = planFlowSteps(tenant.id, `tenant:${tenant.id}`, flows, change, flowContext(null, null));
    await writeAudit(tx, tenant.id, ctx.now(), {
      actor: "scheduler",
      action: "flow.schedule_ran",
      subject: `flow:${job.flowId}`,
      data: { steps: steps.length },
    });
    if (steps.length === 0) return 0;
    const now = ctx.now();
    const shipments = await listShipmentsForSummary(tx, tenant.id, new Date(now.getTime() - DAY_MS));
    return await planNotifications(ctx, tx, steps, {
      tenant,
      shipmentId: null,
      shipment: null,
      lastEvent: null,
      order: null,
      change: { kind: "flow.scheduled", flowId: job.flowId },
      summary: {
        date: now.toLocaleDateString("en-CA", { timeZone: tenant.settings.timeZone ?? "UTC" }),
        shipments: shipments.map((s) => ({
          trackingNumber: s.trackingNumber,
          carrier: s.carrier,
          status: s.status,
          orderNumber: s.orderNumber,
          estimatedDelivery: s.state.estimatedDelivery,
        })),
      },
    });
  });
}
