import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { listNotifications, listShipments, recordInboundDelivery } from "@trackflow/store";
import { inboundDelivery } from "@trackflow/store/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type RunningServer, runServer } from "../runtime/run-server.ts";
import { readServerEnv } from "../runtime/server-config.ts";
import { easypostTrackerBody } from "../testing/easypost-webhook.ts";
import { runCli } from "./main.ts";

async function run(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c) => {
    out += c;
  });
  stderr.on("data", (c) => {
    err += c;
  });
  const code = await runCli(argv, { stdin: Readable.from([]), stdout, stderr });
  return { code, out, err };
}

describe("commands that talk to a running server", () => {
  let server: RunningServer;
  let dir: string;
  let flags: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "trackflow-cli-"));
    server = await runServer(readServerEnv({ PORT: "0", LOG_LEVEL: "silent", TRACKFLOW_DATA_DIR: dir }));
    flags = ["--url", server.url!, "--key", server.firstStartKey!];
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("demo replays a day of shipments and the customers' notifications reach the preview outbox", async () => {
    const r = await run(["demo", ...flags]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/A day of 12 shipments replayed/);
    expect(r.out).toMatch(/returned_to_sender/);
    const shipments = await listShipments(server.ctx.db, "default", { limit: 100 });
    expect(shipments).toHaveLength(12);
    expect(shipments.filter((s) => s.status === "delivered").length).toBeGreaterThan(5);
    const notifications = await listNotifications(server.ctx.db, "default", { limit: 1000 });
    const notified = new Set(notifications.map((n) => n.shipmentId));
    expect(shipments.filter((s) => !notified.has(s.id))).toEqual([]);
    // one message per shipment for where its parcel is now, not one per step of its history
    expect(notifications.length).toBeLessThanOrEqual(14);
    expect(notifications.every((n) => n.recipient.address.includes("@example."))).toBe(true);
  });

  it("ingest loads a folder of payloads with progress, and a second run finds only duplicates", async () => {
    const folder = join(import.meta.dirname, "../../../carriers/src/fedex/fixtures");
    const first = await run(["ingest", "--source", "fedex", ...flags, folder]);
    const summary = JSON.parse(first.out.trim().split("\n").at(-1)!);
    expect(summary.files).toBeGreaterThan(3);
    expect(summary.accepted).toBeGreaterThan(10);
    expect(first.err).toMatch(/ingest \[#+\]/);
    const second = await run(["ingest", "--source", "fedex", ...flags, folder]);
    expect(JSON.parse(second.out.trim().split("\n").at(-1)!)).toMatchObject({
      accepted: 0,
      failed: summary.failed,
    });
  });

  it("lists dead letters and replays them with their original keys", async () => {
    const [n] = await listNotifications(server.ctx.db, "default", { limit: 1 });
    await server.ctx.db.query("UPDATE notifications SET status = 'dead' WHERE id = $1", [n!.id]);
    const listed = await run(["notifications", "dead", ...flags]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.out.trim())).toMatchObject({ id: n!.id });
    const replayed = await run(["notifications", "replay", "--all-dead", ...flags]);
    expect(replayed.out).toContain(`${n!.id}: replayed`);
    const again = await run(["notifications", "replay", n!.id, ...flags]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/409 only dead or failed/);
    const { getNotification } = await import("@trackflow/store");
    const after = await getNotification(server.ctx.db, "default", n!.id);
    expect(after?.idempotencyKey).toBe(n!.idempotencyKey);
  });

  it("lists the webhook deliveries the inbox gave up on and puts them back in it", async () => {
    // a verified EasyPost delivery whose tracking number is new, given up on by the inbox
    await recordInboundDelivery(
      server.ctx.db,
      inboundDelivery(easypostTrackerBody("EZDEADLETTER1"), {
        tenantId: "default",
        outcome: "failed",
        error: "the database was down",
      }),
    );
    const listed = await run(["deliveries", "dead", ...flags]);
    expect(listed.code).toBe(0);
    const dead = JSON.parse(listed.out.trim());
    expect(dead).toMatchObject({ source: "easypost", error: "the database was down" });
    const replayed = await run(["deliveries", "replay", "--all-dead", ...flags]);
    expect(replayed.out).toContain(`${dead.id}: replayed`);
    await vi.waitFor(
      async () => {
        const { rows } = await server.ctx.db.query<{ status: string }>(
          "SELECT status FROM shipments WHERE tenant_id = 'default' AND tracking_number = 'EZDEADLETTER1'",
        );
        expect(rows[0]?.status).toBe("delivered");
      },
      { timeout: 20_000 },
    );
    const again = await run(["deliveries", "replay", dead.id, ...flags]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/409 only a failed delivery/);
  });

  it("says plainly when the server cannot be reached or the key is missing", async () => {
    const down = await run(["demo", "--url", "http://127.0.0.1:9", "--key", "tf_x"]);
    expect(down.code).toBe(1);
    expect(down.err).toMatch(/cannot reach the Trackflow server/);
    const nokey = await run(["demo", "--url", server.url!]);
    expect(nokey.code).toBe(2);
    expect(nokey.err).toMatch(/an API key is needed/);
    const badkey = await run(["demo", "--url", server.url!, "--key", "tf_wrong"]);
    expect(badkey.code).toBe(1);
    expect(badkey.err).toMatch(/refused the API key/);
  });
});
