import { listNotifications } from "@trackflow/store";
import { DATABASE_KINDS } from "@trackflow/store/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Engine } from "../engine.ts";
import { DEFAULT_FLOWS } from "../notify/default-flows.ts";
import { issueApiKey, provisionTenant, saveFlowDefinition } from "../tenancy/provision.ts";
import { testEngineFactory } from "../testing/test-engine.ts";
import { buildApp } from "./app.ts";

describe.each(DATABASE_KINDS)("flow routes on %s", (kind) => {
  let factory: Awaited<ReturnType<typeof testEngineFactory>>;
  let engine: Engine;
  let app: FastifyInstance;
  let adminKey: string;
  const now = () => new Date("2026-03-10T10:00:00Z");

  beforeAll(async () => {
    factory = await testEngineFactory(kind);
  }, 120_000);
  afterAll(async () => {
    await factory.stop();
  });

  beforeEach(async () => {
    engine = await factory.open({ now });
    await provisionTenant(engine.ctx, "acme", "Acme Goods", {
      timeZone: "Europe/Berlin",
      staffLists: { ops: ["ops@acme.example"] },
    });
    adminKey = await issueApiKey(engine.ctx, "acme", "admin", "test");
    app = buildApp(engine.ctx);
  });

  const api = (
    method: "GET" | "POST" | "PUT",
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json", ...headers },
      payload: payload === undefined ? undefined : JSON.stringify(payload),
    });
  const audit = async (action: string) =>
    (
      await engine.ctx.db.query<{ actor: string; subject: string; data: Record<string, unknown> }>(
        "SELECT actor, subject, data FROM audit_log WHERE tenant_id = 'acme' AND action = $1 ORDER BY id",
        [action],
      )
    ).rows;

  it("lists the default catalogue, installs a flow enabled (audited), and shows it as installed", async () => {
    const before = (await api("GET", "/api/flows/defaults")).json();
    expect(before.flows.map((f: { id: string }) => f.id)).toEqual(DEFAULT_FLOWS.map((f) => f.definition.id));
    expect(before.flows[0]).toMatchObject({ audience: "customer", installed: false, enabled: null });

    const installed = await api("POST", "/api/flows/defaults/default-staff-exceptions");
    expect(installed.statusCode).toBe(200);
    expect(installed.json()).toEqual({ id: "default-staff-exceptions", version: 1, enabled: true });
    const after = (await api("GET", "/api/flows/defaults")).json();
    expect(after.flows.find((f: { id: string }) => f.id === "default-staff-exceptions")).toMatchObject({
      installed: true,
      enabled: true,
      version: 1,
      audience: "staff",
    });
    expect((await audit("flow.default_installed"))[0]).toMatchObject({
      actor: expect.stringMatching(/^api-key:/),
      subject: "flow:default-staff-exceptions",
    });
    expect((await api("POST", "/api/flows/defaults/default-teleport")).statusCode).toBe(404);
  });

  it("saves a flow from YAML and keeps every version", async () => {
    const yaml = (name: string) => `id: welcome
name: ${name}
trigger:
  type: shipment_status
  statuses: [in_transit]
steps:
  - id: email
    type: notify
    channel: email
    to: customer
    template: shipment_in_transit
`;
    const put = (body: string, type = "application/yaml") =>
      app.inject({
        method: "PUT",
        url: "/api/flows/welcome",
        headers: { authorization: `Bearer ${adminKey}`, "content-type": type },
        payload: body,
      });
    expect((await put(yaml("First"))).json()).toEqual({ id: "welcome", version: 1 });
    expect((await put(yaml("Second"), "text/yaml; charset=utf-8")).json()).toEqual({
      id: "welcome",
      version: 2,
    });
    const versions = (await api("GET", "/api/flows/welcome/versions")).json();
    expect(
      versions.versions.map((v: { version: number; definition: { name: string } }) => [
        v.version,
        v.definition.name,
      ]),
    ).toEqual([
      [2, "Second"],
      [1, "First"],
    ]);
    expect(versions.versions[0].createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect((await api("GET", "/api/flows/nothing/versions")).statusCode).toBe(404);

    const bad = await put(yaml("Third").replace("in_transit]", "teleported]"));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe("trigger.statuses.0");
    const broken = await put("id: [unclosed");
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error).toMatch(/^malformed YAML: /);
  });

  it("simulates the tenant's enabled flows against a named timeline, or flows given in the body", async () => {
    await api("POST", "/api/flows/defaults/default-out-for-delivery");
    await api("POST", "/api/flows/defaults/default-delivered");
    const res = await api("POST", "/api/flows/simulate", {
      timeline: { named: "happy-path" },
      customer: { name: "Ada", email: "ada@example.com" },
    });
    expect(res.statusCode).toBe(200);
    expect(
      res.json().messages.map((m: { at: string; flowId: string; to: string }) => [m.at, m.flowId, m.to]),
    ).toEqual([
      ["2026-03-05T06:55:00.000Z", "default-out-for-delivery", "ada@example.com"],
      ["2026-03-05T12:20:00.000Z", "default-delivered", "ada@example.com"],
    ]);

    const given = await api("POST", "/api/flows/simulate", {
      flows: [DEFAULT_FLOWS.find((f) => f.definition.id === "default-staff-exceptions")!.definition],
      timeline: [
        { at: "2026-03-02T09:15:00+01:00", status: "in_transit" },
        { at: "2026-03-03T10:00:00+01:00", status: "exception", reason: "customs_hold", message: "Held" },
      ],
      now: "2026-03-04T10:00:00+01:00",
    });
    expect(given.json().messages).toEqual([
      expect.objectContaining({
        flowId: "default-staff-exceptions",
        to: "ops@acme.example",
        subject: "[Acme Goods] Held in customs: UPS 1ZSIM00000000001",
      }),
    ]);
    // nothing was stored or sent
    expect(await listNotifications(engine.ctx.db, "acme")).toEqual([]);
  });

  it("names the field of a bad simulation", async () => {
    const bad = async (body: unknown) => {
      const res = await api("POST", "/api/flows/simulate", body);
      expect(res.statusCode).toBe(400);
      return res.json();
    };
    expect((await bad({})).field).toBe("timeline");
    expect((await bad({ timeline: { named: "teleport" } })).field).toBe("timeline.named");
    expect((await bad({ timeline: [{ at: "2026-03-02T09:15:00Z", status: "flying" }] })).error).toMatch(
      /^timeline\.0\.status: /,
    );
    expect((await bad({ timeline: { source: "pigeon", payloads: [{}] } })).field).toBe("timeline.source");
    expect(
      (
        await bad({
          flows: [{ id: "x", name: "x", trigger: { type: "nope" }, steps: [] }],
          timeline: { named: "delayed" },
        })
      ).field,
    ).toBe("flows.0.trigger.type");
  });

  it("lists the named synthetic timelines", async () => {
    const res = (await api("GET", "/api/flows/timelines")).json();
    expect(res.timelines.map((t: { name: string }) => t.name)).toContain("split-shipment");
    expect(res.timelines[0].events[0]).toMatchObject({ at: expect.any(String), status: "info_received" });
  });

  it("sends the customer their status now through the manual flows, once per Idempotency-Key", async () => {
    await api("POST", "/api/shipments", {
      carrier: "ups",
      trackingNumber: "1ZMANUAL",
      order: { externalId: "77", number: "#77", customer: { name: "Ada", email: "ada@example.com" } },
    });
    await saveFlowDefinition(engine.ctx, "acme", {
      id: "status-now",
      name: "Status on request",
      trigger: { type: "manual" },
      steps: [{ id: "email", type: "notify", channel: "email", to: "customer", template: "shipment_status" }],
    });
    await api("POST", "/api/flows/defaults/default-delivered");
    const notify = (headers: Record<string, string> = {}, body: unknown = {}) =>
      api("POST", "/api/shipments/ups/1ZMANUAL/notify", body, headers);

    expect((await notify({ "idempotency-key": "req-1" })).json()).toEqual({ planned: 1 });
    expect((await notify({ "idempotency-key": "req-1" })).json()).toEqual({ planned: 0 });
    expect((await notify()).json()).toEqual({ planned: 1 });
    expect((await notify({}, { flowId: "status-now" })).json()).toEqual({ planned: 1 });
    const sent = await listNotifications(engine.ctx.db, "acme");
    expect(sent).toHaveLength(3);
    expect(sent.every((n) => n.recipient.address === "ada@example.com" && n.flowId === "status-now")).toBe(
      true,
    );
    expect(await audit("notification.manual_requested")).toHaveLength(4);

    const notManual = await notify({}, { flowId: "default-delivered" });
    expect(notManual.statusCode).toBe(409);
    expect(notManual.json().error).toMatch(/not manual/);
    expect((await notify({}, { flowId: "nope" })).statusCode).toBe(404);
    expect((await api("POST", "/api/shipments/ups/1ZNOBODY/notify", {})).statusCode).toBe(404);
    const bad = await notify({}, { flowId: 7 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe("flowId");
  });

  it("documents every new route in the OpenAPI document", async () => {
    const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json();
    expect(doc.paths["/api/flows/simulate"].post.requestBody).toBeDefined();
    expect(doc.paths["/api/flows/timelines"].get).toBeDefined();
    expect(doc.paths["/api/flows/defaults"].get).toBeDefined();
    expect(doc.paths["/api/flows/defaults/{id}"].post).toBeDefined();
    expect(doc.paths["/api/flows/{id}/versions"].get).toBeDefined();
    expect(doc.paths["/api/shipments/{carrier}/{trackingNumber}/notify"].post.requestBody).toBeDefined();
  });
});
