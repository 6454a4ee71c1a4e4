import { describe, expect, it } from "vitest";
import type { StatusTransition } from "./apply-event.ts";
import { type FlowDefinitionInput, FlowDefinitionSchema } from "./flow-definition.ts";
import {
  type FlowChange,
  type FlowContext,
  planFlowSteps,
  stepsToPerform,
  type VersionedFlow,
} from "./flow-evaluation.ts";

const flow = (
  def: Partial<FlowDefinitionInput> & Pick<FlowDefinitionInput, "trigger">,
  version = 1,
): VersionedFlow => ({
  version,
  definition: FlowDefinitionSchema.parse({
    id: "f1",
    name: "Flow",
    steps: [{ id: "email", type: "notify", channel: "email", to: "customer", template: "delivered" }],
    ...def,
  }),
});

const transition = (over: Partial<StatusTransition> = {}): StatusTransition => ({
  scope: "shipment",
  pieceId: null,
  from: "out_for_delivery",
  to: "delivered",
  fromReason: null,
  reason: null,
  actionRequired: false,
  fingerprint: "fp1",
  ...over,
});

const change = (over: Partial<StatusTransition> = {}): FlowChange => ({
  kind: "shipment_status",
  transition: transition(over),
  key: `status:${over.to ?? "delivered"}:${over.fingerprint ?? "fp1"}`,
});

const ctx: FlowContext = {
  carrier: "ups",
  destinationCountry: "DE",
  orderTags: ["vip"],
  orderValue: 120,
  consent: {},
  shipmentStatus: "in_transit",
};

describe("FlowDefinitionSchema", () => {
  it("names the field and the problem of a bad flow", () => {
    const r = FlowDefinitionSchema.safeParse({
      id: "Bad Id",
      name: "x",
      trigger: { type: "shipment_status", statuses: ["teleported"] },
      steps: [],
    });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["id", "trigger.statuses.0", "steps"]));
  });

  it("refuses two steps with one id", () => {
    const r = FlowDefinitionSchema.safeParse({
      id: "f",
      name: "x",
      trigger: { type: "manual" },
      steps: [
        { id: "a", type: "webhook", channel: "zap" },
        { id: "a", type: "webhook", channel: "zap" },
      ],
    });
    expect(r.error?.issues[0]).toMatchObject({ path: ["steps"], message: 'duplicate step id "a"' });
  });

  it("refuses a repeated step id inside a branch, and a digest or delay without its one setting", () => {
    const r = FlowDefinitionSchema.safeParse({
      id: "f",
      name: "x",
      trigger: { type: "manual" },
      steps: [
        { id: "a", type: "webhook", channel: "zap" },
        {
          id: "b",
          type: "branch",
          if: [{ field: "order_tag", has: "vip" }],
          do: [{ id: "a", type: "webhook", channel: "zap" }],
        },
        { id: "d", type: "delay", duration: "2h", businessDays: 1 },
        { id: "g", type: "digest", per: "order", channel: "email", to: "customer", template: "t" },
      ],
    });
    const messages = r.error!.issues.map((i) => i.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'duplicate step id "a"',
        "give exactly one of duration or businessDays",
        "give exactly one of window or untilCron",
      ]),
    );
  });

  it("refuses a scheduled flow that would message a customer it does not have", () => {
    const r = FlowDefinitionSchema.safeParse({
      id: "f",
      name: "x",
      trigger: { type: "schedule", cron: "0 8 * * *" },
      steps: [{ id: "mail", type: "notify", channel: "email", to: "customer", template: "t" }],
    });
    expect(r.error?.issues[0]?.message).toMatch(/scheduled flow has no shipment or order/);
  });

  it("names what is wrong with a cron expression or a time zone", () => {
    const r = FlowDefinitionSchema.safeParse({
      id: "f",
      name: "x",
      trigger: { type: "schedule", cron: "0 25 * * *", timeZone: "Mars/Olympus" },
      steps: [{ id: "s", type: "notify", channel: "slack", to: { address: "#ops" }, template: "t" }],
    });
    const byPath = Object.fromEntries(r.error!.issues.map((i) => [i.path.join("."), i.message]));
    expect(byPath["trigger.cron"]).toMatch(/not a cron expression/);
    expect(byPath["trigger.timeZone"]).toMatch(/IANA time zone/);
  });
});

