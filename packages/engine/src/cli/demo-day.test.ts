import { sourceById } from "@trackflow/carriers";
import { describe, expect, it } from "vitest";
import { DEMO_DAY, demoPayload } from "./demo-day.ts";

describe("the demo day", () => {
  it("gives every shipment its own numbers, keeping pieces apart, in payloads the sources still read", async () => {
    const seen = new Set<string>();
    for (const [i, s] of DEMO_DAY.entries()) {
      const { body, trackingNumber } = await demoPayload(s, `123${String(i).padStart(2, "0")}`);
      expect(seen.has(trackingNumber), `${s.source}/${s.fixture}`).toBe(false);
      seen.add(trackingNumber);
      const events = sourceById(s.source)!.parse(JSON.parse(body));
      expect(events.length).toBeGreaterThan(0);
      expect(new Set(events.map((e) => e.trackingNumber))).toEqual(new Set([trackingNumber]));
    }
    const multi = await demoPayload(DEMO_DAY[0]!, "12300");
    const pieces = new Set(
      sourceById("ups")!
        .parse(JSON.parse(multi.body))
        .map((e) => e.pieceId),
    );
    expect(pieces.size).toBe(2);
  });
});
