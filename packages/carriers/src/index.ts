export * from "./shared/payload-error.ts";
export * from "./shared/signature.ts";
export * from "./shared/status-map.ts";
export * from "./source.ts";
