import { createHmac } from "node:crypto";
import { PassThrough } from "node:stream";
import { type FakeWoo, LOOPBACK_TLS, startFakeWoo, startLoopbackServer } from "@trackflow/channels/testing";
import { makeEvent } from "@trackflow/core/testing";
import { deliverNotification, ingest, sealTenantAudit } from "@trackflow/engine";
import {
  getWooConnection,
  listAuditEntries,
  listFlows,
  listInboundDeliveries,
  listNotifications,
} from "@trackflow/store";
import { DATABASE_KINDS } from "@trackflow/store/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { backfillWooOrders } from "./backfill.ts";
import { connectWooStore, type WooConnectError } from "./connect.ts";
import { reconcileWooStore } from "./reconcile.ts";
import { TEST_API_KEY, TEST_TENANT, type WooTestServer, wooTestServers } from "./testing/woo-test-server.ts";
import { wooCommand } from "./woo-command.ts";

const KEY = "ck_4f1c2e0b9a8d7c6b5a4f3e2d1c0b9a8d7c6b5a4f";
const SECRET = "cs_9e8d7c6b5a4f3e2d1c0b9a8d7c6b5a4f3e2d1c0b";
const READ_KEY = "ck_0000000000000000000000000000000000000001";
const now = () => new Date();

const tracked = (provider: string, number: string, id: string) => ({
  id: 9,
  key: "_wc_shipment_tracking_items",
  value: [
    {
      tracking_provider: provider,
      custom_tracking_provider: "",
      tracking_number: number,
      tracking_id: id,
      date_shipped: "1741564800",
    },
  ],
});

async function orderRow(server: WooTestServer, externalId: string) {
  const { rows } = await server.engine.ctx.db.query<{ status: string; data: { hostStatus: string } }>(
    "SELECT status, data FROM orders WHERE tenant_id = $1 AND source = 'woocommerce' AND external_id = $2",
    [TEST_TENANT, externalId],
  );
  return rows[0] ?? null;
}

async function shipmentsOf(server: WooTestServer) {
  const { rows } = await server.engine.ctx.db.query<{
    carrier: string;
    tracking_number: string;
    host_ref: unknown;
  }>(
    "SELECT carrier, tracking_number, host_ref FROM shipments WHERE tenant_id = $1 ORDER BY tracking_number",
    [TEST_TENANT],
  );
  return rows;
}

/** The tenant's audit records (sealed first), oldest first, as [actor, action]. */
async function auditTrail(server: WooTestServer, prefix = "woocommerce.") {
  await sealTenantAudit(server.engine.ctx.db, TEST_TENANT);
  return (await listAuditEntries(server.engine.ctx.db, TEST_TENANT))
    .filter((e) => e.action.startsWith(prefix))
    .sort((a, b) => Number(a.seq) - Number(b.seq))
    .map((e) => ({ actor: e.actor, action: e.action, data: e.data }));
}

/** Posts a delivery signed with the shop's webhook secret, as WooCommerce would. */
async function deliverSigned(server: WooTestServer, woo: FakeWoo, deliveryId: string, payload: object) {
  const body = JSON.stringify(payload);
  const hook = [...woo.webhooks.values()].find((h) => h.topic === "order.updated")!;
  return await fetch(`${server.url}/woocommerce/acme/webhook`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-WC-Webhook-Topic": "order.updated",
      "X-WC-Webhook-ID": String(hook.id),
      "X-WC-Webhook-Delivery-ID": deliveryId,
      "X-WC-Webhook-Signature": createHmac("sha256", hook.secret).update(body).digest("base64"),
    },
    body,
  });
}

