import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { REDACTED_LOG_PATHS } from "./server-log.ts";

describe("structured logs", () => {
  it("never write personal data, keys or secrets", () => {
    let written = "";
    const sink = new Writable({
      write(chunk, _encoding, done) {
        written += chunk;
        done();
      },
    });
    const log = pino({ redact: { paths: REDACTED_LOG_PATHS, censor: "[redacted]" } }, sink);
    log.info(
      {
        req: { headers: { authorization: "Bearer tf_secret_key", cookie: "session=1" } },
        notification: { recipient: { address: "ada@example.com" }, status: "sent" },
        order: { customer: { name: "Ada", email: "ada@example.com", phone: "+14155550101" } },
        channel: { config: { apiKey: "SG.secret" } },
      },
      "request",
    );
    expect(written).not.toMatch(/tf_secret_key|session=1|ada@example\.com|\+14155550101|SG\.secret/);
    expect(written).toContain('"status":"sent"');
    expect(written).toContain("[redacted]");
  });
});
