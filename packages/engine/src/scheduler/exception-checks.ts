import { detectExceptions, type VersionedFlow } from "@trackflow/core";
import {
  getOrder,
  getShipmentEvent,
  listExceptionFirings,
  listFlows,
  listOpenShipments,
  listTenants,
  lockShipmentById,
  type ShipmentRow,
  type TenantRow,
} from "@trackflow/store";
import type { EngineContext } from "../engine-context.ts";
import { exceptionPolicy, type FiredExceptions, fireExceptions } from "../ingest/fire-exceptions.ts";
import { flowContext } from "../notify/flow-context.ts";

export interface ExceptionCheckOutcome {
  tenants: number;
  /** open shipments looked at */
  shipmentsChecked: number;
  /** exceptions that fired in this run (each fires once per shipment and condition) */
  exceptionsFired: number;
  notificationsPlanned: number;
  /** shipments whose check threw (logged; the run went on with the others) */
  failures: number;
}

export interface ExceptionCheckOptions {
  /** open shipments read per query (default 500, at most 1000) */
  pageSize?: number;
  /** ends the run early, between shipments (the scheduler stopping); what was done stays done */
  signal?: AbortSignal;
}

const CLOSED: ReadonlySet<string> = new Set(["delivered", "returned_to_sender", "cancelled"]);

/**
 * Looks at every tenant's open shipments at `now` for conditions that arise with the passing of
 * time alone (no scan for too long, an estimated delivery date gone by) and fires them the way
 * ingest does: once per shipment and condition key, audited, handed to the flows with an
 * "exception" trigger. Shipments are read a page at a time; only those with a condition not yet
 * fired are locked and handled, each in its own transaction.
 */
export async function runExceptionChecks(
  ctx: EngineContext,
  now: Date = ctx.now(),
  options: ExceptionCheckOptions = {},
): Promise<ExceptionCheckOutcome> {
  const atNow: EngineContext = { ...ctx, now: () => now };
  const pageSize = Math.max(1, Math.min(options.pageSize ?? 500, 1000));
  const signal = options.signal ?? new AbortController().signal;
  const outcome: ExceptionCheckOutcome = {
    tenants: 0,
    shipmentsChecked: 0,
    exceptionsFired: 0,
    notificationsPlanned: 0,
    failures: 0,
  };
  for (const tenant of await listTenants(ctx.db)) {
    if (signal.aborted) break;
    outcome.tenants++;
    await checkTenant(atNow, tenant, pageSize, signal, outcome);
  }
  return outcome;
}

async function checkTenant(
  ctx: EngineContext,
  tenant: TenantRow,
  pageSize: number,
  signal: AbortSignal,
  outcome: ExceptionCheckOutcome,
): Promise<void> {
  const now = ctx.now();
  const policy = exceptionPolicy(tenant);
  let flows: VersionedFlow[] | null = null;
  let afterId: string | null = null;
  while (!signal.aborted) {
    const page: ShipmentRow[] = await listOpenShipments(ctx.db, tenant.id, { afterId, limit: pageSize });
    if (page.length === 0) return;
    afterId = page[page.length - 1]!.id;
    outcome.shipmentsChecked += page.length;

    // Pure detection first; then one query for what has fired already: most shipments end here.
    const found: { shipment: ShipmentRow; keys: string[] }[] = [];
    for (const shipment of page) {
      try {
        const keys = detectExceptions(shipment.state, now, policy).map((e) => e.key);
        if (keys.length > 0) found.push({ shipment, keys });
      } catch (error) {
        failed(ctx, outcome, tenant, shipment, error);
      }
    }
    const firedBefore = await listExceptionFirings(
      ctx.db,
      tenant.id,
      found.map((f) => f.shipment.id),
    );
    for (const { shipment, keys } of found) {
      if (signal.aborted) return;
      const fired = firedBefore.get(shipment.id);
      if (fired !== undefined && keys.every((key) => fired.has(key))) continue;
      flows ??= await listFlows(ctx.db, tenant.id);
      try {
        const result = await fireForShipment(ctx, tenant, flows, shipment.id);
        outcome.exceptionsFired += result.fired.length;
        outcome.notificationsPlanned += result.planned;
      } catch (error) {
        failed(ctx, outcome, tenant, shipment, error);
      }
    }
    if (page.length < pageSize) return;
  }
}

/** One shipment's trouble (a corrupt state, a failed write) is logged; the others go on. */
function failed(
  ctx: EngineContext,
  outcome: ExceptionCheckOutcome,
  tenant: TenantRow,
  shipment: ShipmentRow,
  error: unknown,
): void {
  outcome.failures++;
  ctx.log.error(
    { err: error, tenantId: tenant.id, shipmentId: shipment.id },
    "exception check of a shipment failed",
  );
}

/** In one transaction, with the shipment locked and read afresh (an event may have come in). */
async function fireForShipment(
  ctx: EngineContext,
  tenant: TenantRow,
  flows: readonly VersionedFlow[],
  shipmentId: string,
): Promise<FiredExceptions> {
  return await ctx.db.transaction(async (tx) => {
    const row = await lockShipmentById(tx, tenant.id, shipmentId);
    if (row === null || CLOSED.has(row.status)) return { fired: [], planned: 0 };
    const order = row.orderId ? await getOrder(tx, tenant.id, row.orderId) : null;
    // the latest scan in time, for the message's variables (as ingest picks it)
    const timeline = row.state.timeline;
    const latest = timeline.findLast((t) => !t.informational) ?? timeline[timeline.length - 1];
    const lastEvent = latest ? await getShipmentEvent(tx, tenant.id, row.id, latest.fingerprint) : null;
    return await fireExceptions(ctx, tx, tenant, flows, row.id, row.state, flowContext(row, order), {
      tenant,
      shipmentId: row.id,
      shipment: row.state,
      lastEvent,
      order,
    });
  });
}
