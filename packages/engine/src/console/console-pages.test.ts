import { listNotifications } from "@trackflow/store";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Engine } from "../engine.ts";
import { buildApp } from "../http/app.ts";
import { issueApiKey, provisionTenant } from "../tenancy/provision.ts";
import { testEngineFactory } from "../testing/test-engine.ts";

describe("the console's exceptions, flows, templates, channels and audit pages (pglite)", () => {
  let factory: Awaited<ReturnType<typeof testEngineFactory>>;
  let engine: Engine;
  let app: FastifyInstance;
  let admin: string;
  let reader: string;
  let shipmentId: string;
  const now = () => new Date("2024-07-24T12:00:00Z");

  beforeAll(async () => {
    factory = await testEngineFactory("pglite");
  }, 120_000);
  afterAll(async () => {
    await factory.stop();
  });

  const api = async (method: "POST" | "PUT", url: string, body: unknown) => {
    const res = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      payload: JSON.stringify(body),
    });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json();
  };

  beforeEach(async () => {
    engine = await factory.open({ now });
    await provisionTenant(engine.ctx, "acme", "Acme", { rateLimitPerMinute: 1000 });
    admin = await issueApiKey(engine.ctx, "acme", "admin", "test");
    reader = await issueApiKey(engine.ctx, "acme", "read_only", "viewer");
    app = buildApp(engine.ctx);
    shipmentId = (
      await api("POST", "/api/shipments", {
        carrier: "dhl",
        trackingNumber: "JJD0001",
        order: { externalId: "shop-1001", number: "1001", customer: { email: "ada@example.com" } },
      })
    ).id;
    await api("POST", "/api/ingest/aftership", {
      event: "tracking_update",
      event_id: "evt-1",
      msg: {
        id: "trk-1",
        tracking_number: "JJD0001",
        slug: "dhl",
        tag: "Exception",
        checkpoints: [
          {
            slug: "dhl",
            checkpoint_time: "2024-07-23T09:30:00+02:00",
            tag: "Exception",
            subtag: "Exception_004",
            message: "Address unknown",
            city: "Leipzig",
            country_region: "DEU",
          },
        ],
      },
    });
  });

  const login = async (apiKey: string) => {
    const res = await app.inject({
      method: "POST",
      url: "/console/login",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ apiKey }).toString(),
    });
    expect(res.statusCode, res.body).toBe(303);
    return String(res.headers["set-cookie"]).split(";")[0]!;
  };
  const get = (url: string, cookie: string) => app.inject({ method: "GET", url, headers: { cookie } });
  const post = (url: string, cookie: string, form: Record<string, string>) =>
    app.inject({
      method: "POST",
      url,
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams(form).toString(),
    });
  const csrfOf = (body: string) => /name="csrf" value="([^"]+)"/.exec(body)![1]!;
  const session = async (apiKey: string) => {
    const cookie = await login(apiKey);
    return { cookie, csrf: csrfOf((await get("/console", cookie)).body) };
  };

  it("queues the exception, notifies the customer through the manual flows, and resolves it (audited)", async () => {
    const { cookie, csrf } = await session(admin);
    const queue = await get("/console/exceptions", cookie);
    expect(queue.body).toContain("Exceptions needing action (1)");
    expect(queue.body).toContain("DHL JJD0001");
    expect(queue.body).toContain('aria-label="Resolve DHL JJD0001"');
    // no manual flow yet: said so, nothing sent
    const none = await post(`/console/exceptions/${shipmentId}/notify`, cookie, { csrf });
    expect(none.headers.location).toBe("/console/exceptions?done=notified&planned=0");
    expect((await get(none.headers.location as string, cookie)).body).toContain(
      "no enabled flow has a manual trigger",
    );
    await api("PUT", "/api/flows/status-now", {
      id: "status-now",
      name: "Status now",
      trigger: { type: "manual" },
      steps: [
        { id: "email", type: "notify", channel: "email", to: "customer", template: "shipment_exception" },
      ],
    });
    const sent = await post(`/console/exceptions/${shipmentId}/notify`, cookie, { csrf });
    expect(sent.headers.location).toBe("/console/exceptions?done=notified&planned=1");
    expect((await get(sent.headers.location as string, cookie)).body).toContain(
      "1 message to the customer queued.",
    );
    const queued = await listNotifications(engine.ctx.db, "acme", { shipmentId });
    expect(queued.map((n) => [n.flowId, n.recipient.address])).toContainEqual([
      "status-now",
      "ada@example.com",
    ]);

    const resolved = await post(`/console/exceptions/${shipmentId}/resolve`, cookie, {
      csrf,
      note: "Called Ada",
    });
    expect(resolved.statusCode).toBe(303);
    const after = await get(resolved.headers.location as string, cookie);
    expect(after.body).toContain("Resolved DHL JJD0001");
    expect(after.body).toContain("Exceptions needing action (0)");
    expect((await post("/console/exceptions/shp_nope/resolve", cookie, { csrf })).statusCode).toBe(404);
    const audit = await get("/console/audit?action=exception.", cookie);
    expect(audit.body).toContain("exception.resolved");
    expect(audit.body).toContain("Called Ada");
    expect(audit.body).not.toContain("notification.manual_requested");
  });

  it("edits a flow as JSON with the errors in place, toggles it, keeps its versions, and simulates", async () => {
    const { cookie, csrf } = await session(admin);
    await api("PUT", "/api/flows/delivered", {
      id: "delivered",
      name: "Delivered email",
      trigger: { type: "shipment_status", statuses: ["delivered"] },
      steps: [
        { id: "email", type: "notify", channel: "email", to: "customer", template: "shipment_delivered" },
      ],
    });
    expect((await get("/console/flows", cookie)).body).toContain('aria-label="Disable flow Delivered email"');
    const editor = await get("/console/flows/delivered", cookie);
    expect(editor.body).toContain("&quot;shipment_delivered&quot;");

    const bad = await post("/console/flows/delivered", cookie, {
      csrf,
      definition: JSON.stringify({
        id: "delivered",
        name: "",
        trigger: { type: "shipment_status" },
        steps: [],
      }),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('aria-invalid="true"');
    expect(bad.body).toMatch(/id="flow-json-errors"[\s\S]*<code>name<\/code>:[\s\S]*<code>steps<\/code>:/);
    const syntax = await post("/console/flows/delivered", cookie, {
      csrf,
      definition: '{\n  "id": "delivered",\n  oops\n}',
    });
    expect(syntax.statusCode).toBe(400);
    expect(syntax.body).toContain("<code>line 3, column");
    const renamed = await post("/console/flows/delivered", cookie, {
      csrf,
      definition: JSON.stringify({
        id: "other",
        name: "x",
        trigger: { type: "manual" },
        steps: [{ id: "a", type: "notify", channel: "email", to: "customer", template: "t" }],
      }),
    });
    expect(renamed.body).toContain("the id must stay");

    const good = JSON.parse(
      /<textarea[^>]*>([\s\S]*?)<\/textarea>/.exec(editor.body)![1]!.replaceAll("&quot;", '"'),
    );
    good.name = "Delivered, with thanks";
    const saved = await post("/console/flows/delivered", cookie, { csrf, definition: JSON.stringify(good) });
    expect(saved.headers.location).toBe("/console/flows/delivered?done=saved");
    const v2 = await get(saved.headers.location as string, cookie);
    expect(v2.body).toContain("Flow saved as version 2.");
    expect(v2.body).toContain("Show version 1");

    const off = await post("/console/flows/delivered/enabled", cookie, { csrf, enabled: "false" });
    expect(off.headers.location).toBe("/console/flows?done=disabled");
    expect((await get("/console/flows", cookie)).body).toContain(
      'aria-label="Enable flow Delivered, with thanks"',
    );
    await post("/console/flows/delivered/enabled", cookie, { csrf, enabled: "true" });

    const sim = await get("/console/flows/simulate?timeline=happy-path", cookie);
    expect(sim.statusCode).toBe(200);
    expect(sim.body).toMatch(/Flow <code>delivered<\/code>: 1 message/);
    expect(sim.body).toContain("alex@example.com");
    expect((await get("/console/flows/simulate?timeline=nope", cookie)).statusCode).toBe(400);
  });

  it("previews a template as you type (JSON) and without script, with the SMS segments, and saves with errors in place", async () => {
    const { cookie, csrf } = await session(admin);
    const editor = await get("/console/templates/edit?id=shipment_delivered&locale=en&channel=sms", cookie);
    expect(editor.body).toContain("The built-in template");
    expect(editor.body).toMatch(/1 SMS segment \(GSM-7/);
    const preview = await post("/console/templates/preview", cookie, {
      csrf,
      id: "shipment_delivered",
      locale: "en",
      channel: "sms",
      text: "Hi {{ customer.name }}, parcel {{ shipment.trackingNumber }} is here. ✅".repeat(3),
    });
    expect(preview.statusCode, preview.body).toBe(200);
    const json = preview.json();
    expect(json.ok).toBe(true);
    expect(json.sms).toMatchObject({ encoding: "UCS-2" });
    expect(json.sms.segments).toBeGreaterThan(2);
    const broken = await post("/console/templates/preview", cookie, {
      csrf,
      id: "shipment_delivered",
      locale: "en",
      channel: "sms",
      text: "{{ nope.nothing }}",
    });
    expect(broken.json().errors[0]).toMatchObject({ part: "text" });

    const form = {
      csrf,
      id: "shipment_delivered",
      locale: "de",
      channel: "email",
      subject: "Da!",
      text: "{{ bogus | nofilter }}",
    };
    const noScript = await post("/console/templates/edit", cookie, { ...form, intent: "preview" });
    expect(noScript.statusCode).toBe(200);
    expect(noScript.body).toMatch(/<p class="field-error" id="err-text" data-part="text">[^<]+<\/p>/);
    const refused = await post("/console/templates/edit", cookie, { ...form, intent: "save" });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain("The template was not saved");
    const ok = await post("/console/templates/edit", cookie, {
      ...form,
      text: "Paket {{ shipment.trackingNumber }} ist da.",
      intent: "save",
    });
    expect(ok.statusCode, ok.body).toBe(303);
    const reopened = await get(ok.headers.location as string, cookie);
    expect(reopened.body).toContain("Template saved.");
    expect(reopened.body).toContain("Your template.");
    expect((await get("/console/templates", cookie)).body).toContain("Your templates (1)");
  });

  it("saves a channel without ever showing its secret, and test-sends through it (recorded)", async () => {
    const { cookie, csrf } = await session(admin);
    const secret = "s3cret-value-that-must-not-show";
    const wrong = await post("/console/channels", cookie, {
      csrf,
      name: "zap",
      provider: "webhook",
      config: JSON.stringify({ url: "not a url", secret }),
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('id="c-config-error"');
    expect(wrong.body).not.toContain(secret);
    const saved = await post("/console/channels", cookie, {
      csrf,
      name: "zap",
      provider: "webhook",
      config: JSON.stringify({ url: "http://127.0.0.1:9/hook", secret }),
    });
    expect(saved.statusCode, saved.body).toBe(303);
    const page = await get(saved.headers.location as string, cookie);
    expect(page.body).toContain("Connection &quot;zap&quot; saved.");
    expect(page.body).toContain("stored, encrypted (write-only)");
    expect(page.body).not.toContain(secret);
    expect(page.body).not.toContain("127.0.0.1:9");

    const tested = await post("/console/channels/zap/test", cookie, { csrf, to: "ops@example.com" });
    expect(tested.headers.location).toBe("/console/notifications?channel=zap&done=tested");
    const log = await get(tested.headers.location as string, cookie);
    expect(log.body).toContain("Test message queued");
    expect(log.body).toContain("ops@example.com");
    const [n] = await listNotifications(engine.ctx.db, "acme", { status: "queued" });
    expect(n).toMatchObject({ channel: "zap", recipient: { address: "ops@example.com" } });
    expect((await post("/console/channels/nope/test", cookie, { csrf, to: "x" })).statusCode).toBe(404);
  });

  it("browses, verifies and exports the audit trail", async () => {
    const { cookie, csrf } = await session(reader);
    const verified = await post("/console/audit/verify", cookie, { csrf });
    expect(verified.statusCode).toBe(200);
    expect(verified.body).toContain("The chain is intact.");
    await engine.ctx.db.query(
      `UPDATE audit_log SET data = '{"forged":true}' WHERE tenant_id = 'acme'
          AND id = (SELECT audit_id FROM audit_seals WHERE tenant_id = 'acme' AND seq = 1)`,
    );
    expect((await post("/console/audit/verify", cookie, { csrf })).body).toContain(
      "The chain has been tampered with",
    );
    const browse = await get("/console/audit?action=events.", cookie);
    expect(browse.body).toContain("events.received");
    expect(browse.body).not.toContain("<code>shipment.registered</code>");
    const jsonl = await get("/console/audit/export?format=jsonl", cookie);
    expect(jsonl.headers["content-disposition"]).toBe('attachment; filename="audit-acme.jsonl"');
    const lines = jsonl.body
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ tenantId: "acme", seq: 1 });
    const csv = await get("/console/audit/export?format=csv&from=2000-01-01", cookie);
    expect(csv.headers["content-type"]).toContain("text/csv");
    expect(csv.body.split("\r\n")[0]).toContain("seq");
    expect((await get("/console/audit/export?format=xml", cookie)).statusCode).toBe(400);
  });

  it("shows a read-only key every page without its forms, and refuses its changes with 403", async () => {
    const { cookie, csrf } = await session(reader);
    for (const url of [
      "/console/exceptions",
      "/console/flows",
      "/console/templates",
      "/console/channels",
      "/console/audit",
    ]) {
      const res = await get(url, cookie);
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain("(read-only)");
    }
    expect((await get("/console/exceptions", cookie)).body).not.toContain(">Notify customer</button>");
    expect((await get("/console/channels", cookie)).body).not.toContain("Save connection");
    const tpl = await get("/console/templates/edit?id=shipment_delivered&channel=email", cookie);
    expect(tpl.body).not.toContain("Save template");
    expect(tpl.body).toContain(">Preview</button>");
    for (const [url, form] of [
      [`/console/exceptions/${shipmentId}/resolve`, {}],
      [`/console/exceptions/${shipmentId}/notify`, {}],
      ["/console/flows/new", { definition: "{}" }],
      ["/console/flows/delivered/enabled", { enabled: "false" }],
      ["/console/channels", { name: "x", provider: "webhook", config: "{}" }],
      ["/console/channels/x/test", { to: "a@b.c" }],
    ] as const)
      expect((await post(url, cookie, { csrf, ...form })).statusCode, url).toBe(403);
    const save = await post("/console/templates/edit", cookie, {
      csrf,
      id: "shipment_delivered",
      locale: "en",
      channel: "sms",
      text: "hi",
      intent: "save",
    });
    expect(save.statusCode).toBe(403);
    // without the form's token, nothing at all
    expect((await post("/console/audit/verify", cookie, {})).statusCode).toBe(403);
  });
});
