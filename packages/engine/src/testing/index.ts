export { provisionDeliveredHook } from "./delivered-hook.ts";
export { easypostTrackerBody, easypostWebhookHeaders } from "./easypost-webhook.ts";
export { testEngineFactory } from "./test-engine.ts";
