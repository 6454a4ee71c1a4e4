import { createHash } from "node:crypto";
import type { InboundDelivery } from "../repositories/inbound-deliveries.ts";

/**
 * A verified EasyPost delivery of tenant "acme" carrying `body`, queued in the inbox as the
 * webhook route records one under load; `overrides` changes any field (tenant, outcome, …).
 */
export function inboundDelivery(body: string, overrides: Partial<InboundDelivery> = {}): InboundDelivery {
  const bytes = Buffer.from(body);
  return {
    tenantId: "acme",
    source: "easypost",
    verified: true,
    outcome: "queued",
    httpStatus: 202,
    error: null,
    bodySha256: createHash("sha256").update(bytes).digest("hex"),
    body: bytes,
    headers: { "content-type": "application/json" },
    deliveryId: null,
    ...overrides,
  };
}
