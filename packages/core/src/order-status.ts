import { z } from "zod";

export const ORDER_STATUSES = [
  "received",
  "processing",
  "on_hold",
  "backordered",
  "partially_shipped",
  "shipped",
  "out_for_delivery",
  "partially_delivered",
  "delivered",
  "delayed",
  "exception",
  "returned",
  "cancelled",
] as const;

export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const OrderStatusSchema = z.enum(ORDER_STATUSES);
