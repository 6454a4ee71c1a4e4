import {
  appendEventsAndSaveStates,
  insertNotifications,
  type NewNotification,
  type Queryable,
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
  shipment(write: ShipmentWrite): void;
  notification(row: NewNotification, startAfter: Date | null): void;
}

const open = new WeakMap<Queryable, OptimisticWrites>();

/** The optimistic writes of `tx`, when it is an optimistic transaction. */
export function optimisticWrites(tx: Queryable): OptimisticWrites | undefined {
  return open.get(tx);
}

/** Makes `tx` (an open transaction) optimistic: its shipment and notification writes wait for its commit. */
export function beginOptimisticWrites(ctx: EngineContext, tx: Queryable): void {
  if (!tx.beforeCommit) throw new Error("optimistic writes need an open transaction");
  const shipments: ShipmentWrite[] = [];
  const notifications: { row: NewNotification; startAfter: Date | null }[] = [];
  open.set(tx, {
    shipment: (write) => shipments.push(write),
    notification: (row, startAfter) => notifications.push({ row, startAfter }),
  });
  tx.beforeCommit(async () => {
    open.delete(tx);
    const expected = shipments.reduce((n, w) => n + w.events.length, 0);
    const appended = await appendEventsAndSaveStates(tx, shipments);
    if (appended !== expected)
      throw new OptimisticConflict(`${expected - appended} of the batch's events were stored already`);
    const inserted = await insertNotifications(
      tx,
      notifications.map((n) => n.row),
    );
    if (inserted.size !== notifications.length)
      throw new OptimisticConflict(
        `${notifications.length - inserted.size} of the batch's notifications were planned already`,
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
}
