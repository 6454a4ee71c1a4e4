import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { countQueuedDeliveries, listFlows, listTenants } from "@trackflow/store";
import { startTestBackend, type TestBackend } from "@trackflow/store/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { httpBusy } from "../http/http-busy.ts";
import { easypostTrackerBody, easypostWebhookHeaders } from "../testing/easypost-webhook.ts";
import { readProvisioningFile } from "./provisioning-file.ts";
import { type RunningServer, runServer } from "./run-server.ts";
import { ConfigError, readServerEnv } from "./server-config.ts";

/** Writes a provisioning file declaring tenant acme with these further lines of YAML; answers its path. */
async function acmeProvisioningFile(dir: string, lines: string[]): Promise<string> {
  const file = join(dir, "trackflow.yaml");
  await writeFile(file, ["tenants:", "  - id: acme", "    name: Acme Goods", ...lines].join("\n"));
  return file;
}

describe("runServer on the embedded database", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function start(env: Record<string, string>): Promise<RunningServer> {
    const server = await runServer(readServerEnv({ PORT: "0", LOG_LEVEL: "silent", ...env }));
    cleanup.push(() => server.close());
    return server;
  }

  it("starts with no account or credential, makes a key once, and answers HTTP", async () => {
    const dir = await mkdtemp(join(tmpdir(), "trackflow-server-"));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const first = await start({ TRACKFLOW_DATA_DIR: dir });
    expect(first.firstStartKey).toMatch(/^tf_/);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${first.url}/healthz`)).json()).toEqual({ ok: true });
    const shipments = await fetch(`${first.url}/api/shipments`, {
      headers: { authorization: `Bearer ${first.firstStartKey}` },
    });
    expect(shipments.status).toBe(200);
    expect((await listFlows(first.ctx.db, "default")).length).toBeGreaterThan(3);
    const key = await readFile(join(dir, "secret.key"), "utf8");
    expect(Buffer.from(key.trim(), "base64")).toHaveLength(32);
    expect((await stat(join(dir, "secret.key"))).mode & 0o777).toBe(0o600);
    await cleanup.pop()!();
    const second = await start({ TRACKFLOW_DATA_DIR: dir });
    expect(second.firstStartKey).toBeNull();
    // the data survived the restart, and the old key still works
    const again = await fetch(`${second.url}/api/shipments`, {
      headers: { authorization: `Bearer ${first.firstStartKey}` },
    });
    expect(again.status).toBe(200);
  });

  it("applies a provisioning file idempotently, with secrets from the environment", async () => {
    const dir = await mkdtemp(join(tmpdir(), "trackflow-server-"));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const file = await acmeProvisioningFile(dir, [
      "    sources:",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the provisioning file's own ${VAR} syntax
      "      easypost: { secret: '${EASYPOST_SECRET}' }",
      "    flows:",
      "      - id: delivered",
      "        name: Delivered",
      "        trigger: { type: shipment_status, statuses: [delivered] }",
      "        steps: [{ id: mail, type: notify, channel: email, to: customer, template: shipment_delivered }]",
    ]);
    process.env.EASYPOST_SECRET = "from-the-environment";
    cleanup.push(async () => {
      delete process.env.EASYPOST_SECRET;
    });
    const server = await start({ TRACKFLOW_DATA_DIR: dir, TRACKFLOW_CONFIG: file });
    expect(server.firstStartKey).toBeNull();
    expect((await listTenants(server.ctx.db)).map((t) => t.id)).toEqual(["acme"]);
    await cleanup.pop()!();
    const again = await start({ TRACKFLOW_DATA_DIR: dir, TRACKFLOW_CONFIG: file });
    expect(await listFlows(again.ctx.db, "acme")).toEqual([expect.objectContaining({ version: 1 })]);
  });

  it("refuses a bad provisioning file, naming the place", async () => {
    const dir = await mkdtemp(join(tmpdir(), "trackflow-config-"));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, "bad.yaml");
    await writeFile(file, "tenants:\n  - id: Acme!\n    name: x\n");
    await expect(readProvisioningFile(file)).rejects.toThrow(/tenants\.0\.id: /);
    await writeFile(
      file,
      "tenants:\n  - id: acme\n    name: x\n    sources: { pigeon: { secret: 12345678 } }\n",
    );
    await expect(readProvisioningFile(file)).rejects.toThrow(ConfigError);
    await writeFile(
      file,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the provisioning file's own ${VAR} syntax
      "tenants:\n  - id: acme\n    name: x\n    sources: { ups: { secret: '${NOT_SET_ANYWHERE}' } }\n",
    );
    await expect(readProvisioningFile(file)).rejects.toThrow(/NOT_SET_ANYWHERE is not set/);
  });

  it("refuses bad settings, naming the variable", () => {
    expect(() => readServerEnv({ PORT: "eighty" })).toThrow(/^PORT: /);
    expect(() => readServerEnv({ TRACKFLOW_ROLE: "boss" })).toThrow(/^TRACKFLOW_ROLE: /);
    expect(() => readServerEnv({ TRACKFLOW_SECRET_KEY: "c2hvcnQ=" })).toThrow(/^TRACKFLOW_SECRET_KEY: /);
    // a hold as long as a delivery job's expiry would hand held jobs out again
    expect(() => readServerEnv({ TRACKFLOW_BUSY_HOLD_SECONDS: "60" })).toThrow(
      /^TRACKFLOW_BUSY_HOLD_SECONDS: /,
    );
    expect(readServerEnv({}).TRACKFLOW_BUSY_HOLD_SECONDS).toBe(30);
  });

  it("requires the secret key with PostgreSQL", async () => {
    const { resolveServerSecretKey } = await import("./server-config.ts");
    await expect(
      resolveServerSecretKey(readServerEnv({ DATABASE_URL: "postgres://localhost/x" })),
    ).rejects.toThrow(/TRACKFLOW_SECRET_KEY is required/);
  });
});

describe("runServer on PostgreSQL in role all (the engine's workers in a thread of their own)", () => {
  const SECRET = "easypost-webhook-secret";
  let backend: TestBackend;
  let server: RunningServer;
  let dir: string;
  beforeAll(async () => {
    backend = await startTestBackend("postgres");
    dir = await mkdtemp(join(tmpdir(), "trackflow-server-"));
    const file = await acmeProvisioningFile(dir, [`    sources: { easypost: { secret: ${SECRET} } }`]);
    const { databaseUrl } = await backend.persistentDatabaseOptions();
    server = await runServer(
      readServerEnv({
        PORT: "0",
        LOG_LEVEL: "silent",
        DATABASE_URL: databaseUrl,
        TRACKFLOW_SECRET_KEY: randomBytes(32).toString("base64"),
        TRACKFLOW_CONFIG: file,
      }),
    );
  });
  afterAll(async () => {
    await server?.close();
    await backend?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const post = (trackingNumber: string) => {
    const body = easypostTrackerBody(trackingNumber);
    return fetch(`${server.url}/webhooks/acme/easypost`, {
      method: "POST",
      headers: easypostWebhookHeaders(body, SECRET),
      body,
    });
  };
  const status = async (trackingNumber: string) =>
    (
      await server.ctx.db.query<{ status: string }>(
        "SELECT status FROM shipments WHERE tenant_id = 'acme' AND tracking_number = $1",
        [trackingNumber],
      )
    ).rows[0]?.status;

  it("answers inline while calm; while its HTTP thread is busy it queues, the workers hold off, and ingest once calm", async () => {
    const calm = await post("WT1");
    expect(calm.status).toBe(200);
    expect(await status("WT1")).toBe("delivered");

    // the HTTP thread's event loop kept working most of the time, as under a full load
    const hog = setInterval(() => {
      const until = performance.now() + 40;
      while (performance.now() < until);
    }, 50);
    try {
      await vi.waitFor(() => expect(httpBusy(server.ctx)).toBe(true), { timeout: 5_000 });
      const busy = await post("WT2");
      expect(busy.status).toBe(202);
      await new Promise((resolve) => setTimeout(resolve, 500));
      // held: the workers' thread leaves it queued while the HTTP thread is busy
      expect(await countQueuedDeliveries(server.ctx.db)).toBe(1);
      expect(await status("WT2")).toBeUndefined();
    } finally {
      clearInterval(hog);
    }
    await vi.waitFor(async () => expect(await status("WT2")).toBe("delivered"), { timeout: 20_000 });
    expect(await countQueuedDeliveries(server.ctx.db)).toBe(0);
    expect(httpBusy(server.ctx)).toBe(false);
    expect((await post("WT3")).status).toBe(200);
  });
});
