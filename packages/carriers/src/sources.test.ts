import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { foldEvents, ShipmentEventSchema } from "@trackflow/core";
import { describe, expect, it } from "vitest";
import { PayloadError } from "./shared/payload-error.ts";
import { CARRIER_SOURCES, SOURCE_IDS, sourceById } from "./sources.ts";

const fixtures = (id: string) =>
  readdirSync(join(import.meta.dirname, id, "fixtures"))
    .filter((f) => f.endsWith(".json"))
    .map((f) => ({
      file: f,
      payload: JSON.parse(readFileSync(join(import.meta.dirname, id, "fixtures", f), "utf8")),
    }));

/** Copies of `payload`, each with one of its values (at any depth) replaced by one of another JSON type. */
function wrongTypeVariants(payload: unknown): unknown[] {
  const variants: unknown[] = [];
  const walk = (value: unknown, replace: (v: unknown) => unknown) => {
    variants.push(replace(typeof value === "string" ? 42 : "wrong"));
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        walk(item, (v) => replace(value.map((x, j) => (j === i ? v : x))));
      });
    } else if (value !== null && typeof value === "object") {
      for (const key of Object.keys(value)) {
        walk((value as Record<string, unknown>)[key], (v) => replace({ ...value, [key]: v }));
      }
    }
  };
  walk(payload, (v) => v);
  return variants;
}

describe("carrier sources", () => {
  it("registers the seven sources by id", () => {
    expect(SOURCE_IDS).toEqual(["easypost", "shippo", "aftership", "ups", "fedex", "dhl", "usps"]);
    expect(sourceById("ups")?.name).toBeTruthy();
    expect(sourceById("nope")).toBeUndefined();
  });

  describe.each(CARRIER_SOURCES.map((s) => [s.id, s] as const))("%s", (id, source) => {
    it("turns every fixture into valid events or a PayloadError naming the source", () => {
      for (const { file, payload } of fixtures(id)) {
        try {
          for (const e of source.parse(payload)) {
            expect(ShipmentEventSchema.safeParse(e).success, `${file}`).toBe(true);
            expect(e.source).toBe(id);
          }
        } catch (error) {
          expect(error, file).toBeInstanceOf(PayloadError);
          expect((error as Error).message.startsWith(`${id}: `)).toBe(true);
        }
      }
    });

    it.each([[null], [42], ["text"], [[]], [{}]])(
      "refuses %j with a PayloadError that names the source",
      (payload) => {
        const attempt = () => source.parse(payload);
        if (id === "easypost" || id === "shippo" || id === "aftership") {
          // envelopes that are not tracking events are accepted and yield nothing; non-objects are errors
          if (payload !== null && typeof payload === "object" && !Array.isArray(payload)) return;
        }
        expect(attempt).toThrow(PayloadError);
        expect(attempt).toThrow(new RegExp(`^${id}: `));
      },
    );

    it("checks a payload's shape as parse does: what check refuses, parse refuses alike; what parse takes, check takes", () => {
      const outcome = (run: () => unknown) => {
        try {
          run();
          return null;
        } catch (error) {
          expect(error).toBeInstanceOf(PayloadError);
          return (error as Error).message;
        }
      };
      let refusedByCheck = 0;
      for (const { file, payload } of fixtures(id)) {
        // the fixture, and every variant of it with one value of the wrong type
        for (const variant of [payload, ...wrongTypeVariants(payload)]) {
          const checked = outcome(() => source.check(variant));
          const parsed = outcome(() => source.parse(variant));
          if (checked === null) continue; // parse may still find a value it cannot read
          refusedByCheck++;
          expect(parsed, `${file}: ${checked}`).toBe(checked);
        }
      }
      expect(refusedByCheck).toBeGreaterThan(0);
      for (const payload of [null, 42, "text", []]) {
        expect(outcome(() => source.check(payload))).toBe(outcome(() => source.parse(payload)));
      }
    });

    it("never invents a Z: a naive timestamp stays without offset", () => {
      for (const { payload } of fixtures(id)) {
        let events: ReturnType<typeof source.parse> = [];
        try {
          events = source.parse(payload);
        } catch {
          continue;
        }
        for (const e of events) if (e.occurredAt.offset === null) expect(e.occurredAt.utc).toBeNull();
      }
    });

    it("folds each fixture into a shipment without error", () => {
      for (const { payload } of fixtures(id)) {
        let events: ReturnType<typeof source.parse> = [];
        try {
          events = source.parse(payload);
        } catch {
          continue;
        }
        const byNumber = Map.groupBy(events, (e) => e.trackingNumber);
        for (const group of byNumber.values()) expect(foldEvents(group).timeline.length).toBeGreaterThan(0);
      }
    });
  });
});
