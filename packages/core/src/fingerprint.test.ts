import { describe, expect, it } from "vitest";
import { eventFingerprint, hash64 } from "./fingerprint.ts";
import { makeEvent } from "./testing/event-factory.ts";

describe("hash64", () => {
  it("is 16 hex digits and stable", () => {
    expect(hash64("abc")).toMatch(/^[0-9a-f]{16}$/);
    expect(hash64("abc")).toBe(hash64("abc"));
  });

  it("has no collision over many near-identical inputs", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200_000; i++)
      seen.add(hash64(`ups\u001f1Z999\u001f\u001fI\u001f2024-03-01T10:${i}\u001f`));
    expect(seen.size).toBe(200_000);
  });
});

describe("eventFingerprint", () => {
  it("is the same for the same scan whatever its wording or location case", () => {
    const loc = { description: null, city: "Louisville", state: "KY", postalCode: null, country: "US" };
    const a = makeEvent({ rawCode: "AR", message: "Arrived", location: loc });
    const b = makeEvent({
      rawCode: "AR",
      message: "Arrived at facility",
      location: { ...loc, city: "LOUISVILLE" },
    });
    expect(eventFingerprint(a)).toBe(eventFingerprint(b));
  });

  it("differs by code, time, piece and place", () => {
    const base = makeEvent({ rawCode: "AR" });
    const variants = [
      makeEvent({ rawCode: "DP" }),
      makeEvent({ rawCode: "AR", at: "2024-03-01T10:01:00Z" }),
      makeEvent({ rawCode: "AR", pieceId: "P2" }),
      makeEvent({
        rawCode: "AR",
        location: { description: null, city: "Memphis", state: null, postalCode: null, country: null },
      }),
    ];
    for (const v of variants) expect(eventFingerprint(v)).not.toBe(eventFingerprint(base));
  });

  it("treats one instant written with different offsets as one scan", () => {
    expect(eventFingerprint(makeEvent({ at: "2024-03-01T10:00:00-05:00" }))).toBe(
      eventFingerprint(makeEvent({ at: "2024-03-01T15:00:00Z" })),
    );
  });

  it("uses the source's own event id where there is one", () => {
    expect(eventFingerprint(makeEvent({ sourceEventId: "cp_1" }))).toBe("test:cp_1");
  });
});
