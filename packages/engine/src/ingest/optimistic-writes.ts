import {
  appendEventsAndSaveStates,
  insertNotifications,
  type NewNotification,
  type Queryable,
  recordExceptionFirings,
  type ShipmentWrite,
  toPgBossDb,
} from "@trackflow/store";
import { type EngineContext, NOTIFICATION_QUEUE, type NotificationJob } from "../engine-context.ts";

/**
 * An optimistic transaction found the database knowing something its plan did not (an event
 * already stored, a notification already planned): it rolls back, and its deliveries are
 * ingested again one by one, each seeing the database as it is.
 */
export class OptimisticConflict extends Error {
  override name = "OptimisticConflict";
}

/**
 * The writes of an optimistic transaction (many deliveries ingested together), kept in memory
 * and written just before it commits, a few statements for all: every shipment's new events and
 * state, every planned notification and its delivery job. Where the stored events or
 * notifications disagree with what was planned, the commit fails with `OptimisticConflict`.
 */
export interface OptimisticWrites {
  /** a shipment's new events and state (`create` for one not stored yet, even without events) */
  shipment(write: ShipmentWrite): void;
  notification(row: NewNotification, startAfter: Date | null): void;
  /** ids of the shipments this transaction creates (inserted at commit with their first write) */
  readonly unsaved: Set<string>;
  /**
   * Records that an exception fired for a shipment this transaction creates (it cannot have
   * fired before); false when this transaction recorded it already.
   */
  firing(tenantId: string, shipmentId: string, conditionKey: string): boolean;
}

const open = new WeakMap<Queryable, OptimisticWrites>();

/** A write that failed on a unique key (23505) found stored what the plan took for new. */
async function unlessStored(write: Promise<void>, what: string): Promise<void> {
  try {
    await write;
  } catch (error) {
    if ((error as { code?: unknown }).code !== "23505") throw error;
    throw new OptimisticConflict(`${what} (${(error as Error).message})`, { cause: error });
  }
}

/** The optimistic writes of `tx`, when it is an optimistic transaction. */
export function optimisticWrites(tx: Queryable): OptimisticWrites | undefined {
  return open.get(tx);
}

/** Makes `tx` (an open transaction) optimistic: its shipment and notification writes wait for its commit. */
export function beginOptimisticWrites(ctx: EngineContext, tx: Queryable): OptimisticWrites {
  if (!tx.beforeCommit) throw new Error("optimistic writes need an open transaction");
  // one write per shipment: a later delivery's events join an earlier one's, its state replaces it
  const byShipment = new Map<string, ShipmentWrite>();
  const notifications: { row: NewNotification; startAfter: Date | null }[] = [];
  const firings = new Map<string, { tenantId: string; shipmentId: string; conditionKey: string }>();
  const writes: OptimisticWrites = {
    unsaved: new Set(),
    shipment(write) {
      const key = `${write.tenantId}\u0000${write.shipmentId}`;
      const earlier = byShipment.get(key);
      byShipment.set(
        key,
        earlier ? { ...earlier, events: [...earlier.events, ...write.events], state: write.state } : write,
      );
    },
    notification: (row, startAfter) => notifications.push({ row, startAfter }),
    firing(tenantId, shipmentId, conditionKey) {
      const key = `${tenantId}\u0000${shipmentId}\u0000${conditionKey}`;
      if (firings.has(key)) return false;
      firings.set(key, { tenantId, shipmentId, conditionKey });
      return true;
    },
  };
  open.set(tx, writes);
  tx.beforeCommit(async () => {
    open.delete(tx);
    await unlessStored(
      appendEventsAndSaveStates(tx, [...byShipment.values()]),
      "an event or shipment of the batch was stored already",
    );
    await recordExceptionFirings(tx, [...firings.values()]);
    await unlessStored(
      insertNotifications(
        tx,
        notifications.map((n) => n.row),
      ),
      "a notification of the batch was planned already",
    );
    if (notifications.length === 0) return;
    await ctx.boss.insert(
      NOTIFICATION_QUEUE,
      notifications.map(({ row, startAfter }) => {
        const data: NotificationJob = { tenantId: row.tenantId, notificationId: row.id };
        return startAfter ? { data, startAfter } : { data };
      }),
      { db: toPgBossDb(tx) },
    );
  });
  return writes;
}
