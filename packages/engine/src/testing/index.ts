export { provisionDeliveredHook } from "./delivered-hook.ts";
export { testEngineFactory } from "./test-engine.ts";
