import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AxeResults, ImpactValue } from "axe-core";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/**
 * Browser tests drive Debian's Chromium (installed by .ci/install-chromium.sh) through
 * playwright-core: no browser is ever downloaded. CHROMIUM_PATH overrides where it is.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Where screenshots go: `test-results/screenshots` of the package whose tests run (vitest runs
 * in the package's folder), git-ignored, kept after the run for a look.
 */
export const SCREENSHOT_DIR = join(process.cwd(), "test-results/screenshots");

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

export interface TestBrowser {
  context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Whether the browser tests can run here; they fail, not skip, when it is missing. */
export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/**
 * Headless Chromium with a fresh profile (a --user-data-dir of its own, removed on close), shared
 * by every app's browser tests. Each page's console errors and uncaught exceptions are collected:
 * `problems(page)`. `userAgent` replaces HeadlessChrome's where a page refuses bots.
 */
export async function launchBrowser(options: { userAgent?: string } = {}): Promise<TestBrowser> {
  if (!chromiumInstalled())
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: run .ci/install-chromium.sh (or set CHROMIUM_PATH)`);
  const userDataDir = await mkdtemp(join(tmpdir(), "trackflow-chromium-"));
  let context: BrowserContext;
  try {
    // launchPersistentContext is how playwright takes a --user-data-dir
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
      viewport: { width: 1280, height: 900 },
      timeout: 60_000,
    });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      const seen: string[] = [];
      pageProblems.set(page, seen);
      page.on("console", (message) => {
        if (message.type() === "error") seen.push(`console: ${message.text()}`);
      });
      page.on("pageerror", (error) => seen.push(`page error: ${error.message}`));
      return page;
    },
    async close() {
      await context.close().catch(() => undefined);
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

const pageProblems = new WeakMap<Page, string[]>();

/** Console errors and uncaught exceptions seen on a page so far (a CSP refusal shows up here). */
export function problems(page: Page): string[] {
  return [...(pageProblems.get(page) ?? [])];
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const IMPACTS: readonly ImpactValue[] = ["minor", "moderate", "serious", "critical"];

interface AxeWindow {
  axe?: { run(context: unknown, options: unknown): Promise<AxeResults> };
  document: unknown;
}

/**
 * Runs axe-core in the page (injected through the debugging protocol, so the page's CSP, which
 * allows no inline script, stays on) and throws, listing them, when it finds violations of at
 * least `minImpact` (every violation by default; serious at the very least). Returns the results.
 */
export async function expectAccessible(
  page: Page,
  options: { minImpact?: "minor" | "moderate" | "serious" | "critical" } = {},
): Promise<AxeResults> {
  const floor = IMPACTS.indexOf(options.minImpact ?? "minor");
  if (floor > IMPACTS.indexOf("serious")) throw new Error("serious and critical violations always fail");
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(() => {
    const w = globalThis as unknown as AxeWindow;
    return w.axe!.run(w.document, { resultTypes: ["violations"] });
  });
  const failing = results.violations.filter((v) => IMPACTS.indexOf(v.impact ?? "minor") >= floor);
  if (failing.length > 0) {
    const detail = failing
      .map(
        (v) =>
          `- [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${v.nodes
            .slice(0, 5)
            .map((n) => `    ${n.target.join(" ")}: ${n.failureSummary?.replaceAll("\n", " ") ?? ""}`)
            .join("\n")}`,
      )
      .join("\n");
    throw new Error(`axe found ${failing.length} accessibility violation(s) on ${page.url()}:\n${detail}`);
  }
  return results;
}

/** Saves a full-page screenshot as `test-results/screenshots/<name>.png`; returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
