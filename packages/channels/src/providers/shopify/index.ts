export * from "./fulfillment-event-status.ts";
export * from "./shopify-api-version.ts";
export * from "./shopify-provider.ts";
