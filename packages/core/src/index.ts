export * from "./event-time.ts";
export * from "./fingerprint.ts";
export * from "./order-status.ts";
export * from "./reason.ts";
export * from "./shipment-event.ts";
export * from "./shipment-status.ts";
