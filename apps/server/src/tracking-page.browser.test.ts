import { createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningServer, readServerEnv, runServer, signedTrackingLink } from "@trackflow/engine";
import {
  expectAccessible,
  launchBrowser,
  problems,
  saveScreenshot,
  type TestBrowser,
} from "@trackflow/engine/testing/browser";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const AFTERSHIP_SECRET = "aftership-webhook-secret";
const LOGO_URL = "https://shop.example/logo.svg";
const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40" viewBox="0 0 160 40"><rect width="40" height="40" rx="8" fill="#0b7a3e"/><text x="50" y="27" font-family="sans-serif" font-size="20" font-weight="700" fill="#0b3d20">Alpine</text></svg>';

/** The date `offset` days from today, "YYYY-MM-DD": the parcels move in the present, not late. */
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** An AfterShip tracking update: one parcel's checkpoints as its carrier reported them. */
function afterShipUpdate(
  trackingNumber: string,
  tag: string,
  checkpoints: { at: string; tag: string; message: string; city: string }[],
  expectedDelivery?: string,
) {
  return JSON.stringify({
    event: "tracking_update",
    event_id: `evt-${trackingNumber}-${checkpoints.length}`,
    msg: {
      id: `trk-${trackingNumber}`,
      tracking_number: trackingNumber,
      slug: "dhl",
      tag,
      expected_delivery: expectedDelivery ?? null,
      checkpoints: checkpoints.map((c) => ({
        slug: "dhl",
        checkpoint_time: c.at,
        tag: c.tag,
        message: c.message,
        city: c.city,
        country_region: "DEU",
      })),
    },
  });
}

