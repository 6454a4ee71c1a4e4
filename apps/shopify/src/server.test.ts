import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, rmdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const PACKAGE_DIR = join(import.meta.dirname, "..");

/**
 * The app built as `pnpm build` builds it (as the browser test does), into a folder of its own
 * (TRACKFLOW_SHOPIFY_BUILD_DIR, which server.ts serves from): never a stale build, and never one
 * another test is rebuilding at the same time.
 */
async function buildApp(buildDir: string): Promise<void> {
  await promisify(execFile)(join(PACKAGE_DIR, "node_modules/.bin/remix"), ["vite:build"], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, NODE_ENV: "production", TRACKFLOW_SHOPIFY_BUILD_DIR: buildDir },
  });
}

/** Resolves with the port once the server logs that it listens; rejects if it exits first. */
function listening(child: ChildProcess, output: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      output.push(line);
      if (!line.includes("trackflow shopify app listening")) return;
      resolve((JSON.parse(line) as { port: number }).port);
    });
    child.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.once("exit", (code) => reject(new Error(`server.ts exited (${code}):\n${output.join("\n")}`)));
  });
}

describe("the production entry, server.ts, as its own process", () => {
  let dataDir: string;
  let buildDir: string;
  let child: ChildProcess;
  let base: string;
  const output: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "trackflow-shopify-server-"));
    // inside the package, so the bundle's imports resolve from its node_modules as build/'s do
    await mkdir(join(PACKAGE_DIR, "build-smoke"), { recursive: true });
    buildDir = await mkdtemp(join(PACKAGE_DIR, "build-smoke", "run-"));
    await buildApp(buildDir);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      PORT: "0",
      HOST: "127.0.0.1",
      SHOPIFY_API_KEY: "trackflow-smoke-client-id",
      SHOPIFY_API_SECRET: "shpss_smoke_secret_0123456789",
      SHOPIFY_APP_URL: "https://trackflow-smoke.example.com",
      SCOPES: "read_orders,write_fulfillments",
      TRACKFLOW_DATA_DIR: dataDir,
      TRACKFLOW_SHOPIFY_BUILD_DIR: buildDir,
    };
    child = spawn(process.execPath, ["server.ts"], {
      cwd: PACKAGE_DIR,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    base = `http://127.0.0.1:${await listening(child, output)}`;
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (buildDir) await rm(buildDir, { recursive: true, force: true });
    await rmdir(join(PACKAGE_DIR, "build-smoke")).catch(() => undefined); // unless another run is using it
  });

  it("answers GET / with the app's redirect into the embedded home, not a crash", async () => {
    const response = await fetch(`${base}/?shop=acme-goods.myshopify.com`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/app?shop=acme-goods.myshopify.com");
  });

  it("refuses an unsigned POST /webhooks with 401", async () => {
    const response = await fetch(`${base}/webhooks`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Shop-Domain": "acme-goods.myshopify.com",
        "X-Shopify-Webhook-Id": "wh-unsigned",
        "X-Shopify-API-Version": "2026-10",
      },
      body: JSON.stringify({ id: 1 }),
    });
    expect(response.status).toBe(401);
  });

  it("refuses a POST /webhooks with a wrong signature with 401", async () => {
    const response = await fetch(`${base}/webhooks`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Shop-Domain": "acme-goods.myshopify.com",
        "X-Shopify-Webhook-Id": "wh-forged",
        "X-Shopify-Event-Id": "ev-forged",
        "X-Shopify-API-Version": "2026-10",
        "X-Shopify-Hmac-Sha256": "bm90LXRoZS1zaWduYXR1cmU=",
      },
      body: JSON.stringify({ id: 1 }),
    });
    expect(response.status).toBe(401);
  });

  it("stops cleanly on SIGTERM", async () => {
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
