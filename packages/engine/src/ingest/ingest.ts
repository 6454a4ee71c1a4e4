import {
  applyEvent,
  eventTimeSortKey,
  type FlowChange,
  formatEventTime,
  planFlowSteps,
  type ShipmentEvent,
  type ShipmentState,
  type StatusTransition,
  transitionsBetween,
  type VersionedFlow,
} from "@trackflow/core";
import {
  appendEventsAndSaveState,
  lockOrder,
  lockShipments,
  type Queryable,
  type ShipmentKey,
  type ShipmentRow,
  saveShipmentState,
  shipmentKey,
  type TenantRow,
  unsavedShipment,
} from "@trackflow/store";
import { writeAudit } from "../audit/audit-writer.ts";
import { localJobsCommitted } from "../dispatch/local-wakeup.ts";
import { type EngineContext, newId } from "../engine-context.ts";
import { flowContext } from "../notify/flow-context.ts";
import { planNotifications } from "../notify/plan-notifications.ts";
import { cachedFlows, cachedTenant } from "../tenancy/config-cache.ts";
import { fireExceptions } from "./fire-exceptions.ts";
import { beginOptimisticWrites, optimisticWrites } from "./optimistic-writes.ts";
import { rollUpOrder } from "./roll-up-order.ts";

export interface IngestRequest {
  tenantId: string;
  /** who sent it, for the audit trail: "source:ups", "api-key:<id>", "staff:<name>" */
  actor: string;
  events: readonly ShipmentEvent[];
}

export interface IngestedShipment {
  id: string;
  carrier: string;
  trackingNumber: string;
  status: ShipmentState["status"];
  transitions: StatusTransition[];
}

export interface IngestOutcome {
  accepted: number;
  duplicates: number;
  shipments: IngestedShipment[];
  notificationsPlanned: number;
}

export class UnknownTenantError extends Error {
  override name = "UnknownTenantError";
}

const HOUR = 3_600_000;

/** Events older than the tenant's limit are history: they update the timeline but never notify. */
function isStale(tenant: TenantRow, event: ShipmentEvent | undefined, now: Date): boolean {
  const hours = tenant.settings.staleEventHours;
  if (hours === undefined || event === undefined) return false;
  return now.getTime() - eventTimeSortKey(event.occurredAt) > hours * HOUR;
}

export interface IngestOptions {
  /**
   * Runs in the ingest's transaction once its outcome is known, before it commits (the webhook
   * route records the delivery there): both exist, or neither.
   */
  withOutcome?: (tx: Queryable, outcome: IngestOutcome) => Promise<void>;
}

/**
 * Takes normalised events in: in ONE transaction, per shipment: dedupe, append, apply to the
 * state machine, roll the order up, detect exceptions, plan the flows' notifications (rows and
 * jobs) and write the audit records. The same delivery twice changes nothing.
 */
export async function ingest(
  ctx: EngineContext,
  request: IngestRequest,
  options: IngestOptions = {},
): Promise<IngestOutcome> {
  const outcome = await ctx.db.transaction(async (tx) => {
    await knownTenant(ctx, tx, request.tenantId);
    const locked = await lockShipments(tx, shipmentKeys(request));
    const outcome = await ingestLocked(ctx, tx, request, locked);
    await options.withOutcome?.(tx, outcome);
    return outcome;
  });
  if (outcome.notificationsPlanned > 0) localJobsCommitted(ctx.boss);
  return outcome;
}

/** One delivery of a batch: what to ingest and what to do with its outcome before commit. */
export interface BatchedIngest {
  request: IngestRequest;
  options?: IngestOptions;
}

/**
 * Many deliveries ingested as `ingest` does each, in ONE transaction with few statements: every
 * shipment locked at once, the deliveries applied in the order given (a later delivery sees the
 * state an earlier one left), and their events, states, notifications and jobs written together
 * at commit. Optimistic: where the database knew what the plan did not (an event stored, a
 * notification planned), the transaction fails with `OptimisticConflict` and nothing is written;
 * the caller then ingests the deliveries one by one (`IngestBatcher` does).
 */
