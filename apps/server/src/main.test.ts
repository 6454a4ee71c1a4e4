import { type ChildProcess, spawn } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fakeWebhookReceiver, startLoopbackServer } from "@trackflow/channels/testing";
import { startPostgresCluster } from "@trackflow/store/testing";
import { afterAll, describe, expect, it } from "vitest";

const MAIN = join(import.meta.dirname, "main.ts");
const children: ChildProcess[] = [];

/** Starts the server as `pnpm start` does and waits until its banner says `ready`. */
function startServer(env: Record<string, string>, args: string[] = [], ready = /started/) {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { ...process.env, PORT: "0", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (c) => {
    out += c;
  });
  child.stderr!.on("data", (c) => {
    err += c;
  });
  const started = new Promise<string>((resolve, reject) => {
    const check = setInterval(() => {
      if (ready.test(out)) {
        clearInterval(check);
        setTimeout(() => resolve(out), 200);
      }
    }, 50);
    child.on("exit", (code) => {
      clearInterval(check);
      reject(new Error(`server exited with ${code}: ${err}${out}`));
    });
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, started, exited, output: () => out, errors: () => err };
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
});

describe("the standalone server", () => {
  it("starts on the embedded database with no account, prints its URL and a key, and stops on SIGTERM", async () => {
    const dir = await mkdtemp(join(tmpdir(), "trackflow-main-"));
    try {
      const server = startServer({ TRACKFLOW_DATA_DIR: dir }, [], /Admin API key/);
      const out = await server.started;
      const url = /URL:\s+(\S+)/.exec(out)![1]!;
      const key = /Admin API key \(shown once, keep it\): (\S+)/.exec(out)![1]!;
      expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ ok: true, database: "pglite" });
      expect(
        (await fetch(`${url}/api/shipments`, { headers: { authorization: `Bearer ${key}` } })).status,
      ).toBe(200);
      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a bad setting with the variable named and exit status 2", async () => {
    const server = startServer({ PORT: "eighty" });
    server.started.catch(() => undefined);
    expect(await server.exited).toBe(2);
    expect(server.errors()).toMatch(/PORT: /);
  });

  /** A PostgreSQL database, a loopback Zapier-like receiver and a tenant whose AfterShip changes go to it. */
  async function postgresSetup() {
    const cluster = await startPostgresCluster();
    const receiverServer = await startLoopbackServer();
    const dir = await mkdtemp(join(tmpdir(), "trackflow-roles-"));
    const hookSecret = "zapier-catch-hook-secret-01";
    const receiver = fakeWebhookReceiver(receiverServer, { secret: hookSecret, now: () => new Date() });
    const config = join(dir, "trackflow.yaml");
    await writeFile(
      config,
      [
        "tenants:",
        "  - id: acme",
        "    name: Acme Goods",
        "    sources: { aftership: { secret: aftership-secret-1 } }",
        `    channels: [{ name: zap, provider: webhook, config: { url: "${receiver.url}", secret: ${hookSecret} } }]`,
        "    flows:",
        "      - id: any-change",
        "        name: Any change to Zapier",
        "        trigger: { type: shipment_status }",
        "        steps: [{ id: hook, type: webhook, channel: zap }]",
      ].join("\n"),
    );
    const env = {
      DATABASE_URL: await cluster.createDatabase(),
      TRACKFLOW_SECRET_KEY: randomBytes(32).toString("base64"),
      TRACKFLOW_CONFIG: config,
    };
    const body = await readFile(
      join(import.meta.dirname, "../../../packages/carriers/src/aftership/fixtures/happy-path.json"),
    );
    const postWebhook = (url: string) =>
      fetch(`${url}/webhooks/acme/aftership`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "aftership-hmac-sha256": createHmac("sha256", "aftership-secret-1").update(body).digest("base64"),
        },
        body,
      });
    const delivered = async () => {
      const deadline = Date.now() + 60_000;
      while (receiver.received.length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      // and nothing more comes
      await new Promise((r) => setTimeout(r, 500));
      return receiver.received.length;
    };
    const stop = async () => {
      await receiverServer.close();
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    };
    return { env, receiver, postWebhook, delivered, stop };
  }

  it("splits into web and worker processes on one PostgreSQL: the web takes a webhook, the worker delivers", async () => {
    const setup = await postgresSetup();
    try {
      const web = startServer(setup.env, ["--role", "web"]);
      const url = /URL:\s+(\S+)/.exec(await web.started)![1]!;
      expect(web.output()).toMatch(/role web/);
      const res = await setup.postWebhook(url);
      expect(res.status).toBe(200);
      // nothing delivers while only the web process runs
      await new Promise((r) => setTimeout(r, 1500));
      expect(setup.receiver.received).toHaveLength(0);
      const worker = startServer(setup.env, ["--role", "worker"]);
      expect(await worker.started).toMatch(/worker started/);
      expect(await setup.delivered()).toBe(1);
      web.child.kill("SIGTERM");
      worker.child.kill("SIGTERM");
      expect(await web.exited).toBe(0);
      expect(await worker.exited).toBe(0);
    } finally {
      await setup.stop();
    }
  });

  it("on PostgreSQL runs its workers in a thread beside HTTP: a queued webhook is ingested and delivered once", async () => {
    const setup = await postgresSetup();
    try {
      // every delivery through the inbox, as under load
      const server = startServer({ ...setup.env, TRACKFLOW_INBOX_FROM: "0" });
      const url = /URL:\s+(\S+)/.exec(await server.started)![1]!;
      const res = await setup.postWebhook(url);
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ queued: true });
      expect(await setup.delivered()).toBe(1);
      const again = await setup.postWebhook(url);
      expect(again.status).toBe(202);
      expect(await setup.delivered()).toBe(1);
      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
      expect(server.errors()).toBe("");
    } finally {
      await setup.stop();
    }
  });
});
