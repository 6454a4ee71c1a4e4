import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const FIXTURE = join(import.meta.dirname, "../../../packages/carriers/src/easypost/fixtures/happy-path.json");
/** the tracking number of the fixture, rewritten in every delivery */
const FIXTURE_TRACKING = "1Z999AA10123456784";

/** One signed EasyPost webhook delivery, ready to POST. */
export interface SignedDelivery {
  trackingNumber: string;
  body: Buffer;
  headers: Record<string, string>;
}

/** EasyPost's documented `X-Hmac-Signature`: HMAC-SHA256 hex of the raw body, NFKD-normalised key. */
export function easypostSignature(body: Buffer, secret: string): string {
  return `hmac-sha256-hex=${createHmac("sha256", secret.normalize("NFKD")).update(body).digest("hex")}`;
}

/**
 * Realistic deliveries from EasyPost's documented `tracker.updated` Event (the whole history of
 * a UPS tracker: six scans ending in delivered), each for a tracking number never used before,
 * `<prefix><sequence>`, and signed for it: every one is a real ingest, none a duplicate.
 */
export function easypostDeliveries(secret: string, prefix: string): { next(): SignedDelivery } {
  const parts = readFileSync(FIXTURE, "utf8").split(FIXTURE_TRACKING);
  if (parts.length !== 2) throw new Error(`${FIXTURE} should name ${FIXTURE_TRACKING} exactly once`);
  let sequence = 0;
  return {
    next() {
      sequence++;
      const trackingNumber = `${prefix}${String(sequence).padStart(10, "0")}`;
      const body = Buffer.from(parts.join(trackingNumber), "utf8");
      return {
        trackingNumber,
        body,
        headers: {
          "content-type": "application/json",
          "user-agent": "EasyPost WebHook Agent 1.0",
          "x-hmac-signature": easypostSignature(body, secret),
        },
      };
    },
  };
}
