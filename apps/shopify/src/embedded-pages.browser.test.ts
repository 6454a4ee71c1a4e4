import { execFile } from "node:child_process";
import { copyFile, mkdir, readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import type { ServerBuild } from "@remix-run/node";
import { Session } from "@shopify/shopify-api";
import { ShipmentEventSchema } from "@trackflow/core";
import { defaultFlow, type Engine, ingest, saveFlowDefinition } from "@trackflow/engine";
import {
  expectAccessible,
  launchBrowser,
  SCREENSHOT_DIR,
  saveScreenshot,
  type TestBrowser,
} from "@trackflow/engine/testing/browser";
import { getTenant, listFlows, recordShopifyBackfillPage, startShopifyBackfill } from "@trackflow/store";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { remixListener } from "../app/serve/remix-listener.ts";
import { TrackflowSessionStorage } from "../app/sessions/trackflow-session-storage.ts";
import { createShopifyApp } from "../app/shopify-app.ts";
import { installShop } from "../app/shops/install-shop.ts";
import { ADMIN_USER_AGENT } from "../app/testing/browser.ts";
import { embeddedSearch, sessionToken } from "../app/testing/session-token.ts";
import { testEngines } from "../app/testing/test-engine.ts";
import { handleCustomerDataRequest } from "../app/webhooks/compliance-webhook.ts";
import { handleOrderWebhook } from "../app/webhooks/orders-webhook.ts";
import { orderPayload } from "../app/webhooks/testing/shopify-payloads.ts";

const PACKAGE_DIR = join(import.meta.dirname, "..");
const API_KEY = "trackflow-test-client-id";
const API_SECRET = "shpss_embedded_pages_secret_0123456789";
const SHOP = "acme-goods.myshopify.com";
const SCOPES = "read_orders,write_fulfillments";

/** Builds the app as `pnpm build` does: the pages under test are the built ones. */
async function buildApp(): Promise<ServerBuild> {
  await promisify(execFile)(join(PACKAGE_DIR, "node_modules/.bin/remix"), ["vite:build"], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, NODE_ENV: "production" },
  });
  return (await import(join(PACKAGE_DIR, "build/server/index.js"))) as ServerBuild;
}

/** A carrier's time `hoursAgo` before now, as it gives it: wall clock and offset (recent, so flows still notify). */
function carrierTime(hoursAgo: number) {
  const at = new Date(Date.now() - hoursAgo * 3_600_000);
  at.setUTCMilliseconds(0);
  return { local: at.toISOString().slice(0, 19), offset: "+00:00", utc: at.toISOString() };
}
const DEPARTED = carrierTime(30);
const EXCEPTION = carrierTime(3);

const event = (overrides: Record<string, unknown>) =>
  ShipmentEventSchema.parse({
    source: "ups",
    carrier: "ups",
    trackingNumber: "1Z2345",
    rawCode: "I",
    message: "On the way",
    occurredAt: DEPARTED,
    status: "in_transit",
    ...overrides,
  });

