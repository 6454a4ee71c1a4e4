import { createHash } from "node:crypto";
import type { InboundDelivery } from "@trackflow/store";
import type { FastifyRequest } from "fastify";

/** Headers that carry credentials: never stored with a delivery. */
const SECRET_HEADERS = new Set([
  "authorization",
  "cookie",
  "credential",
  "x-trackflow-dhl-token",
  "dhl-api-key",
]);

function storableHeaders(headers: FastifyRequest["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || SECRET_HEADERS.has(name.toLowerCase())) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/**
 * A webhook request as recorded in `inbound_deliveries` (carrier webhooks and provider receipts
 * alike): its raw body and its digest, its headers without credentials, the sender's request id.
 */
export function receivedDelivery(
  request: FastifyRequest,
  raw: Buffer,
  received: Pick<InboundDelivery, "tenantId" | "source" | "outcome" | "httpStatus" | "verified" | "error">,
): InboundDelivery {
  return {
    ...received,
    bodySha256: createHash("sha256").update(raw).digest("hex"),
    body: raw,
    headers: storableHeaders(request.headers),
    deliveryId: (request.headers["x-request-id"] as string | undefined) ?? null,
  };
}
