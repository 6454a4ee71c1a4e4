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
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ADMIN = { email: "ada@example.com", password: "ada-console-password" };
const READER = { email: "viv@example.com", password: "viv-console-password" };
const SECRET = "hook-signing-secret-never-shown";

describe("console users and the generated channel form in Chromium, against the real server", () => {
  let dir: string;
  let server: RunningServer;
  let browser: TestBrowser;
  let url: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "trackflow-console-users-"));
    server = await runServer(
      readServerEnv({ PORT: "0", HOST: "127.0.0.1", TRACKFLOW_DATA_DIR: dir, LOG_LEVEL: "warn" }),
    );
    url = server.url!;
    for (const [user, role] of [
      [ADMIN, "admin"],
      [READER, "read_only"],
    ] as const) {
      const res = await fetch(`${url}/api/users`, {
        method: "POST",
        headers: { authorization: `Bearer ${server.firstStartKey!}`, "content-type": "application/json" },
        body: JSON.stringify({ ...user, role }),
      });
      expect(res.status, await res.text()).toBe(201);
    }
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

  async function signIn(page: Page, user: { email: string; password: string }) {
    await page.goto(`${url}/console/login`);
    await page.getByLabel("Workspace").fill("default");
    await page.getByLabel("E-mail address").fill(user.email);
    await page.getByLabel("Password").fill(user.password);
    await Promise.all([
      page.waitForURL(`${url}/console`),
      page.getByRole("button", { name: "Sign in", exact: true }).click(),
    ]);
  }

  it("signs a read-only user in with e-mail and password: pages without forms, a change refused", async () => {
    const page = await newPage();
    await page.goto(`${url}/console/login`);
    await page.getByLabel("Workspace").fill("default");
    await page.getByLabel("E-mail address").fill(READER.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    expect(await page.getByRole("alert").textContent()).toContain("do not match an enabled user");
    expect(await page.getByLabel("Password").inputValue()).toBe("");
    await expectAccessible(page);

    await signIn(page, READER);
    expect(await page.locator("header .who").textContent()).toContain("viv@example.com");
    expect(await page.locator("header .who").textContent()).toContain("(read-only)");
    expect(await page.getByRole("link", { name: "Users" }).count()).toBe(0);
    for (const path of ["/console/channels", "/console/shipments", "/console/templates"]) {
      await page.goto(`${url}${path}`);
      expect(await page.locator("main form[method=post]").count()).toBe(0);
    }
    const csrf = await page.locator('header input[name="csrf"]').getAttribute("value");
    const refused = await page.request.post(`${url}/console/channels`, {
      form: { csrf: csrf!, name: "sneaky", provider: "webhook", "cfg.url": "http://127.0.0.1:9/" },
      maxRedirects: 0,
    });
    expect(refused.status()).toBe(403);
    expect((await page.request.get(`${url}/console/users`)).status()).toBe(403);
    // only the refusals asked for above
    expect(problems(page).filter((p) => !/status of 40[13]\b/.test(p))).toEqual([]);
    await page.close();
  });

  it("lets an admin user add a user and configure a channel through the generated form, with axe", async () => {
    const page = await newPage();
    await signIn(page, ADMIN);
    await page.getByRole("link", { name: "Users" }).click();
    await page.waitForURL(`${url}/console/users`);
    expect(await page.locator("main").textContent()).toContain("Users (2)");
    await expectAccessible(page);

    await page.getByLabel("E-mail address").fill("eve@example.com");
    await page.getByLabel("Role", { exact: true }).selectOption("admin");
    await page.getByRole("button", { name: "Add user" }).click();
    const shown = page.locator("code.secret");
    await shown.waitFor();
    expect(await shown.textContent()).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(await page.locator("main").textContent()).toContain("Users (3)");
    await expectAccessible(page);
    await saveScreenshot(page, "console-users-desktop");

    // the channel form generated from the webhook provider's schema
    await page.getByRole("link", { name: "Channels" }).click();
    await page.getByLabel("Provider").selectOption("webhook");
    await Promise.all([
      page.waitForURL(/provider=webhook/),
      page.getByRole("button", { name: "Show its form" }).click(),
    ]);
    const secret = page.getByLabel("secret", { exact: true });
    expect(await secret.getAttribute("type")).toBe("password");
    expect(await page.getByLabel(/^timeoutMs/).getAttribute("type")).toBe("number");
    await page.getByLabel("Name", { exact: true }).fill("hooks");
    await page.getByLabel("url", { exact: true }).fill("not a url");
    await secret.fill(SECRET);
    await page.getByRole("button", { name: "Save connection" }).click();
    await page.locator("#cf-url-error").waitFor();
    expect(await page.getByLabel("url", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("secret", { exact: true }).inputValue()).toBe("");
    await expectAccessible(page);

    await page.getByLabel("url", { exact: true }).fill("http://127.0.0.1:9/hook");
    await page.getByLabel("secret", { exact: true }).fill(SECRET);
    await Promise.all([
      page.waitForURL(/done=saved/),
      page.getByRole("button", { name: "Save connection" }).click(),
    ]);
    expect(await page.getByRole("status").first().textContent()).toContain('Connection "hooks" saved.');
    await page.getByRole("link", { name: "Edit hooks" }).click();
    await page.waitForURL(/edit=hooks/);
    expect(await page.getByLabel("url", { exact: true }).inputValue()).toBe("http://127.0.0.1:9/hook");
    expect(await page.getByLabel("secret", { exact: true }).inputValue()).toBe("");
    expect(await page.locator("main").textContent()).toContain("Leave it empty to keep the stored one.");
    expect(await page.content()).not.toContain(SECRET);
    await expectAccessible(page);
    await saveScreenshot(page, "console-channel-form-desktop");
    // only the refused save asked for above
    expect(problems(page).filter((p) => !/status of 400\b/.test(p))).toEqual([]);
    await page.close();
  });
});
