import type { SendResult } from "./channel-provider.ts";

export function sentResult(providerMessageId: string | null, statusCode: number | null): SendResult {
  return { outcome: "sent", providerMessageId, statusCode };
}

export function retryableResult(
  error: string,
  statusCode: number | null,
  retryAfterMs: number | null = null,
): SendResult {
  return { outcome: "retryable", error, statusCode, retryAfterMs };
}

export function finalResult(error: string, statusCode: number | null): SendResult {
  return { outcome: "final", error, statusCode };
}