describe("steps to perform", () => {
  const steps = FlowDefinitionSchema.parse({
    id: "f",
    name: "x",
    trigger: { type: "manual" },
    steps: [
      { id: "wait", type: "delay", duration: "2h" },
      { id: "once", type: "throttle", per: "recipient", max: 1, window: "1d" },
      {
        id: "vip",
        type: "branch",
        if: [{ field: "order_tag", has: "vip" }],
        do: [{ id: "sms", type: "notify", channel: "sms", to: "customer", template: "t" }],
        else: [{ id: "mail", type: "notify", channel: "email", to: "customer", template: "t" }],
      },
      { id: "later", type: "delay", businessDays: 2 },
      { id: "ticket", type: "ticket", channel: "zendesk", template: "t" },
    ],
  }).steps;

  it("takes the branch whose conditions hold, carrying the delays and throttles before each step", () => {
    const vip = stepsToPerform(steps, ctx);
    expect(vip.map((s) => [s.step.id, s.delays.map((d) => d.id), s.throttles.map((t) => t.id)])).toEqual([
      ["sms", ["wait"], ["once"]],
      ["ticket", ["wait", "later"], ["once"]],
    ]);
    const other = stepsToPerform(steps, { ...ctx, orderTags: [] });
    expect(other.map((s) => s.step.id)).toEqual(["mail", "ticket"]);
  });

  it("reads consent and the shipment's status in conditions", () => {
    const f = flow({
      trigger: { type: "manual" },
      conditions: [
        { field: "consent", channel: "sms" },
        { field: "shipment_status", in: ["in_transit", "out_for_delivery"] },
      ],
    });
    const manual: FlowChange = { kind: "manual", key: "m1" };
    expect(planFlowSteps("t", "s", [f], manual, ctx)).toHaveLength(0);
    expect(planFlowSteps("t", "s", [f], manual, { ...ctx, consent: { sms: true } })).toHaveLength(1);
    expect(
      planFlowSteps("t", "s", [f], manual, { ...ctx, consent: { sms: true }, shipmentStatus: "delivered" }),
    ).toHaveLength(0);
  });

  it("fires a scheduled flow on its own occurrences only, and receipt flows on their statuses and channels", () => {
    const scheduled = flow({
      id: "daily",
      trigger: { type: "schedule", cron: "0 8 * * *" },
      steps: [{ id: "s", type: "notify", channel: "slack", to: { address: "#ops" }, template: "t" }],
    });
    expect(
      planFlowSteps("t", "x", [scheduled], { kind: "schedule", flowId: "daily", key: "k" }, ctx),
    ).toHaveLength(1);
    expect(
      planFlowSteps("t", "x", [scheduled], { kind: "schedule", flowId: "other", key: "k" }, ctx),
    ).toHaveLength(0);
    const bounce = flow({
      trigger: { type: "delivery_receipt", statuses: ["bounced"], channels: ["email"] },
    });
    const receipt = (status: "bounced" | "delivered", channel: string): FlowChange => ({
      kind: "delivery_receipt",
      status,
      channel,
      notificationId: "n1",
      key: `r:${status}:${channel}`,
    });
    expect(planFlowSteps("t", "x", [bounce], receipt("bounced", "email"), ctx)).toHaveLength(1);
    expect(planFlowSteps("t", "x", [bounce], receipt("delivered", "email"), ctx)).toHaveLength(0);
    expect(planFlowSteps("t", "x", [bounce], receipt("bounced", "sms"), ctx)).toHaveLength(0);
  });
});