describe("the customer tracking page in Chromium, against the real server", () => {
  let dir: string;
  let server: RunningServer;
  let browser: TestBrowser;
  let url: string;
  let orderId: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "trackflow-track-"));
    server = await runServer(
      readServerEnv({ PORT: "0", HOST: "127.0.0.1", TRACKFLOW_DATA_DIR: dir, LOG_LEVEL: "warn" }),
    );
    url = server.url!;
    const key = server.firstStartKey!;
    const api = async <T = unknown>(method: string, path: string, body: unknown): Promise<T> => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as T;
      expect(res.status, JSON.stringify(json)).toBeLessThan(300);
      return json;
    };
    await api("PUT", "/api/settings", {
      brand: {
        name: "Alpine Outfitters",
        logoUrl: LOGO_URL,
        primaryColor: "#0b7a3e",
        backgroundColor: "#f3f7f4",
        footer: "Alpine Outfitters GmbH\nBergstraße 1, 10115 Berlin",
        supportEmail: "help@alpine.example",
      },
    });
    const customer = { name: "Ada Lovelace", email: "ada@example.com", postcode: "10115", locale: "en" };
    const order = await api<{ id: string }>("PUT", "/api/orders/shop-1001", {
      number: "1001",
      customer,
      lines: [
        { lineId: "boots", quantity: 1, shippedQuantity: 1 },
        { lineId: "tent", quantity: 1, shippedQuantity: 1 },
      ],
    });
    orderId = order.id;
    // a split order: two parcels, one order
    for (const trackingNumber of ["JJD000390007", "JJD000390008"])
      await api("POST", "/api/shipments", {
        carrier: "dhl",
        trackingNumber,
        order: { externalId: "shop-1001", number: "1001", customer },
      });
    await api("PUT", "/api/sources/aftership", { secret: AFTERSHIP_SECRET });
    const webhook = async (body: string) => {
      const res = await fetch(`${url}/webhooks/default/aftership`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "aftership-hmac-sha256": createHmac("sha256", AFTERSHIP_SECRET).update(body).digest("base64"),
        },
        body,
      });
      expect(res.status, await res.text()).toBe(200);
    };
    await webhook(
      afterShipUpdate(
        "JJD000390007",
        "InTransit",
        [
          {
            at: `${day(-3)}T18:04:00+02:00`,
            tag: "InfoReceived",
            message: "Shipment data received",
            city: "Bonn",
          },
          { at: `${day(-2)}T09:30:00+02:00`, tag: "InTransit", message: "Sorted at hub", city: "Leipzig" },
        ],
        day(3),
      ),
    );
    await webhook(
      afterShipUpdate("JJD000390008", "OutForDelivery", [
        {
          at: `${day(-2)}T21:10:00+02:00`,
          tag: "InTransit",
          message: "Arrived at delivery base",
          city: "Berlin",
        },
        {
          at: `${day(-1)}T07:15:00+02:00`,
          tag: "OutForDelivery",
          message: "Out for delivery",
          city: "Berlin",
        },
      ]),
    );
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A page whose only outside request, the tenant's logo, is answered locally: tests never reach out. */
  async function newPage(): Promise<Page> {
    const page = await browser.newPage();
    await page.route("**/*", (route) => {
      const requested = route.request().url();
      if (requested === LOGO_URL) return route.fulfill({ contentType: "image/svg+xml", body: LOGO_SVG });
      if (requested.startsWith(url)) return route.continue();
      return route.abort();
    });
    return page;
  }

  it("looks up a split order: wrong email, right email, both parcels with their timelines, then German", async () => {
    const page = await newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    const form = await page.goto(`${url}/track/default`);
    expect(form!.status()).toBe(200);
    expect(form!.headers()["content-security-policy"]).toContain("script-src 'self'");
    expect(await page.locator("h1").textContent()).toBe("Track your order");
    expect(await page.getByRole("img", { name: "Alpine Outfitters" }).isVisible()).toBe(true);
    await expectAccessible(page);
    await saveScreenshot(page, "tracking-lookup-mobile");

    await page.getByLabel("Order number").fill("1001");
    await page.getByLabel("Email address or postcode").fill("eve@example.com");
    const [wrong] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.getByRole("button", { name: "Track order" }).click(),
    ]);
    expect(wrong.status()).toBe(404);
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("We could not find an order");
    // nothing typed comes back
    expect(await page.getByLabel("Order number").inputValue()).toBe("");
    await expectAccessible(page);
    await saveScreenshot(page, "tracking-not-found-mobile");

    await page.getByLabel("Order number").fill("1001");
    await page.getByLabel("Email address or postcode").fill("Ada@Example.com");
    await Promise.all([
      page.waitForURL(/\/track\/default\/t\//),
      page.getByRole("button", { name: "Track order" }).click(),
    ]);
    expect(await page.locator("h1").textContent()).toBe("Your order is on its way");
    const main = page.locator("main");
    await expect.poll(() => main.textContent()).toContain("Your 2 parcels");
    const text = (await main.textContent())!;
    for (const expected of [
      "Order 1001",
      "Parcel 1 of 2",
      "Parcel 2 of 2",
      "JJD000390007",
      "JJD000390008",
      "Sorted at hub",
      "Leipzig, DE",
      "Shipment data received",
      "Out for delivery",
      "Arrived at delivery base",
      "7:15 AM",
      "Estimated delivery",
    ])
      expect(text).toContain(expected);
    expect(text).not.toContain("ada@example.com");
    expect(await page.locator("article.parcel").count()).toBe(2);
    expect(await page.locator("article.parcel").nth(0).locator(".timeline li").count()).toBe(2);
    await expectAccessible(page);
    await saveScreenshot(page, "tracking-order-mobile");
    await page.setViewportSize({ width: 1280, height: 900 });
    await saveScreenshot(page, "tracking-order-desktop");

    await Promise.all([page.waitForURL(/lang=de/), page.getByRole("link", { name: "Deutsch" }).click()]);
    expect(await page.locator("html").getAttribute("lang")).toBe("de");
    expect(await page.locator("h1").textContent()).toBe("Ihre Bestellung ist unterwegs");
    const german = (await page.locator("main").textContent())!;
    for (const expected of ["Ihre 2 Pakete", "Unterwegs", "In Zustellung", "Sendungsverlauf", ", 07:15"])
      expect(german).toContain(expected);
    await expectAccessible(page);
    await saveScreenshot(page, "tracking-order-de-desktop");
    await page.setViewportSize({ width: 390, height: 844 });
    await saveScreenshot(page, "tracking-order-de-mobile");
    expect(problems(page).filter((p) => !p.includes("404"))).toEqual([]);
    await page.close();
  });

  it("opens the order from a notification's signed link, in the language asked for; a tampered one gets the lookup form", async () => {
    const link = signedTrackingLink(server.ctx, { tenantId: "default", orderId });
    const path = new URL(link, url).pathname;
    const page = await newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    const res = await page.goto(`${url}${path}?lang=fr`);
    expect(res!.status()).toBe(200);
    expect(res!.headers()["referrer-policy"]).toBe("no-referrer");
    expect(res!.headers()["x-frame-options"]).toBe("DENY");
    expect(await page.locator("h1").textContent()).toBe("Votre commande est en route");
    expect(await page.locator("article.parcel").count()).toBe(2);
    await expectAccessible(page);
    await saveScreenshot(page, "tracking-signed-link-fr-mobile");

    const tampered = await page.goto(`${url}${path.slice(0, -2)}xx`);
    expect(tampered!.status()).toBe(404);
    expect(await page.getByRole("alert").textContent()).toContain(
      "This tracking link has expired or is not valid",
    );
    await expectAccessible(page);
    expect(problems(page).filter((p) => !p.includes("404"))).toEqual([]);
    await page.close();
  });
});
