import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sourceById } from "@trackflow/carriers";
import type { FlowDefinitionInput } from "@trackflow/core";
import { describe, expect, it } from "vitest";
import { CUSTOMER_DEFAULT_FLOWS, DEFAULT_FLOWS, defaultFlowTemplateIds } from "./default-flows.ts";
import { isDefaultTemplateId } from "./default-templates.ts";
import { type SimulatedMessage, SimulationInputError, simulateFlows } from "./simulate-flows.ts";
import { NAMED_TIMELINE_NAMES } from "./synthetic-timelines.ts";

const FIXTURES = join(import.meta.dirname, "../../../carriers/src");
const fixture = (source: string, name: string) =>
  JSON.parse(readFileSync(join(FIXTURES, source, "fixtures", `${name}.json`), "utf8"));

const flows = DEFAULT_FLOWS.map((f) => f.definition);
const tenant = {
  name: "Acme Goods",
  settings: { timeZone: "Europe/Berlin", staffLists: { ops: ["ops@acme.example"] } },
};
const customer = { name: "Ada", email: "ada@example.com", locale: "en" };

/** "at flow → to" lines, the digest of a run. */
const lines = (messages: SimulatedMessage[]) =>
  messages.map(
    (m) =>
      `${m.at.slice(0, 16)} ${m.flowId} → ${m.to}${m.held ? " held" : ""}${m.throttled ? " throttled" : ""}${m.suppressed ? " suppressed" : ""}${m.digested ? " digested" : ""}`,
  );

const run = (named: string, extra: Partial<Parameters<typeof simulateFlows>[0]> = {}) =>
  simulateFlows({ flows, timeline: { named }, customer, tenant, ...extra });

describe("the default flows", () => {
  it("use only built-in templates, and first start gets the customer-facing ones", () => {
    expect(defaultFlowTemplateIds().filter((id) => !isDefaultTemplateId(id))).toEqual([]);
    expect(CUSTOMER_DEFAULT_FLOWS.map((f) => f.id)).toEqual([
      "default-shipped",
      "default-out-for-delivery",
      "default-available-for-pickup",
      "default-delivered",
      "default-failed-attempt",
      "default-delayed",
      "default-exception",
      "default-returning-to-sender",
      "default-returned",
    ]);
    const staff = DEFAULT_FLOWS.find((f) => f.definition.id === "default-staff-exceptions")!.definition;
    expect(staff).toMatchObject({ critical: true, steps: [{ channel: "email", to: { staff: "ops" } }] });
    const summary = DEFAULT_FLOWS.find((f) => f.definition.id === "default-daily-summary")!.definition;
    expect(summary.trigger).toEqual({ type: "schedule", cron: "0 8 * * *" });
  });
});