describe("planFlowSteps", () => {
  const delivered = flow({ trigger: { type: "shipment_status", statuses: ["delivered"] } });

  it("plans the steps of a flow whose trigger matches", () => {
    const planned = planFlowSteps("t1", "shipment:s1", [delivered], change(), ctx);
    expect(planned).toEqual([expect.objectContaining({ flowId: "f1", flowVersion: 1, critical: false })]);
    expect(planned[0]!.step).toMatchObject({ id: "email", type: "notify" });
  });

  it("plans nothing for another status, a disabled flow, or a piece-level change", () => {
    expect(planFlowSteps("t1", "shipment:s1", [delivered], change({ to: "in_transit" }), ctx)).toEqual([]);
    const off = flow({ enabled: false, trigger: { type: "shipment_status", statuses: ["delivered"] } });
    expect(planFlowSteps("t1", "shipment:s1", [off], change(), ctx)).toEqual([]);
    expect(
      planFlowSteps("t1", "shipment:s1", [delivered], change({ scope: "piece", pieceId: "P1" }), ctx),
    ).toEqual([]);
  });

  it("fires on a reason change only for flows that ask for reasons", () => {
    const sameStatus = change({
      from: "exception",
      to: "exception",
      fromReason: "weather",
      reason: "customs_hold",
    });
    const anyStatus = flow({ trigger: { type: "shipment_status" } });
    const customs = flow({ trigger: { type: "shipment_status", reasons: ["customs_hold"] } });
    expect(planFlowSteps("t1", "s", [anyStatus], sameStatus, ctx)).toEqual([]);
    expect(planFlowSteps("t1", "s", [customs], sameStatus, ctx)).toHaveLength(1);
  });

  it("derives the same idempotency key for the same change, and another for another change or version", () => {
    const a = planFlowSteps("t1", "shipment:s1", [delivered], change(), ctx)[0]!.idempotencyKey;
    expect(planFlowSteps("t1", "shipment:s1", [delivered], change(), ctx)[0]!.idempotencyKey).toBe(a);
    expect(
      planFlowSteps("t1", "shipment:s1", [delivered], change({ fingerprint: "fp2" }), ctx)[0]!.idempotencyKey,
    ).not.toBe(a);
    const v2 = flow({ trigger: { type: "shipment_status", statuses: ["delivered"] } }, 2);
    expect(planFlowSteps("t1", "shipment:s1", [v2], change(), ctx)[0]!.idempotencyKey).not.toBe(a);
    expect(planFlowSteps("t2", "shipment:s1", [delivered], change(), ctx)[0]!.idempotencyKey).not.toBe(a);
  });

  it.each<[string, FlowDefinitionInput["conditions"], boolean]>([
    ["carrier in", [{ field: "carrier", in: ["ups", "fedex"] }], true],
    ["carrier not in", [{ field: "carrier", notIn: ["ups"] }], false],
    ["destination country", [{ field: "destination_country", in: ["FR"] }], false],
    ["order tag", [{ field: "order_tag", has: "vip" }], true],
    ["order value range", [{ field: "order_value", min: 100, max: 200 }], true],
    [
      "all conditions must hold",
      [
        { field: "order_tag", has: "vip" },
        { field: "order_value", min: 500 },
      ],
      false,
    ],
  ])("condition: %s", (_name, conditions, fires) => {
    const f = flow({ trigger: { type: "shipment_status", statuses: ["delivered"] }, conditions });
    expect(planFlowSteps("t1", "s", [f], change(), ctx)).toHaveLength(fires ? 1 : 0);
  });

  it("matches order status, exception and manual triggers", () => {
    const order = flow({ trigger: { type: "order_status", statuses: ["delayed"] } });
    expect(
      planFlowSteps(
        "t1",
        "o",
        [order],
        { kind: "order_status", from: "shipped", to: "delayed", key: "k" },
        ctx,
      ),
    ).toHaveLength(1);
    const exc = flow({ trigger: { type: "exception", kinds: ["stalled"] } });
    const stalled: FlowChange = {
      kind: "exception",
      key: "stalled:x",
      exception: { kind: "stalled", pieceId: null, key: "stalled:x", since: null, detail: "" },
    };
    expect(planFlowSteps("t1", "s", [exc], stalled, ctx)).toHaveLength(1);
    expect(
      planFlowSteps("t1", "s", [flow({ trigger: { type: "manual" } })], { kind: "manual", key: "req1" }, ctx),
    ).toHaveLength(1);
  });
});