describe("the embedded admin pages, built, in Chromium outside the admin frame", () => {
  let engines: Awaited<ReturnType<typeof testEngines>>;
  let engine: Engine;
  let server: Server;
  let base: string;
  let search: string;
  let browser: TestBrowser;
  const external: string[] = [];

  beforeAll(async () => {
    const build = await buildApp();
    engines = await testEngines("pglite");
    engine = await engines.open();
    const { ctx } = engine;
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const shopify = createShopifyApp(ctx, {
      apiKey: API_KEY,
      apiSecretKey: API_SECRET,
      appUrl: base,
      scopes: SCOPES.split(","),
    });
    const listener = remixListener({
      build,
      clientDir: join(PACKAGE_DIR, "build/client"),
      context: { engine, shopify, apiKey: API_KEY },
    });
    server.on("request", (req, res) => void listener(req, res));

    // the shop as OAuth leaves it: installed (tenant, writeback channel) with its offline session
    const installed = await installShop(ctx, { shop: SHOP, accessToken: "shpat_test_token", scopes: SCOPES });
    const session = new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false });
    session.accessToken = "shpat_test_token";
    session.scope = SCOPES;
    await new TrackflowSessionStorage(ctx).storeSession(session);
    const tenantId = installed.tenantId;
    // a default flow, an order with its fulfillment, carrier scans, and an import under way
    await saveFlowDefinition(ctx, tenantId, { ...defaultFlow("default-shipped")!.definition, enabled: true });
    await handleOrderWebhook(ctx, (await getTenant(ctx.db, tenantId))!, orderPayload());
    // two deliveries from the carrier: the scan that starts the "shipped" email, then trouble
    await ingest(ctx, {
      tenantId,
      actor: "source:ups",
      events: [
        event({
          rawCode: "I",
          message: "Departed from facility",
          location: { city: "Ottawa", country: "CA" },
        }),
      ],
    });
    await ingest(ctx, {
      tenantId,
      actor: "source:ups",
      events: [
        event({
          rawCode: "X",
          message: "The address is incomplete; contact UPS",
          status: "exception",
          reason: "address_issue",
          actionRequired: true,
          occurredAt: EXCEPTION,
        }),
      ],
    });
    await startShopifyBackfill(ctx.db, SHOP, new Date("2026-01-10T00:00:00Z"), ctx.now());
    await recordShopifyBackfillPage(ctx.db, {
      shop: SHOP,
      cursor: "c1",
      orders: 50,
      shipments: 47,
      last: false,
      at: ctx.now(),
    });
    await recordShopifyBackfillPage(ctx.db, {
      shop: SHOP,
      cursor: "c2",
      orders: 12,
      shipments: 11,
      last: true,
      at: ctx.now(),
    });

    await handleCustomerDataRequest(ctx, SHOP, {
      shop_id: 954889,
      shop_domain: SHOP,
      orders_requested: [450789469],
      customer: { id: 207119551, email: "jon@example.com", phone: null },
      data_request: { id: 9999 },
    });

    search = embeddedSearch(SHOP, sessionToken({ apiKey: API_KEY, apiSecret: API_SECRET, shop: SHOP }));
    browser = await launchBrowser({ userAgent: ADMIN_USER_AGENT });
    // outside the admin nothing may load from anywhere but the app: App Bridge's script (which
    // only the real admin serves) is refused, and the pages must render without it
    await browser.context.route("**/*", async (route) => {
      const url = new URL(route.request().url());
      if (url.origin === base) return route.continue();
      external.push(url.href);
      return route.abort();
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await engines?.stop();
  });

  async function open(path: string): Promise<Page> {
    const page = await browser.context.newPage();
    const response = await page.goto(`${base}${path}${path.includes("?") ? "&" : "?"}${search}`);
    expect(response?.status()).toBe(200);
    await page.waitForLoadState("networkidle");
    return page;
  }

  it("refuses a request without a valid session token", async () => {
    const forged = embeddedSearch(
      SHOP,
      sessionToken({ apiKey: API_KEY, apiSecret: "not-the-secret", shop: SHOP }),
    );
    const response = await fetch(`${base}/app?${forged}`, {
      headers: { "User-Agent": "Mozilla/5.0 Chrome/131.0.0.0" },
      redirect: "manual",
    });
    expect(response.status).not.toBe(200);
    const bearer = await fetch(`${base}/app/flows?_data=routes%2Fapp.flows`, {
      headers: {
        Authorization: `Bearer ${sessionToken({ apiKey: API_KEY, apiSecret: API_SECRET, shop: SHOP })}`,
        "User-Agent": "Mozilla/5.0 Chrome/131.0.0.0",
      },
    });
    expect(bearer.status).toBe(200);
    expect(((await bearer.json()) as { flows: Array<{ id: string }> }).flows.map((f) => f.id)).toContain(
      "default-shipped",
    );
  });

  it("Home: key figures, the exception needing action, the import's progress", async () => {
    const page = await open("/app");
    await expect
      .poll(() => page.getByRole("heading", { name: "Exceptions needing action" }).count())
      .toBeGreaterThan(0);
    const text = await page.locator("body").textContent();
    expect(text).toContain("Import of recent orders");
    expect(text).toContain("62 orders and 58 shipments imported in 2 pages");
    expect(text).toContain("exception");
    expect(text).toContain("ups 1Z2345");
    await expectAccessible(page);
    const shot = await saveScreenshot(page, "home");
    await mkdir(join(PACKAGE_DIR, "../../docs"), { recursive: true });
    await copyFile(shot, join(PACKAGE_DIR, "../../docs/shopify-home.png"));
    await page.close();
  });

  it("Shipments: the list filtered by status, and a shipment's timeline with the carrier's words", async () => {
    const page = await open("/app/shipments?status=exception");
    expect(await page.locator("table").textContent()).toContain("1Z2345");
    await expectAccessible(page);
    await saveScreenshot(page, "shipments");
    const empty = await open("/app/shipments?status=delivered");
    expect(await empty.locator("body").textContent()).toContain("0 shipment(s)");
    await empty.close();
    await page.getByRole("link", { name: "ups 1Z2345" }).click();
    await page.waitForURL(/\/app\/shipments\/shp/);
    await expect.poll(() => page.getByRole("heading", { name: "Timeline" }).count()).toBe(1);
    const text = await page.locator("body").textContent();
    expect(text).toContain("The address is incomplete; contact UPS (X)");
    expect(text).toContain(`${EXCEPTION.local}+00:00`);
    expect(text).toContain("Departed from facility (I)");
    expect(text).toContain("default-shipped");
    await expectAccessible(page);
    await saveScreenshot(page, "shipment-timeline");
    await page.close();
  });

  it("Flows: a flow turned off and on again, and a default flow installed, through the engine", async () => {
    const page = await open("/app/flows");
    await page.getByRole("button", { name: /Turn off Shipped/ }).click();
    await expect.poll(() => page.locator("#notice").textContent()).toContain("off");
    const flows = async () => listFlows(engine.ctx.db, "shopify-acme-goods");
    expect((await flows()).find((f) => f.definition.id === "default-shipped")?.definition.enabled).toBe(
      false,
    );
    await page.getByRole("button", { name: /Install Delivered/ }).click();
    await expect
      .poll(async () => (await flows()).some((f) => f.definition.id === "default-delivered"))
      .toBe(true);
    await expect.poll(() => page.getByRole("button", { name: /Turn off Delivered/ }).count()).toBe(1);
    await expectAccessible(page);
    await saveScreenshot(page, "flows");
    await page.close();
  });

  it("Templates: an edit previewed with the sample shipment, then saved", async () => {
    const page = await open("/app/templates?id=shipment_in_transit");
    const text = page.getByLabel("Text", { exact: true });
    await text.fill(
      "Hello {{ customer.name }}, parcel {{ shipment.trackingNumber }} is on its way with Trackflow.",
    );
    await page.getByRole("button", { name: "Preview" }).click();
    await expect
      .poll(() => page.locator("#preview-text").textContent())
      .toContain("is on its way with Trackflow.");
    expect(await page.locator("#preview-text").textContent()).not.toContain("{{");
    await text.fill("Hello {{ nope.nothing }}");
    await page.getByRole("button", { name: "Save template" }).click();
    await expect.poll(() => page.locator("body").textContent()).toContain("Not saved");
    // the good edit saves, and the page still shows it after its data reloads
    await text.fill("Parcel {{ shipment.trackingNumber }}: on its way.");
    await page.getByRole("button", { name: "Save template" }).click();
    await expect
      .poll(() => page.locator("#notice").textContent())
      .toContain("Template shipment_in_transit saved");
    expect(await text.inputValue()).toBe("Parcel {{ shipment.trackingNumber }}: on its way.");
    await expectAccessible(page);
    await saveScreenshot(page, "templates");
    await page.close();
  });

  it("Channels: connections listed, a new one saved with write-only credentials", async () => {
    const page = await open("/app/channels");
    expect(await page.locator("table").textContent()).toContain("shopify");
    await page.getByLabel("Name").fill("ops-slack");
    await page.getByLabel("Provider").selectOption("slack");
    await page.getByLabel("Configuration and credentials (JSON)").fill("{}");
    await page.getByRole("button", { name: "Save connection" }).click();
    await expect.poll(() => page.locator("body").textContent()).toMatch(/channel "ops-slack": config\./);
    await expectAccessible(page);
    await saveScreenshot(page, "channels");
    await page.close();
  });

  it("Settings: the statuses written back become the writeback flow; the email choice is kept", async () => {
    const page = await open("/app/settings");
    await page.getByText("delivered", { exact: true }).click();
    await page.getByText("out for delivery", { exact: true }).click();
    await page.getByText("Trackflow's flows email customers instead").click();
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect.poll(() => page.locator("#notice").textContent()).toContain("Settings saved");
    const flow = (await listFlows(engine.ctx.db, "shopify-acme-goods")).find(
      (f) => f.definition.id === "shopify-writeback",
    );
    expect(flow?.definition.enabled).toBe(true);
    expect(flow?.definition.trigger).toMatchObject({
      type: "shipment_status",
      statuses: ["out_for_delivery", "delivered"],
    });
    expect(flow?.definition.steps).toEqual([{ id: "writeback", type: "writeback", channel: "shopify" }]);
    const settings = (await getTenant(engine.ctx.db, "shopify-acme-goods"))?.settings as Record<
      string,
      unknown
    >;
    expect(settings.shopifyShippingEmails).toBe("trackflow");
    expect(await page.locator("body").textContent()).toContain("cannot turn Shopify's notification settings");
    await expectAccessible(page);
    await saveScreenshot(page, "settings");
    await page.close();
  });

  it("Data requests: each customer's request with what was found, its data downloaded as JSON", async () => {
    const page = await open("/app/data-requests");
    const row = page.getByRole("row").filter({ hasText: "Customer 207119551 (request 9999)" });
    // found: 1 order, 1 shipment, 1 notification (the "shipped" email of the default flow)
    await expect
      .poll(() => row.allTextContents())
      .toEqual([expect.stringMatching(/\(request 9999\)\s*1\s*1\s*1/)]);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download JSON of request 9999" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("data-request-9999.json");
    const document = JSON.parse(await readFile(await download.path(), "utf8")) as {
      requestId: string;
      data: { orders: Array<{ external_id: string }>; shipments: Array<{ tracking_number: string }> };
    };
    expect(document.requestId).toBe("9999");
    expect(document.data.orders.map((o) => o.external_id)).toEqual(["450789469"]);
    expect(document.data.shipments.map((s) => s.tracking_number)).toEqual(["1Z2345"]);
    await expectAccessible(page);
    await saveScreenshot(page, "data-requests");
    await page.close();
  });

  it("loaded nothing from outside but App Bridge's script", () => {
    expect(external.length).toBeGreaterThan(0);
    expect(new Set(external)).toEqual(new Set(["https://cdn.shopify.com/shopifycloud/app-bridge.js"]));
    expect(SCREENSHOT_DIR).toContain("test-results");
  });
});
