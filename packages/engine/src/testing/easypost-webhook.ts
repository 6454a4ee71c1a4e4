import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const HAPPY_PATH = readFileSync(
  join(import.meta.dirname, "../../../carriers/src/easypost/fixtures/happy-path.json"),
  "utf8",
);

/** EasyPost's documented tracker.updated delivery (six scans ending in delivered) for `trackingNumber`. */
export function easypostTrackerBody(trackingNumber: string): string {
  const payload = JSON.parse(HAPPY_PATH);
  payload.result.tracking_code = trackingNumber;
  return JSON.stringify(payload);
}

/** The headers EasyPost sends `body` with: JSON, signed with the webhook secret (`X-Hmac-Signature`). */
export function easypostWebhookHeaders(body: string, secret: string): Record<string, string> {
  return {
    "content-type": "application/json",
    "x-hmac-signature": `hmac-sha256-hex=${createHmac("sha256", secret).update(body).digest("hex")}`,
  };
}
