import { z } from "zod";
import { DEFAULT_SEND_TIMEOUT_MS } from "./http-send.ts";

/** An http(s) URL, without a trailing slash. */
export const httpUrlField = z
  .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
  .transform((url) => url.replace(/\/+$/, ""));

/**
 * The provider's API origin: the real service by default, a loopback server or a regional
 * host when configured.
 */
export function baseUrlField(defaultUrl: string) {
  return httpUrlField.default(defaultUrl);
}

/** How long one send waits for the provider's whole answer. */
export const timeoutMsField = z.number().int().min(100).max(60_000).default(DEFAULT_SEND_TIMEOUT_MS);

/** A credential: non-empty, no surrounding whitespace (a pasted key with a newline fails here, not at the provider). */
export function credentialField(what: string) {
  return z
    .string()
    .min(1, `${what} is required`)
    .refine((value) => value.trim() === value, `${what} has leading or trailing whitespace`);
}
