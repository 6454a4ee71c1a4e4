import type { NewNotification } from "../repositories/notifications.ts";

/** A queued email notification of tenant "acme" for shipment "shp_1", as store tests need one. */
export const queuedNotification = (id: string, idempotencyKey = `key-${id}`): NewNotification => ({
  id,
  tenantId: "acme",
  idempotencyKey,
  flowId: "f",
  flowVersion: 1,
  stepId: "s",
  shipmentId: "shp_1",
  orderId: null,
  channel: "email",
  recipient: { address: "ada@example.com" },
  rendered: { text: "hi" },
  status: "queued",
});