describe("simulateFlows on the named timelines with the default flows", () => {
  it("has a run for every named timeline, each ending with the shipments' final status", () => {
    expect(NAMED_TIMELINE_NAMES).toEqual([
      "happy-path",
      "delayed",
      "failed-attempt-then-delivered",
      "return-to-sender",
      "customs-hold",
      "split-shipment",
    ]);
    for (const name of NAMED_TIMELINE_NAMES) {
      const r = run(name);
      expect(r.messages.length, name).toBeGreaterThan(2);
      const times = r.messages.map((m) => Date.parse(m.at));
      expect(times, name).toEqual([...times].sort((a, b) => a - b));
    }
  });

  it("happy-path: shipped, out for delivery, delivered, rendered for the customer; summaries at 08:00", () => {
    const r = run("happy-path");
    expect(lines(r.messages)).toEqual([
      "2026-03-02T17:40 default-shipped → ada@example.com",
      "2026-03-03T07:00 default-daily-summary → ops@acme.example",
      "2026-03-04T07:00 default-daily-summary → ops@acme.example",
      "2026-03-05T06:55 default-out-for-delivery → ada@example.com",
      "2026-03-05T07:00 default-daily-summary → ops@acme.example",
      "2026-03-05T12:20 default-delivered → ada@example.com",
      "2026-03-06T07:00 default-daily-summary → ops@acme.example",
    ]);
    const [shipped] = r.messages;
    expect(shipped).toMatchObject({
      flowVersion: 1,
      stepId: "email",
      channel: "email",
      channelKind: "email",
      trigger: "shipment_status",
      subject: "Your order 1001 is on its way",
      why: "shipment info_received → in_transit (carrier_handover) (event 'Picked up by the carrier', 2026-03-02T18:40:00+01:00)",
      shipment: { carrier: "ups", trackingNumber: "1ZSIM00000000001" },
    });
    expect(shipped!.text).toMatch(/^Hi Ada,/);
    expect(shipped!.text).toContain("It should arrive on Thursday, March 5");
    expect(shipped!.html).toContain("<html");
    const summary = r.messages.find((m) => m.flowId === "default-daily-summary")!;
    expect(summary.subject).toBe("[Acme Goods] Shipments on Mar 3, 2026: 1");
    expect(summary.text).toContain("In transit (1)");
    expect(r.shipments).toEqual([
      { carrier: "ups", trackingNumber: "1ZSIM00000000001", status: "delivered", events: 5 },
    ]);
  });

  it("delayed: the missed date found by the periodic check, the stall throttled for the customer but not for staff", () => {
    const r = run("delayed", { flows: flows.filter((f) => f.id !== "default-daily-summary") });
    expect(lines(r.messages)).toEqual([
      "2026-03-02T17:40 default-shipped → ada@example.com",
      "2026-03-05T12:01 default-delayed → ada@example.com",
      "2026-03-05T12:01 default-staff-exceptions → ops@acme.example",
      "2026-03-05T22:06 default-delayed → ada@example.com throttled",
      "2026-03-05T22:06 default-staff-exceptions → ops@acme.example",
      "2026-03-06T06:30 default-out-for-delivery → ada@example.com",
      "2026-03-06T11:10 default-delivered → ada@example.com",
    ]);
    const delayed = r.messages[1]!;
    expect(delayed).toMatchObject({
      trigger: "exception",
      subject: "Your order 1001 is delayed",
      why: "exception delivery_date_missed: estimated delivery 2026-03-04T00:00:00 has passed (found by the periodic check)",
    });
    expect(r.messages[3]!.reason).toBe('throttle "once-in-3-days": at most 1 per shipment in 3d');
    expect(r.messages[4]!.subject).toBe("[Acme Goods] No scans: UPS 1ZSIM00000000001");
  });

  it("failed-attempt-then-delivered: the attempt to the customer and to staff, then out for delivery again", () => {
    const r = run("failed-attempt-then-delivered", {
      flows: flows.filter((f) => f.id !== "default-daily-summary"),
    });
    expect(lines(r.messages)).toEqual([
      "2026-03-02T17:40 default-shipped → ada@example.com",
      "2026-03-04T07:05 default-out-for-delivery → ada@example.com",
      "2026-03-04T13:30 default-failed-attempt → ada@example.com",
      "2026-03-04T13:30 default-staff-exceptions → ops@acme.example",
      "2026-03-05T07:10 default-out-for-delivery → ada@example.com",
      "2026-03-05T11:45 default-delivered → ada@example.com",
    ]);
    expect(r.messages[2]!.text).toContain('The carrier says: "Delivery attempted: no one available to sign"');
  });

  it("return-to-sender: failed, returning (no delay apology while it goes back), returned", () => {
    const r = run("return-to-sender", { flows: flows.filter((f) => f.id !== "default-daily-summary") });
    expect(lines(r.messages)).toEqual([
      "2026-03-02T17:40 default-shipped → ada@example.com",
      "2026-03-04T07:05 default-out-for-delivery → ada@example.com",
      "2026-03-04T10:20 default-failed-attempt → ada@example.com",
      "2026-03-04T10:20 default-staff-exceptions → ops@acme.example",
      "2026-03-05T08:00 default-returning-to-sender → ada@example.com",
      "2026-03-05T08:00 default-staff-exceptions → ops@acme.example",
      "2026-03-08T08:01 default-staff-exceptions → ops@acme.example",
      "2026-03-09T09:30 default-returned → ada@example.com",
    ]);
  });

  it("customs-hold: the problem to the customer, the hold to staff, on its way again when released", () => {
    const r = run("customs-hold", { flows: flows.filter((f) => f.id !== "default-daily-summary") });
    expect(lines(r.messages)).toEqual([
      "2026-03-02T17:40 default-shipped → ada@example.com",
      "2026-03-03T09:00 default-exception → ada@example.com",
      "2026-03-03T09:00 default-staff-exceptions → ops@acme.example",
      "2026-03-04T14:45 default-shipped → ada@example.com",
      "2026-03-05T06:50 default-out-for-delivery → ada@example.com",
      "2026-03-05T10:05 default-delivered → ada@example.com",
    ]);
    expect(r.messages[2]!.subject).toBe("[Acme Goods] Held in customs: UPS 1ZSIM00000000001");
  });

  it("split-shipment: each parcel's milestones, named by tracking number", () => {
    const r = run("split-shipment", { flows: flows.filter((f) => f.id !== "default-daily-summary") });
    expect(r.messages.map((m) => `${m.flowId} ${m.shipment?.trackingNumber}`)).toEqual([
      "default-shipped 1ZSIM00000000001",
      "default-shipped 1ZSIM00000000002",
      "default-out-for-delivery 1ZSIM00000000001",
      "default-delivered 1ZSIM00000000001",
      "default-out-for-delivery 1ZSIM00000000002",
      "default-delivered 1ZSIM00000000002",
    ]);
    expect(r.messages[1]!.why).toMatch(/^shipment 1ZSIM00000000002 info_received → in_transit/);
    expect(r.shipments.map((s) => s.status)).toEqual(["delivered", "delivered"]);
  });
});