describe.each(DATABASE_KINDS)("WooCommerce companion on %s", (kind) => {
  let servers: Awaited<ReturnType<typeof wooTestServers>>;
  const shops: FakeWoo[] = [];
  const shop = async (https = false, clock: () => Date = now) => {
    const woo = await startFakeWoo({
      https,
      now: clock,
      keys: [
        { consumerKey: KEY, consumerSecret: SECRET, permissions: "read_write" },
        { consumerKey: READ_KEY, consumerSecret: SECRET, permissions: "read" },
      ],
    });
    shops.push(woo);
    return woo;
  };
  beforeAll(async () => {
    servers = await wooTestServers(kind);
  }, 180_000);
  afterEach(async () => {
    for (const woo of shops.splice(0)) await woo.close().catch(() => undefined);
  });
  afterAll(async () => {
    await servers?.stop();
  });

  it("connects over HTTP (OAuth 1.0a): webhooks created and pinged, keys encrypted, writeback offered", async () => {
    const server = await servers.start(now);
    const woo = await shop();
    await woo.createOrder({ status: "processing" });
    const result = await connectWooStore(server.engine.ctx, TEST_TENANT, {
      storeUrl: woo.url,
      consumerKey: KEY,
      consumerSecret: SECRET,
    });
    expect(result).toMatchObject({
      storeUrl: woo.url,
      orders: 1,
      writebackFlow: { id: "woocommerce-writeback", enabled: false },
    });
    expect(result.warnings[0]).toMatch(/plain HTTP/);
    expect([...woo.webhooks.values()].map((h) => [h.topic, h.status, h.delivery_url])).toEqual([
      ["order.created", "active", `${server.url}/woocommerce/acme/webhook`],
      ["order.updated", "active", `${server.url}/woocommerce/acme/webhook`],
      ["order.deleted", "active", `${server.url}/woocommerce/acme/webhook`],
    ]);
    // the save-time ping is answered 200 and leaves nothing behind
    expect(woo.pings.map((p) => p.status)).toEqual([200, 200, 200]);
    expect(await listInboundDeliveries(server.engine.ctx.db, TEST_TENANT)).toEqual([]);
    const row = (await getWooConnection(server.engine.ctx.db, TEST_TENANT))!;
    expect(JSON.stringify(row)).not.toContain(SECRET);
    expect(row.webhooks.map((w) => w.topic)).toEqual(["order.created", "order.updated", "order.deleted"]);
    const flows = await listFlows(server.engine.ctx.db, TEST_TENANT);
    expect(flows.find((f) => f.definition.id === "woocommerce-writeback")?.definition).toMatchObject({
      enabled: false,
      steps: [{ type: "writeback", channel: "woocommerce" }],
    });
  });

  it("explains each connection failure plainly and keeps nothing", async () => {
    const server = await servers.start(now);
    const ctx = server.engine.ctx;
    const woo = await shop();
    const attempt = (storeUrl: string, consumerKey = KEY, consumerSecret = SECRET) =>
      connectWooStore(ctx, TEST_TENANT, { storeUrl, consumerKey, consumerSecret }).then(
        () => null,
        (error: WooConnectError) => ({ problem: error.problem, message: error.message }),
      );
    expect(await attempt(woo.url, KEY, "cs_0000000000000000000000000000000000000000")).toMatchObject({
      problem: "wrong_keys",
      message: expect.stringContaining("Invalid signature - provided signature does not match."),
    });
    expect(await attempt(woo.url, "ck_ffffffffffffffffffffffffffffffffffffffff")).toMatchObject({
      problem: "wrong_keys",
      message: expect.stringContaining("Consumer key is invalid."),
    });
    expect(await attempt(woo.url, READ_KEY)).toMatchObject({
      problem: "read_only_keys",
      message: expect.stringContaining("Read/Write"),
    });
    expect(woo.webhooks.size).toBe(0);
    woo.permalinks = "plain";
    expect(await attempt(woo.url)).toMatchObject({
      problem: "permalinks_off",
      message: expect.stringContaining("Permalinks"),
    });
    const redirecting = await startLoopbackServer();
    redirecting.route("GET", "/wp-json/wc/v3/orders", () => ({
      status: 301,
      headers: { Location: "https://shop.example/wp-json/wc/v3/orders" },
    }));
    expect(await attempt(redirecting.url)).toMatchObject({
      problem: "plain_http",
      message: expect.stringContaining("https://shop.example"),
    });
    await redirecting.close();
    expect(await attempt(redirecting.url)).toMatchObject({
      problem: "unreachable",
      message: expect.stringMatching(/cannot be reached \(ECONN(REFUSED|RESET)\)/),
    });
    expect(await getWooConnection(ctx.db, TEST_TENANT)).toBeNull();
  });

  it("connects over HTTPS with Basic auth, and names a wrong secret", async () => {
    const server = await servers.start(now, { ca: LOOPBACK_TLS.cert });
    const woo = await shop(true);
    const ctx = server.engine.ctx;
    await expect(
      connectWooStore(
        ctx,
        TEST_TENANT,
        {
          storeUrl: woo.url,
          consumerKey: KEY,
          consumerSecret: "cs_0000000000000000000000000000000000000000",
        },
        { ca: LOOPBACK_TLS.cert },
      ),
    ).rejects.toMatchObject({
      problem: "wrong_keys",
      message: expect.stringContaining("Consumer secret is invalid."),
    });
    await expect(
      connectWooStore(ctx, TEST_TENANT, { storeUrl: woo.url, consumerKey: KEY, consumerSecret: SECRET }),
    ).rejects.toMatchObject({ problem: "unreachable", message: expect.stringContaining("certificate") });
    const result = await connectWooStore(
      ctx,
      TEST_TENANT,
      { storeUrl: woo.url, consumerKey: KEY, consumerSecret: SECRET },
      { ca: LOOPBACK_TLS.cert },
    );
    expect(result.warnings).toEqual([]);
    expect(
      woo.server.requests.every(
        (r) => r.headers.authorization?.startsWith("Basic ") && !("oauth_signature" in r.query),
      ),
    ).toBe(true);
  });

  it("takes in signed deliveries, refuses wrong signatures, drops duplicates, and reconciles a missed one", async () => {
    const server = await servers.start(now);
    const ctx = server.engine.ctx;
    const woo = await shop();
    await connectWooStore(ctx, TEST_TENANT, { storeUrl: woo.url, consumerKey: KEY, consumerSecret: SECRET });

    const order = await woo.createOrder({
      status: "processing",
      meta_data: [tracked("ups", "1Z999AA10123456784", "t1")],
    });
    expect(woo.deliveries.map((d) => [d.topic, d.status])).toEqual([["order.created", 200]]);
    expect(await orderRow(server, String(order.id))).toMatchObject({
      status: "shipped",
      data: { hostStatus: "processing" },
    });
    expect(await shipmentsOf(server)).toEqual([
      {
        carrier: "ups",
        tracking_number: "1Z999AA10123456784",
        host_ref: { source: "woocommerce", id: "t1" },
      },
    ]);

    // the same delivery again (same delivery id): 200, nothing applied twice
    const first = woo.deliveries[0]!;
    const again = await fetch(`${server.url}/woocommerce/acme/webhook`, {
      method: "POST",
      headers: first.headers,
      body: first.body,
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ duplicate: true });

    // a forged body under the old signature, and no signature at all
    const forged = await fetch(`${server.url}/woocommerce/acme/webhook`, {
      method: "POST",
      headers: { ...first.headers, "X-WC-Webhook-Delivery-ID": "forged" },
      body: first.body.replace("processing", "cancelled"),
    });
    expect(forged.status).toBe(401);
    const unsigned = await fetch(`${server.url}/woocommerce/acme/webhook`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: first.body,
    });
    expect(unsigned.status).toBe(401);
    // a signed body that is not JSON, and one that is not an order
    const secretless = { ...first.headers, "X-WC-Webhook-Delivery-ID": "bad-json" };
    const hookSecret = [...woo.webhooks.values()][0]!.secret;
    const sign = (body: string) => createHmac("sha256", hookSecret).update(body).digest("base64");
    const badJson = await fetch(`${server.url}/woocommerce/acme/webhook`, {
      method: "POST",
      headers: { ...secretless, "X-WC-Webhook-Signature": sign("{nope") },
      body: "{nope",
    });
    expect(badJson.status).toBe(400);
    const notOrder = await fetch(`${server.url}/woocommerce/acme/webhook`, {
      method: "POST",
      headers: {
        ...secretless,
        "X-WC-Webhook-Delivery-ID": "no-status",
        "X-WC-Webhook-Signature": sign('{"id":5}'),
      },
      body: '{"id":5}',
    });
    expect(notOrder.status).toBe(400);
    expect(((await notOrder.json()) as { error: string }).error).toContain("order.status");
    expect(await orderRow(server, String(order.id))).toMatchObject({ data: { hostStatus: "processing" } });
    const outcomes = (await listInboundDeliveries(ctx.db, TEST_TENANT))
      .map((d) => [d.outcome, d.httpStatus])
      .reverse();
    expect(outcomes).toEqual([
      ["accepted", 200],
      ["duplicate", 200],
      ["rejected", 401],
      ["rejected", 401],
      ["rejected", 400],
      ["rejected", 400],
    ]);
    // an unknown tenant
    expect(
      (await fetch(`${server.url}/woocommerce/nobody/webhook`, { method: "POST", body: "webhook_id=1" }))
        .status,
    ).toBe(404);

    // a delivery lost on the way, and a webhook the shop disabled after failures
    woo.loseNextDeliveries(1);
    await woo.updateOrder(order.id, {
      status: "completed",
      meta_data: [tracked("fedex", "794612345678", "t2")],
    });
    const updatedHook = [...woo.webhooks.values()].find((h) => h.topic === "order.updated")!;
    updatedHook.status = "disabled";
    expect(await orderRow(server, String(order.id))).toMatchObject({ data: { hostStatus: "processing" } });
    const report = await reconcileWooStore(ctx, (await getWooConnection(ctx.db, TEST_TENANT))!);
    expect(report).toMatchObject({
      orders: 1,
      pages: 1,
      reenabled: [{ id: updatedHook.id, topic: "order.updated" }],
      failures: [],
      error: null,
    });
    expect(updatedHook.status).toBe("active");
    expect(await orderRow(server, String(order.id))).toMatchObject({ data: { hostStatus: "completed" } });
    expect((await shipmentsOf(server)).map((s) => s.carrier)).toEqual(["ups", "fedex"]);
    expect((await getWooConnection(ctx.db, TEST_TENANT))!.lastReconcileReport).toMatchObject({ orders: 1 });
    expect(report.missed).toEqual([String(order.id)]);
    expect(await auditTrail(server)).toEqual([
      expect.objectContaining({ actor: "woocommerce", action: "woocommerce.connected" }),
      {
        actor: "woocommerce",
        action: "woocommerce.webhook_reenabled",
        data: { webhook: { id: updatedHook.id, topic: "order.updated" }, was: "disabled" },
      },
      expect.objectContaining({
        actor: "woocommerce",
        action: "woocommerce.reconciled",
        data: expect.objectContaining({ missed: [String(order.id)] }),
      }),
    ]);
    // reconciling again finds nothing missed: no further audit record
    expect(await reconcileWooStore(ctx, (await getWooConnection(ctx.db, TEST_TENANT))!)).toMatchObject({
      missed: [],
      reenabled: [],
    });
    expect(await auditTrail(server)).toHaveLength(3);
  });

  it("skips an older change delivered after a newer one, and a reconciled copy older than a delivery", async () => {
    const server = await servers.start(now);
    const ctx = server.engine.ctx;
    let shift = 0;
    const woo = await shop(false, () => new Date(Date.now() + shift));
    await connectWooStore(ctx, TEST_TENANT, { storeUrl: woo.url, consumerKey: KEY, consumerSecret: SECRET });
    const order = await woo.createOrder({ status: "processing" });
    const created = JSON.parse(woo.deliveries[0]!.body) as Record<string, unknown>;
    shift += 10_000;
    const updated = await woo.updateOrder(order.id, { status: "completed" });
    expect(await orderRow(server, String(order.id))).toMatchObject({ data: { hostStatus: "completed" } });
    expect(String(updated.date_modified_gmt) > String(created.date_modified_gmt)).toBe(true);

    // the creation's change arrives late (another delivery id), with a tracking number in it
    const late = await deliverSigned(server, woo, "late-1", {
      ...created,
      meta_data: [tracked("ups", "1Z999AA10123456784", "t1")],
    });
    expect(late.status).toBe(200);
    expect(await late.json()).toEqual({ order: String(order.id), stale: true });
    expect(await orderRow(server, String(order.id))).toMatchObject({
      data: { hostStatus: "completed", hostUpdatedAt: `${String(updated.date_modified_gmt)}.000Z` },
    });
    expect(await shipmentsOf(server)).toEqual([]);
    const [last] = await listInboundDeliveries(ctx.db, TEST_TENANT);
    expect(last).toMatchObject({
      outcome: "duplicate",
      httpStatus: 200,
      error: expect.stringMatching(/^stale: /),
    });

    // a newer change delivered than the shop's REST copy the poll reads: the poll's copy is stale
    const newer = new Date(Date.parse(`${String(updated.date_modified_gmt)}Z`) + 60_000);
    const ahead = await deliverSigned(server, woo, "ahead-1", {
      ...updated,
      status: "on-hold",
      date_modified_gmt: newer.toISOString().slice(0, 19),
    });
    expect(await ahead.json()).toMatchObject({ order: String(order.id), shipments: 0 });
    const report = await reconcileWooStore(ctx, (await getWooConnection(ctx.db, TEST_TENANT))!);
    expect(report).toMatchObject({ orders: 1, stale: 1, missed: [], failures: [], error: null });
    expect(await orderRow(server, String(order.id))).toMatchObject({ data: { hostStatus: "on-hold" } });
  });

  it("backfills past orders page by page, resumable, through the API and the CLI with a progress bar", async () => {
    const server = await servers.start(now);
    const ctx = server.engine.ctx;
    const woo = await shop();
    for (let i = 0; i < 120; i++) await woo.createOrder({ status: i % 2 ? "completed" : "processing" });
    await connectWooStore(ctx, TEST_TENANT, { storeUrl: woo.url, consumerKey: KEY, consumerSecret: SECRET });
    const first = await backfillWooOrders(ctx, TEST_TENANT, { pages: 1 });
    expect(first).toMatchObject({ page: 2, totalPages: 3, imported: 50, done: false });
    // the rest through the CLI, which resumes where the first page left off
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = "";
    let stderr = "";
    out.on("data", (c) => (stdout += c));
    err.on("data", (c) => (stderr += c));
    const env = { TRACKFLOW_URL: server.url, TRACKFLOW_API_KEY: TEST_API_KEY };
    const code = await wooCommand(["backfill"], { stdin: new PassThrough(), stdout: out, stderr: err }, env);
    expect(code).toBe(0);
    expect(stdout).toContain("Backfill done: 120 orders taken in.");
    expect(stderr).toContain("Backfill [##############################] 3/3");
    const { rows } = await ctx.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM orders WHERE tenant_id = $1",
      [TEST_TENANT],
    );
    expect(rows[0]!.n).toBe(120);
  });

  it("connects, shows and disconnects through the CLI; webhooks are removed from the shop", async () => {
    const server = await servers.start(now);
    const woo = await shop();
    let stdout = "";
    let stderr = "";
    const io = () => {
      const out = new PassThrough();
      const err = new PassThrough();
      out.on("data", (c) => (stdout += c));
      err.on("data", (c) => (stderr += c));
      return { stdin: new PassThrough(), stdout: out, stderr: err };
    };
    const env = { TRACKFLOW_URL: server.url, TRACKFLOW_API_KEY: TEST_API_KEY };
    expect(
      await wooCommand(["connect", "--url", woo.url, "--key", READ_KEY, "--secret", SECRET], io(), env),
    ).toBe(1);
    expect(stderr).toContain("read-only");
    expect(
      await wooCommand(
        ["connect", "--url", woo.url, "--key", KEY, "--secret", SECRET, "--enable-writeback"],
        io(),
        env,
      ),
    ).toBe(0);
    expect(stdout).toContain("Webhooks created: order.created #");
    expect(stdout).toContain('Writeback flow "woocommerce-writeback": enabled');
    expect(await wooCommand(["status"], io(), env)).toBe(0);
    expect(stdout).toContain(`"storeUrl": "${woo.url}"`);
    expect(woo.webhooks.size).toBe(3);
    expect(await wooCommand(["disconnect"], io(), env)).toBe(0);
    expect(woo.webhooks.size).toBe(0);
    expect(await getWooConnection(server.engine.ctx.db, TEST_TENANT)).toBeNull();
    // the refused attempt left nothing; the connection and the disconnection name the API caller
    expect(await auditTrail(server)).toEqual([
      {
        actor: "api-key:test",
        action: "woocommerce.connected",
        data: expect.objectContaining({ storeUrl: woo.url, writebackEnabled: true }),
      },
      {
        actor: "api-key:test",
        action: "woocommerce.disconnected",
        data: expect.objectContaining({ storeUrl: woo.url, leftInShop: [] }),
      },
    ]);
    expect(await wooCommand(["status"], io(), env)).toBe(1);
    expect(await wooCommand(["connect", "--url", woo.url], io(), env).catch((e: Error) => e.name)).toBe(
      "UsageError",
    );
  });

  it("writes a delivered shipment back to the shop: an order note, and the order completed", async () => {
    const server = await servers.start(now);
    const ctx = server.engine.ctx;
    const woo = await shop();
    await connectWooStore(ctx, TEST_TENANT, {
      storeUrl: woo.url,
      consumerKey: KEY,
      consumerSecret: SECRET,
      enableWriteback: true,
      completeOnDelivery: true,
      noteVisibility: "customer",
    });
    const order = await woo.createOrder({
      status: "processing",
      meta_data: [tracked("ups", "1Z999AA10123456784", "t1")],
    });
    expect(woo.deliveries.map((d) => d.status)).toEqual([200]);

    const outcome = await ingest(ctx, {
      tenantId: TEST_TENANT,
      actor: "source:ups",
      events: [
        makeEvent({
          carrier: "ups",
          trackingNumber: "1Z999AA10123456784",
          status: "delivered",
          rawCode: "D",
          message: "Delivered, front porch",
          at: new Date().toISOString(),
        }),
      ],
    });
    expect(outcome.shipments[0]).toMatchObject({ status: "delivered" });
    const queued = await listNotifications(ctx.db, TEST_TENANT, { status: "queued" });
    expect(queued).toMatchObject([{ channel: "woocommerce" }]);
    expect(woo.notes).toEqual([]);

    // the dispatcher's delivery step, as its workers run it
    const deliver = (id: string) =>
      deliverNotification(ctx, { tenantId: TEST_TENANT, notificationId: id }, { deps: { fetch, now } });
    expect(await deliver(queued[0]!.id)).toBe("sent");
    expect(woo.notes).toEqual([
      expect.objectContaining({
        orderId: order.id,
        customer_note: true,
        note: expect.stringContaining("1Z999AA10123456784"),
      }),
    ]);
    expect(woo.orders.get(order.id)?.status).toBe("completed");
    // the shop's own order.updated for the completion came back and was taken in
    expect(woo.deliveries.map((d) => [d.topic, d.status])).toEqual([
      ["order.created", 200],
      ["order.updated", 200],
    ]);
    expect(await orderRow(server, String(order.id))).toMatchObject({ data: { hostStatus: "completed" } });
    // delivered once: the same job again sends nothing more
    await deliver(queued[0]!.id);
    expect(woo.notes).toHaveLength(1);
    expect((await listNotifications(ctx.db, TEST_TENANT))[0]).toMatchObject({ status: "sent", attempts: 1 });
  });
});
