export { testEngineFactory } from "./test-engine.ts";