describe("simulateFlows", () => {
  const customerFlows = CUSTOMER_DEFAULT_FLOWS;

  it("holds a customer's message through quiet hours, in their time zone, but not a critical one", () => {
    const r = simulateFlows({
      flows,
      timeline: { named: "customs-hold" },
      customer: { ...customer, timeZone: "America/New_York" },
      tenant: { ...tenant, settings: { ...tenant.settings, quietHours: { from: "21:00", to: "08:00" } } },
    });
    // 10:00 in Berlin is 04:00 in New York: held until 08:00 there (13:00 UTC)
    const exception = r.messages.find((m) => m.flowId === "default-exception")!;
    expect(exception).toMatchObject({
      at: "2026-03-03T13:00:00.000Z",
      changedAt: "2026-03-03T09:00:00.000Z",
      held: true,
      reason: "quiet hours 21:00–08:00 (America/New_York)",
    });
    const staff = r.messages.find((m) => m.flowId === "default-staff-exceptions")!;
    expect(staff).toMatchObject({ at: "2026-03-03T09:00:00.000Z" });
    expect(staff.held).toBeUndefined();
  });

  it("throttles within the run: one message per recipient per window", () => {
    const flow: FlowDefinitionInput = {
      id: "every-status",
      name: "Every status, at most once a day",
      trigger: { type: "shipment_status" },
      steps: [
        { id: "daily", type: "throttle", per: "recipient", max: 1, window: "1d" },
        { id: "email", type: "notify", channel: "email", to: "customer", template: "shipment_status" },
      ],
    };
    const r = simulateFlows({ flows: [flow], timeline: { named: "happy-path" }, customer, tenant });
    expect(lines(r.messages)).toEqual([
      "2026-03-02T08:15 every-status → ada@example.com",
      "2026-03-02T17:40 every-status → ada@example.com throttled",
      "2026-03-05T06:55 every-status → ada@example.com",
      "2026-03-05T12:20 every-status → ada@example.com throttled",
    ]);
  });

  it("collects a split shipment's changes into one digest per order, sent at its due time", () => {
    const flow: FlowDefinitionInput = {
      id: "parcels",
      name: "Parcel digest",
      trigger: { type: "shipment_status", statuses: ["in_transit", "delivered"] },
      steps: [
        { id: "wait", type: "delay", duration: "1h" },
        {
          id: "digest",
          type: "digest",
          per: "order",
          window: "2d",
          channel: "email",
          to: "customer",
          template: "parcel_digest",
        },
      ],
    };
    const r = simulateFlows({
      flows: [flow],
      timeline: { named: "split-shipment" },
      customer,
      tenant,
      templates: [
        {
          id: "parcel_digest",
          subject: "{{ digest.count }} updates on order {{ order.number }}",
          text: "{% for item in digest.items %}{{ item.shipment.trackingNumber }}: {{ item.shipment.statusText }}\n{% endfor %}",
        },
      ],
    });
    // opened by the first parcel's pickup (17:40 + 1 h delay), due two days later
    expect(lines(r.messages)).toEqual([
      "2026-03-04T18:40 parcels → ada@example.com digested",
      "2026-03-07T14:00 parcels → ada@example.com digested",
    ]);
    expect(r.messages[0]).toMatchObject({
      subject: "3 updates on order 1001",
      reason: "collected 3 changes until 2026-03-04T18:40:00.000Z",
    });
    expect(r.messages[0]!.text).toContain(
      "1ZSIM00000000001: in transit\n1ZSIM00000000002: in transit\n1ZSIM00000000001: delivered",
    );
    expect(r.messages[1]!.subject).toBe("1 updates on order 1001");
  });

  it("delays by business days in the tenant's time zone", () => {
    const flow: FlowDefinitionInput = {
      id: "review",
      name: "Ask for a review",
      trigger: { type: "shipment_status", statuses: ["delivered"] },
      steps: [
        { id: "wait", type: "delay", businessDays: 2 },
        { id: "email", type: "notify", channel: "email", to: "customer", template: "shipment_delivered" },
      ],
    };
    const r = simulateFlows({ flows: [flow], timeline: { named: "happy-path" }, customer, tenant });
    // delivered Thursday 13:20: two business days later is Monday 13:20
    expect(r.messages).toEqual([
      expect.objectContaining({ at: "2026-03-09T12:20:00.000Z", reason: "after 2 business days" }),
    ]);
  });

  it("never notifies for stale events: a backfill tells the customer only where the parcel is now", () => {
    const at = (day: string, status: string) => ({
      at: `2026-03-0${day}+01:00`,
      status,
      receivedAt: "2026-03-05T14:00:00+01:00",
    });
    const timeline = [
      at("2T09:15:00", "info_received"),
      at("2T18:40:00", "in_transit"),
      at("5T07:55:00", "out_for_delivery"),
      at("5T13:20:00", "delivered"),
    ];
    const fresh = simulateFlows({ flows: customerFlows, timeline, customer, tenant });
    expect(lines(fresh.messages)).toEqual(["2026-03-05T13:00 default-delivered → ada@example.com"]);
    const stale = simulateFlows({
      flows: customerFlows,
      timeline: timeline.map((e) => ({ ...e, receivedAt: "2026-03-07T14:00:00+01:00" })),
      customer,
      tenant: { ...tenant, settings: { ...tenant.settings, staleEventHours: 24 } },
    });
    expect(lines(stale.messages)).toEqual([
      "2026-03-07T13:00 default-delivered → ada@example.com suppressed",
    ]);
    expect(stale.messages[0]!.reason).toMatch(
      /^stale: the event is 48 hours old when it arrives \(limit 24\)/,
    );
  });

  it("reads a carrier fixture through {source, payloads} with that source's parser", () => {
    const r = simulateFlows({
      flows: customerFlows,
      timeline: { source: "easypost", payloads: [fixture("easypost", "happy-path")] },
      customer,
      tenant,
    });
    expect(r.shipments).toEqual([
      { carrier: "ups", trackingNumber: "1Z999AA10123456784", status: "delivered", events: 6 },
    ]);
    expect(lines(r.messages)).toEqual([
      "2024-03-04T18:45 default-shipped → ada@example.com",
      "2024-03-07T08:02 default-out-for-delivery → ada@example.com",
      "2024-03-07T13:47 default-delivered → ada@example.com",
    ]);
    expect(r.messages[0]!.why).toBe(
      "shipment info_received → in_transit (carrier_handover) (event 'Pickup Scan', 2024-03-04T18:45:00)",
    );
  });

  it("takes normalised events as they are", () => {
    const events = sourceById("easypost")!.parse(fixture("easypost", "happy-path"));
    const r = simulateFlows({ flows: customerFlows, timeline: events, customer, tenant });
    expect(r.messages.map((m) => m.flowId)).toEqual([
      "default-shipped",
      "default-out-for-delivery",
      "default-delivered",
    ]);
  });

  it("says which message has no recipient, and uses the tenant's own template in the customer's language", () => {
    const r = simulateFlows({
      flows: customerFlows,
      timeline: { named: "happy-path" },
      customer: { name: "Jo", email: "jo@example.de", locale: "de-AT" },
      tenant: { name: "Acme" },
      templates: [
        {
          id: "shipment_delivered",
          locale: "de",
          subject: "Da! {{ order.number }}",
          text: "Hallo {{ customer.name }}",
        },
      ],
    });
    const delivered = r.messages.find((m) => m.flowId === "default-delivered")!;
    expect(delivered.subject).toBe("Da! 1001");
    expect(delivered.text).toMatch(/^Hallo Jo/);
    const staff = simulateFlows({
      flows,
      timeline: { named: "customs-hold" },
      customer,
      tenant: { name: "Acme" },
    });
    expect(staff.messages.find((m) => m.flowId === "default-staff-exceptions")).toMatchObject({
      to: "",
      suppressed: true,
      reason: "no recipient address for this channel",
    });
  });

  it("names the field of bad input", () => {
    const bad = (input: Partial<Parameters<typeof simulateFlows>[0]>) => {
      try {
        simulateFlows({ flows, timeline: { named: "happy-path" }, ...input });
      } catch (error) {
        expect(error).toBeInstanceOf(SimulationInputError);
        return (error as SimulationInputError).field;
      }
      throw new Error("no error");
    };
    expect(bad({ timeline: { named: "teleport" } })).toBe("timeline.named");
    expect(bad({ timeline: [{ at: "2026-03-02T09:15:00+01:00", status: "teleported" }] })).toBe(
      "timeline.0.status",
    );
    expect(bad({ timeline: [{ at: "yesterday", status: "delivered" }] })).toBe("timeline.0.at");
    expect(bad({ timeline: { source: "pigeon", payloads: [{}] } })).toBe("timeline.source");
    expect(bad({ timeline: { source: "easypost", payloads: [{ nope: 1 }] } })).toBe("timeline.payloads.0");
    expect(bad({ timeline: [] })).toBe("timeline");
    expect(bad({ timeline: 42 as never })).toBe("timeline");
    expect(bad({ flows: [{ id: "x", name: "x", trigger: { type: "shipment_status" }, steps: [] }] })).toBe(
      "flows.0.steps",
    );
  });
});
