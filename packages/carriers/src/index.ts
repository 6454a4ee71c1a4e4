export { DHL_PUSH_AUTH_HEADER } from "./dhl/verify.ts";
export * from "./shared/payload-error.ts";
export * from "./shared/signature.ts";
export * from "./shared/status-map.ts";
export * from "./source.ts";
export * from "./sources.ts";