export async function ingestBatch(
  ctx: EngineContext,
  batch: readonly BatchedIngest[],
): Promise<IngestOutcome[]> {
  const outcomes = await ctx.db.transaction(async (tx) => {
    const optimistic = beginOptimisticWrites(ctx, tx);
    for (const tenantId of new Set(batch.map((b) => b.request.tenantId)))
      await knownTenant(ctx, tx, tenantId);
    // the stored shipments locked; the new ones are inserted at commit, with their first state
    const keys = batch.flatMap((b) => shipmentKeys(b.request));
    const locked = await lockShipments(tx, keys, { create: false });
    for (const k of keys) {
      const key = shipmentKey(k);
      if (locked.has(key)) continue;
      const row = unsavedShipment(k, ctx.now());
      locked.set(key, row);
      optimistic.unsaved.add(row.id);
    }
    const outcomes: IngestOutcome[] = [];
    for (const { request, options } of batch) {
      const outcome = await ingestLocked(ctx, tx, request, locked);
      await options?.withOutcome?.(tx, outcome);
      outcomes.push(outcome);
    }
    return outcomes;
  });
  if (outcomes.some((o) => o.notificationsPlanned > 0)) localJobsCommitted(ctx.boss);
  return outcomes;
}

async function knownTenant(ctx: EngineContext, tx: Queryable, tenantId: string): Promise<TenantRow> {
  const tenant = await cachedTenant(ctx, tx, tenantId);
  if (tenant === null) throw new UnknownTenantError(`no tenant ${JSON.stringify(tenantId)}`);
  return tenant;
}

/** The shipments a request's events are about, in a fixed order (so lockers never deadlock). */
function shipmentKeys(request: IngestRequest): ShipmentKey[] {
  return request.events.map((e) => ({
    tenantId: request.tenantId,
    carrier: e.carrier,
    trackingNumber: e.trackingNumber,
    newId: newId("shp"),
  }));
}

/** Ingests one request whose shipments `locked` holds; `locked` is updated with their new states. */
async function ingestLocked(
  ctx: EngineContext,
  tx: Queryable,
  request: IngestRequest,
  locked: Map<string, ShipmentRow>,
): Promise<IngestOutcome> {
  const tenant = await knownTenant(ctx, tx, request.tenantId);
  const flows = await cachedFlows(ctx, tx, tenant.id);
  const groups = Map.groupBy(request.events, (e) =>
    shipmentKey({ tenantId: request.tenantId, carrier: e.carrier, trackingNumber: e.trackingNumber }),
  );
  const outcome: IngestOutcome = { accepted: 0, duplicates: 0, shipments: [], notificationsPlanned: 0 };
  for (const key of [...groups.keys()].sort()) {
    const row = locked.get(key)!;
    const result = await ingestShipment(ctx, tx, tenant, flows, request.actor, row, groups.get(key)!);
    locked.set(key, { ...row, state: result.state });
    outcome.accepted += result.accepted;
    outcome.duplicates += result.duplicates;
    outcome.notificationsPlanned += result.notificationsPlanned;
    outcome.shipments.push(result.shipment);
  }
  return outcome;
}

interface AppliedEvent {
  event: ShipmentEvent;
  fingerprint: string;
  outOfOrder: boolean;
  transitions: StatusTransition[];
}

/**
 * Folds `events` into `state` in order, skipping duplicates; with `stored`, also every event
 * whose fingerprint is not in it (the ones the events table refused).
 */
function applyEvents(
  state: ShipmentState,
  events: readonly ShipmentEvent[],
  stored: ReadonlySet<string> | null,
): { state: ShipmentState; accepted: AppliedEvent[] } {
  const accepted: AppliedEvent[] = [];
  for (const event of events) {
    const applied = applyEvent(state, event);
    if (applied.duplicate || (stored !== null && !stored.has(applied.fingerprint))) continue;
    state = applied.state;
    accepted.push({
      event,
      fingerprint: applied.fingerprint,
      outOfOrder: applied.outOfOrder,
      transitions: applied.transitions,
    });
  }
  return { state, accepted };
}

