import { createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningServer, readServerEnv, runServer } from "@trackflow/engine";
import {
  expectAccessible,
  launchBrowser,
  problems,
  saveScreenshot,
  type TestBrowser,
} from "@trackflow/engine/testing/browser";
import { insertNotification, updateNotification } from "@trackflow/store";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const AFTERSHIP_SECRET = "aftership-webhook-secret";

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

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

describe("the merchant console in Chromium, against the real server", () => {
  let dir: string;
  let server: RunningServer;
  let browser: TestBrowser;
  let url: string;
  let key: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "trackflow-console-"));
    server = await runServer(
      readServerEnv({ PORT: "0", HOST: "127.0.0.1", TRACKFLOW_DATA_DIR: dir, LOG_LEVEL: "warn" }),
    );
    url = server.url!;
    key = server.firstStartKey!;
    const api = async (method: string, path: string, body: unknown) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(res.status, await res.text()).toBeLessThan(300);
    };
    const customer = { name: "Ada Lovelace", email: "ada@example.com", postcode: "10115", locale: "en" };
    const parcels = ["JJD000390001", "JJD000390002", "JJD000390003", "JJD000390004", "JJD000390005"];
    for (const [i, trackingNumber] of parcels.entries())
      await api("POST", "/api/shipments", {
        carrier: "dhl",
        trackingNumber,
        order: { externalId: `shop-100${i}`, number: `100${i}`, customer },
      });
    await api("POST", "/api/shipments", { carrier: "ups", trackingNumber: "1Z999AA10123456784" });
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
        "JJD000390001",
        "Delivered",
        [
          { at: `${day(-4)}T18:04:00+02:00`, tag: "InTransit", message: "Sorted at hub", city: "Leipzig" },
          {
            at: `${day(-2)}T11:20:00+02:00`,
            tag: "Delivered",
            message: "Delivered to neighbour",
            city: "Berlin",
          },
        ],
        day(-1),
      ),
    );
    await webhook(
      afterShipUpdate("JJD000390002", "Exception", [
        { at: `${day(-3)}T09:30:00+02:00`, tag: "InTransit", message: "Sorted at hub", city: "Leipzig" },
        { at: `${day(-1)}T08:10:00+02:00`, tag: "Exception", message: "Address not found", city: "Berlin" },
      ]),
    );
    await webhook(
      afterShipUpdate("JJD000390003", "AttemptFail", [
        {
          at: `${day(-5)}T08:10:00+02:00`,
          tag: "AttemptFail",
          message: "Recipient not at home",
          city: "Bonn",
        },
      ]),
    );
    await webhook(
      afterShipUpdate("JJD000390004", "OutForDelivery", [
        {
          at: `${day(0)}T07:15:00+02:00`,
          tag: "OutForDelivery",
          message: "Out for delivery",
          city: "Berlin",
        },
      ]),
    );
    // a dead letter: an email that failed for good
    await insertNotification(server.ctx.db, {
      id: "ntf_console_dead",
      tenantId: "default",
      idempotencyKey: "console-browser-dead",
      flowId: null,
      flowVersion: null,
      stepId: null,
      shipmentId: null,
      orderId: null,
      channel: "email",
      recipient: { address: "ada@example.com" },
      rendered: { subject: "Your parcel is delayed", text: "Sorry." },
      status: "queued",
    });
    await updateNotification(server.ctx.db, "default", "ntf_console_dead", {
      status: "dead",
      lastError: "550 mailbox unavailable",
    });
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function newPage(): Promise<Page> {
    const page = await browser.newPage();
    await page.route("**/*", (route) =>
      route.request().url().startsWith(url) ? route.continue() : route.abort(),
    );
    return page;
  }

  it("signs in with the first-start key, shows the overview charts, a shipment, and replays a dead letter", async () => {
    const page = await newPage();
    await page.goto(`${url}/`);
    expect(page.url()).toBe(`${url}/console/login`);
    await expectAccessible(page);
    await saveScreenshot(page, "console-login-desktop");
    await page.getByLabel("API key").fill(key);
    await Promise.all([
      page.waitForURL(`${url}/console`),
      page.getByRole("button", { name: "Sign in with the key" }).click(),
    ]);

    expect(await page.locator("h1").textContent()).toBe("Overview");
    for (const name of [
      "Shipments by status (6)",
      "On-time delivery rate by carrier",
      "Exceptions per day, last 14 days",
      "Notifications by channel, last 14 days",
    ])
      expect(await page.getByRole("img", { name }).isVisible()).toBe(true);
    // keyboard: the skip link comes first and takes focus to main
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement?.textContent")).toBe("Skip to content");
    await page.keyboard.press("Enter");
    expect(await page.evaluate("document.activeElement?.id")).toBe("main");
    await expectAccessible(page);
    // docs/console-overview.png (the README's) is a copy of this one, refreshed by hand
    await saveScreenshot(page, "console-overview-desktop");

    await page.getByRole("link", { name: "Shipments", exact: true }).click();
    await page.waitForURL(`${url}/console/shipments`);
    await page.getByLabel("Tracking number").fill("JJD000390002");
    await Promise.all([
      page.waitForURL(/q=JJD000390002/),
      page.getByRole("button", { name: "Filter" }).click(),
    ]);
    await expectAccessible(page);
    await saveScreenshot(page, "console-shipments-desktop");
    await Promise.all([
      page.waitForURL(/\/console\/shipments\/shp_/),
      page.getByRole("link", { name: "JJD000390002" }).click(),
    ]);
    const main = (await page.locator("main").textContent())!;
    for (const text of [
      "Address not found",
      "Sorted at hub",
      "Leipzig, DE",
      "1001",
      "Set the status by hand",
    ])
      expect(main).toContain(text);
    await expectAccessible(page);
    await saveScreenshot(page, "console-shipment-desktop");

    await page.getByRole("link", { name: "Notifications" }).click();
    await page.waitForURL(`${url}/console/notifications`);
    expect(await page.getByRole("heading", { name: "Dead letters (1)" }).isVisible()).toBe(true);
    await expectAccessible(page);
    await saveScreenshot(page, "console-notifications-desktop");
    await Promise.all([
      page.waitForURL(/done=replayed/),
      page
        .getByRole("table", { name: "Dead letters" })
        .getByRole("button", { name: "Replay notification to ada@example.com on email" })
        .click(),
    ]);
    expect(await page.getByRole("status").textContent()).toContain("Notification queued again.");
    expect(await page.getByRole("heading", { name: "Dead letters (0)" }).isVisible()).toBe(true);
    await expectAccessible(page);
    expect(problems(page)).toEqual([]);
    await page.close();
  });

  it("filters shipments, resolves an exception, runs the simulator, previews a template as you type, with axe on every page", async () => {
    const page = await newPage();
    await page.goto(`${url}/console/login`);
    await page.getByLabel("API key").fill(key);
    await Promise.all([
      page.waitForURL(`${url}/console`),
      page.getByRole("button", { name: "Sign in with the key" }).click(),
    ]);

    // find a shipment by its filters: status and exception
    await page.goto(`${url}/console/shipments`);
    await page.getByLabel("Status").selectOption("attempt_failed");
    await page.getByLabel("Exception").selectOption("any");
    await Promise.all([
      page.waitForURL(/status=attempt_failed/),
      page.getByRole("button", { name: "Filter" }).click(),
    ]);
    expect(await page.getByRole("link", { name: "JJD000390003" }).isVisible()).toBe(true);
    expect(await page.getByRole("link", { name: "JJD000390002" }).count()).toBe(0);
    await expectAccessible(page);

    // the exceptions queue, oldest first; resolve one by keyboard
    await page.getByRole("link", { name: "Exceptions" }).click();
    await page.waitForURL(`${url}/console/exceptions`);
    const heading = (await page.locator("h1").textContent())!;
    expect(heading).toMatch(/Exceptions needing action \((\d+)\)/);
    const before = Number(/\((\d+)\)/.exec(heading)![1]);
    expect(before).toBeGreaterThanOrEqual(2);
    await expectAccessible(page);
    await saveScreenshot(page, "console-exceptions-desktop");
    await page.getByLabel("Note on resolving DHL JJD000390002").fill("Customer gave the right address");
    await page.getByRole("button", { name: "Resolve DHL JJD000390002" }).focus();
    await Promise.all([page.waitForURL(/done=resolved/), page.keyboard.press("Enter")]);
    expect(await page.getByRole("status").textContent()).toContain("Resolved DHL JJD000390002");
    expect(await page.locator("h1").textContent()).toBe(`Exceptions needing action (${before - 1})`);
    expect(await page.getByRole("button", { name: "Resolve DHL JJD000390002" }).count()).toBe(0);
    await expectAccessible(page);

    // flows and the simulator
    await page.getByRole("link", { name: "Flows" }).click();
    await page.waitForURL(`${url}/console/flows`);
    await expectAccessible(page);
    await saveScreenshot(page, "console-flows-desktop");
    await page.getByRole("link", { name: "Simulate the flows on a synthetic carrier timeline" }).click();
    await page.getByLabel("Synthetic carrier timeline").selectOption("happy-path");
    await Promise.all([
      page.waitForURL(/timeline=happy-path/),
      page.getByRole("button", { name: "Run the simulation" }).click(),
    ]);
    expect(await page.locator("#sim-results").textContent()).toMatch(/^[1-9]\d* messages? from/);
    expect(await page.locator("main").textContent()).toContain("alex@example.com");
    await expectAccessible(page);
    await saveScreenshot(page, "console-simulator-desktop");

    // a template: the preview follows the typing (the page's script asks the engine, debounced)
    await page.goto(`${url}/console/templates/edit?id=shipment_delivered&locale=en&channel=sms`);
    await expectAccessible(page);
    const text = page.getByLabel("Text", { exact: true });
    await text.fill("Hello {{ customer.name }}, your parcel {{ shipment.trackingNumber }} has arrived.");
    await page.locator("#preview-text").filter({ hasText: "has arrived." }).waitFor();
    expect(await page.locator("#preview-text").textContent()).toContain("your parcel");
    expect(await page.locator("#preview-sms").textContent()).toMatch(/^1 SMS segment \(GSM-7/);
    await text.fill(`${"Your parcel is on its way and will be there soon. ".repeat(7)}✅`);
    await page.locator("#preview-sms").filter({ hasText: "UCS-2" }).waitFor();
    await text.fill("{{ nope.nothing | nofilter }}");
    await page.locator("#err-text:not([hidden])").waitFor();
    expect(await text.getAttribute("aria-invalid")).toBe("true");
    await text.fill("Your parcel {{ shipment.trackingNumber }} is here.");
    await page.locator("#err-text[hidden]").waitFor({ state: "attached" });
    await expectAccessible(page);
    await saveScreenshot(page, "console-template-desktop");
    await Promise.all([
      page.waitForURL(/done=saved/),
      page.getByRole("button", { name: "Save template" }).click(),
    ]);
    expect(await page.getByRole("status").first().textContent()).toContain("Template saved.");

    for (const path of ["/console/channels", "/console/audit", "/console/templates", "/console/flows/new"]) {
      await page.goto(`${url}${path}`);
      await expectAccessible(page);
    }
    await page.goto(`${url}/console/channels`);
    await saveScreenshot(page, "console-channels-desktop");
    await page.goto(`${url}/console/audit`);
    await Promise.all([
      page.waitForLoadState("load"),
      page.getByRole("button", { name: "Verify the chain" }).click(),
    ]);
    expect(await page.getByRole("status").textContent()).toContain("The chain is intact.");
    await expectAccessible(page);
    await saveScreenshot(page, "console-audit-desktop");
    expect(problems(page)).toEqual([]);
    await page.close();
  });
});
