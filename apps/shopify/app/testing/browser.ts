import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AxeResults } from "axe-core";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's Chromium, driven by playwright-core: no browser is ever downloaded. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Where screenshots go (git-ignored), kept after the run. */
export const SCREENSHOT_DIR = join(import.meta.dirname, "../../test-results/screenshots");

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * The admin's browser is a person's, not a crawler: authenticate.admin answers a self-declared
 * bot (HeadlessChrome) 410, so the test browser says it is the Chrome it is.
 */
const USER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile, removed on close. */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no Chromium at ${CHROMIUM_PATH} (set CHROMIUM_PATH)`);
  const userDataDir = await mkdtemp(join(tmpdir(), "trackflow-shopify-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      userAgent: USER_AGENT,
      viewport: { width: 1280, height: 900 },
      timeout: 60_000,
    });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** Runs axe-core in the page and throws, listing them, on any violation. */
export async function expectAccessible(page: Page): Promise<AxeResults> {
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(() => {
    const w = globalThis as unknown as {
      axe: { run(c: unknown, o: unknown): Promise<AxeResults> };
      document: unknown;
    };
    return w.axe.run(w.document, { resultTypes: ["violations"] });
  });
  if (results.violations.length > 0) {
    const detail = results.violations
      .map(
        (v) =>
          `- [${v.impact}] ${v.id}: ${v.help}\n${v.nodes
            .slice(0, 5)
            .map((n) => `    ${n.target.join(" ")}: ${n.failureSummary?.replaceAll("\n", " ") ?? ""}`)
            .join("\n")}`,
      )
      .join("\n");
    throw new Error(`axe found ${results.violations.length} violation(s) on ${page.url()}:\n${detail}`);
  }
  return results;
}

/** Saves a full-page screenshot as test-results/screenshots/<name>.png; returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