async function ingestShipment(
  ctx: EngineContext,
  tx: Queryable,
  tenant: TenantRow,
  flows: readonly VersionedFlow[],
  actor: string,
  row: ShipmentRow,
  events: readonly ShipmentEvent[],
) {
  const now = ctx.now();
  const { carrier, trackingNumber } = row;
  const before = row.state;
  // Every event applied in memory, then the new ones appended in one statement. The events
  // table has the last word on duplicates (its unique fingerprint): should it hold one the state
  // did not know, the events are applied again without it (an optimistic batch fails instead).
  let applied = applyEvents(before, events, null);
  const newEvents = applied.accepted.map((a) => ({ fingerprint: a.fingerprint, event: a.event }));
  const optimistic = optimisticWrites(tx);
  if (optimistic) {
    if (newEvents.length > 0)
      optimistic.shipment({
        tenantId: tenant.id,
        shipmentId: row.id,
        create: optimistic.unsaved.has(row.id) ? { carrier, trackingNumber } : undefined,
        events: newEvents,
        state: applied.state,
      });
  } else {
    const appended = await appendEventsAndSaveState(tx, tenant.id, row.id, newEvents, applied.state);
    if (applied.accepted.length > 0 && !appended.saved) {
      applied = applyEvents(before, events, appended.inserted);
      if (applied.accepted.length > 0) await saveShipmentState(tx, tenant.id, row.id, applied.state);
    }
  }
  const { state } = applied;
  const accepted = applied.accepted.length;
  const duplicates = events.length - accepted;
  const byFingerprint = new Map<string, ShipmentEvent>();
  let lastFingerprint = "";
  const transitions: { transition: StatusTransition; event: ShipmentEvent }[] = [];
  for (const { event, fingerprint, transitions: changed } of applied.accepted) {
    lastFingerprint = fingerprint;
    byFingerprint.set(fingerprint, event);
    for (const transition of changed) transitions.push({ transition, event });
  }
  // one record of what this delivery brought for this shipment, however many scans it replays
  if (accepted > 0)
    await writeAudit(tx, tenant.id, now, {
      actor,
      action: "events.received",
      subject: `shipment:${row.id}`,
      data: {
        events: applied.accepted.map(({ event, fingerprint, outOfOrder }) => ({
          fingerprint,
          source: event.source,
          rawCode: event.rawCode,
          status: event.status,
          occurredAt: formatEventTime(event.occurredAt),
          outOfOrder,
        })),
      },
    });
  const shipment: IngestedShipment = {
    id: row.id,
    carrier,
    trackingNumber,
    status: state.status,
    transitions: transitions.map((t) => t.transition),
  };
  if (accepted === 0) return { accepted, duplicates, notificationsPlanned: 0, shipment, state };

  const order = row.orderId ? await lockOrder(tx, tenant.id, row.orderId) : null;
  // conditions read the shipment as this delivery leaves it (its new status), not as it was
  const context = flowContext({ ...row, state }, order);
  // the latest scan in time (payloads list their scans in either order), for the message's variables
  const latest =
    state.timeline.findLast((t) => !t.informational) ?? state.timeline[state.timeline.length - 1];
  const lastEvent = (latest && byFingerprint.get(latest.fingerprint)) ?? events[events.length - 1] ?? null;
  const base = { tenant, shipmentId: row.id, shipment: state, hostRef: row.hostRef, lastEvent, order };
  let planned = 0;

  if (transitions.length > 0)
    await writeAudit(tx, tenant.id, now, {
      actor,
      action: "shipment.status_changed",
      subject: `shipment:${row.id}`,
      data: { from: before.status, to: state.status, transitions: transitions.map((t) => t.transition) },
    });
  // Flows see the net change of this delivery: a payload that replays a whole timeline tells the
  // customer where the parcel is now, not every step it took to get there.
  const last = transitions.findLast((t) => t.transition.scope === "shipment");
  const net = last
    ? transitionsBetween(before, state, last.transition.fingerprint).filter((t) => t.scope === "shipment")
    : [];
  for (const transition of net) {
    const cause = byFingerprint.get(transition.fingerprint);
    if (isStale(tenant, cause, now)) {
      await writeAudit(tx, tenant.id, now, {
        actor: "system",
        action: "notification.skipped_stale",
        subject: `shipment:${row.id}`,
        data: { to: transition.to, occurredAt: cause ? formatEventTime(cause.occurredAt) : null },
      });
      continue;
    }
    const change: FlowChange = {
      kind: "shipment_status",
      transition,
      key: `status:${transition.to}:${transition.reason ?? ""}:${transition.fingerprint}`,
    };
    const steps = planFlowSteps(tenant.id, `shipment:${row.id}`, flows, change, context);
    planned += await planNotifications(ctx, tx, steps, {
      ...base,
      change: {
        kind: "shipment.status_changed",
        carrier,
        trackingNumber,
        from: transition.from,
        to: transition.to,
        reason: transition.reason,
      },
    });
  }

  planned += (await fireExceptions(ctx, tx, tenant, flows, row.id, state, context, base)).planned;
  if (order)
    planned += await rollUpOrder(
      ctx,
      tx,
      tenant,
      flows,
      order,
      { shipmentId: row.id, state },
      lastFingerprint,
      context,
      base,
    );
  return { accepted, duplicates, notificationsPlanned: planned, shipment, state };
}
