import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "./database.ts";
import { loadMigrations, type Migration, migrate } from "./migrate.ts";
import { eraseEventSigners } from "./repositories/shipment-events.ts";
import { DATABASE_KINDS, startTestBackend, type TestBackend, type TestDatabase } from "./testing/backends.ts";

const TABLES = [
  "api_keys",
  "audit_heads",
  "audit_log",
  "audit_seals",
  "audit_unsealed",
  "console_users",
  "credentials",
  "delivery_attempts",
  "delivery_receipts",
  "digest_items",
  "digests",
  "exception_firings",
  "exception_resolutions",
  "flows",
  "inbound_deliveries",
  "notifications",
  "order_lines",
  "orders",
  "preferences",
  "receipt_tokens",
  "recipients",
  "shipment_events",
  "shipments",
  "shopify_backfills",
  "shopify_data_requests",
  "shopify_sessions",
  "shopify_shops",
  "shopify_webhook_events",
  "source_secrets",
  "templates",
  "tenants",
  "throttle_passes",
  "trackflow_migrations",
  "woocommerce_connections",
];

const extra = (version: number, sql: string): Migration => ({
  version,
  name: `${String(version).padStart(4, "0")}_extra`,
  sql,
});

describe.each(DATABASE_KINDS)("migrate on %s", (kind) => {
  let backend: TestBackend;
  let test: TestDatabase;
  let db: Database;
  let shipped: Migration[];

  beforeAll(async () => {
    backend = await startTestBackend(kind);
    shipped = await loadMigrations();
  });
  afterAll(async () => {
    await backend?.stop();
  });
  beforeEach(async () => {
    test = await backend.createDatabase();
    db = test.db;
  });
  afterEach(async () => {
    await test?.close();
  });

  const shippedRecords = () => shipped.map(({ version, name }) => ({ version, name }));
  const recorded = async () =>
    (
      await db.query<{ version: number; name: string }>(
        "SELECT version, name FROM trackflow_migrations ORDER BY 1",
      )
    ).rows;

  it("creates the schema once and records each migration", async () => {
    expect(await migrate(db)).toEqual({ applied: shipped.map((m) => m.name) });
    expect(await migrate(db)).toEqual({ applied: [] });
    expect(await recorded()).toEqual(shippedRecords());
    const { rows } = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    expect(rows.map((row) => row.table_name)).toEqual(TABLES);
  });

  it("applies only the migrations that are pending, in version order", async () => {
    await migrate(db, { migrations: shipped });
    const later = [
      extra(101, "ALTER TABLE probe ADD COLUMN y int"),
      extra(100, "CREATE TABLE probe (x int)"),
    ];
    expect(await migrate(db, { migrations: [...shipped, ...later] })).toEqual({
      applied: ["0100_extra", "0101_extra"],
    });
    await db.query("INSERT INTO probe (x, y) VALUES (1, 2)");
  });

  it("applies each migration once when several processes migrate at the same moment", async () => {
    const slow = extra(100, "CREATE TABLE probe (x int); SELECT pg_sleep(0.2); INSERT INTO probe VALUES (1)");
    const processes = await Promise.all(Array.from({ length: 5 }, () => test.connect()));
    const runs = await Promise.all(
      processes.map((each) => migrate(each, { migrations: [...shipped, slow] })),
    );
    expect(runs.flatMap((run) => run.applied).sort()).toEqual([...shipped.map((m) => m.name), "0100_extra"]);
    expect(await recorded()).toEqual([...shippedRecords(), { version: 100, name: "0100_extra" }]);
    expect((await db.query("SELECT count(*) AS n FROM probe")).rows).toEqual([{ n: 1 }]);
  });

  it("rolls a failing migration back entirely and keeps the ones before it", async () => {
    const broken = extra(100, "CREATE TABLE probe (x int); INSERT INTO probe VALUES ('not a number')");
    await expect(migrate(db, { migrations: [...shipped, broken] })).rejects.toMatchObject({ code: "22P02" });
    expect(await recorded()).toEqual(shippedRecords());
    expect((await db.query("SELECT to_regclass('probe') AS t")).rows).toEqual([{ t: null }]);
    expect(await migrate(db, { migrations: [...shipped, extra(100, "CREATE TABLE probe (x int)")] })).toEqual(
      {
        applied: ["0100_extra"],
      },
    );
  });

  it("refuses a migration whose file changed after it was applied", async () => {
    await migrate(db, { migrations: [...shipped, extra(100, "CREATE TABLE probe (x int)")] });
    await expect(
      migrate(db, { migrations: [...shipped, extra(100, "CREATE TABLE probe (x bigint)")] }),
    ).rejects.toThrow("0100_extra changed after it was applied");
  });

  describe("the 0001 schema", () => {
    beforeEach(async () => {
      await migrate(db);
    });

    it("gives every tenant-owned table a tenant_id that starts every index", async () => {
      const { rows } = await db.query<{ table: string; index: string; first: string }>(
        `SELECT t.relname AS table, i.relname AS index, a.attname AS first
           FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid
           JOIN pg_class t ON t.oid = x.indrelid
           JOIN pg_namespace n ON n.oid = t.relnamespace
           JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
          WHERE n.nspname = 'public' AND t.relname NOT IN ('tenants', 'trackflow_migrations')
          ORDER BY 1, 2`,
      );
      const tables = new Set(rows.map((row) => row.table));
      expect([...tables].sort()).toEqual(
        TABLES.filter((t) => t !== "tenants" && t !== "trackflow_migrations"),
      );
      // api_keys.hash is looked up before the tenant is known.
      expect(rows.filter((row) => row.first !== "tenant_id")).toEqual([
        { table: "api_keys", index: "api_keys_hash_key", first: "hash" },
        // the inbox's queued deliveries are claimed oldest first across tenants
        { table: "inbound_deliveries", index: "inbound_deliveries_queued", first: "id" },
        // Shopify names a shop by its domain before its tenant is known (OAuth, webhooks).
        { table: "shopify_backfills", index: "shopify_backfills_pkey", first: "shop" },
        { table: "shopify_sessions", index: "shopify_sessions_by_shop", first: "shop" },
        { table: "shopify_sessions", index: "shopify_sessions_pkey", first: "id" },
        { table: "shopify_shops", index: "shopify_shops_pkey", first: "shop" },
        { table: "shopify_webhook_events", index: "shopify_webhook_events_pkey", first: "shop" },
      ]);
    });

    it("keeps an inbox row's body and headers out of line, with room on its page for a claim", async () => {
      const { rows } = await db.query<{ reloptions: string[] }>(
        "SELECT reloptions FROM pg_class WHERE relname = 'inbound_deliveries' AND relkind = 'r'",
      );
      expect([...(rows[0]?.reloptions ?? [])].sort()).toEqual(["fillfactor=70", "toast_tuple_target=128"]);
    });

    it("compresses the large values of every webhook and every shipment's state with lz4 where the server has it", async () => {
      const { rows } = await db.query<{ column: string; compression: string }>(
        `SELECT c.relname || '.' || a.attname AS column, a.attcompression::text AS compression
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          WHERE c.relkind = 'r' AND a.attcompression <> ''
          ORDER BY 1`,
      );
      // PGlite is built without lz4 (ALTER … SET COMPRESSION lz4 fails there): pglz stays
      expect(rows).toEqual(
        kind === "pglite"
          ? []
          : [
              "audit_log.data",
              "inbound_deliveries.body",
              "inbound_deliveries.headers",
              "notifications.rendered",
              "shipments.state",
            ].map((column) => ({ column, compression: "l" })),
      );
      if (kind === "postgres") {
        // and a value so stored reads back whole
        await db.query("INSERT INTO tenants (id, name) VALUES ('t1', 'Tenant 1')");
        const body = JSON.stringify({
          scans: Array.from({ length: 200 }, (_, i) => ({ i, at: "2026-12-07" })),
        });
        await db.query(
          `INSERT INTO inbound_deliveries (tenant_id, source, verified, outcome, http_status, body_sha256, body, headers)
           VALUES ('t1', 'easypost', true, 'queued', 202, repeat('0', 64), convert_to($1, 'UTF8'), '{}')`,
          [body],
        );
        const stored = await db.query<{ compression: string; body: string }>(
          "SELECT pg_column_compression(body) AS compression, convert_from(body, 'UTF8') AS body FROM inbound_deliveries",
        );
        expect(stored.rows).toEqual([{ compression: "lz4", body }]);
      }
    });

    it("takes a hash for 64 lowercase hex digits and nothing else, without a bounded-repeat regex (0018)", async () => {
      const { rows: checks } = await db.query<{ check: string; definition: string }>(
        `SELECT conrelid::regclass::text || '.' || conname AS check, pg_get_constraintdef(oid) AS definition
           FROM pg_constraint
          WHERE contype = 'c' AND connamespace = 'public'::regnamespace
            AND pg_get_constraintdef(oid) LIKE '%0-9a-f%'
          ORDER BY 1`,
      );
      expect(checks.map((c) => c.check)).toEqual([
        "api_keys.api_keys_hash_check",
        "audit_heads.audit_heads_hash_check",
        "audit_log.audit_log_data_hash_check",
        "audit_seals.audit_seals_hash_check",
        "audit_seals.audit_seals_prev_hash_check",
        "inbound_deliveries.inbound_deliveries_body_sha256_check",
      ]);
      for (const { definition } of checks) expect(definition).not.toContain("{64}");

      await db.query("INSERT INTO tenants (id, name) VALUES ('t1', 'Tenant 1')");
      const head = (hash: string) =>
        db.query("INSERT INTO audit_heads (tenant_id, seq, hash) VALUES ('t1', 0, $1)", [hash]);
      const seal = (prevHash: string, hash: string) =>
        db.query(
          "INSERT INTO audit_seals (tenant_id, seq, audit_id, prev_hash, hash) VALUES ('t1', 1, 1, $1, $2)",
          [prevHash, hash],
        );
      const good = "0123456789abcdef".repeat(4);
      for (const bad of [
        good.toUpperCase(),
        good.slice(1),
        `${good}0`,
        `${good.slice(1)}g`,
        `${good.slice(1)}\n`,
        `${good.slice(1)}é`,
        "",
      ]) {
        await expect(head(bad), JSON.stringify(bad)).rejects.toMatchObject({ code: "23514" });
        await expect(seal(good, bad), JSON.stringify(bad)).rejects.toMatchObject({ code: "23514" });
        await expect(seal(bad, good), JSON.stringify(bad)).rejects.toMatchObject({ code: "23514" });
      }
      await head(good);
      await seal(good, good);
    });

    it("gathers no planner statistics on the large payloads, and goes on gathering them on the rest", async () => {
      await db.query("INSERT INTO tenants (id, name) VALUES ('t1', 'Tenant 1')");
      await db.query(
        `INSERT INTO inbound_deliveries (tenant_id, source, verified, outcome, http_status, body_sha256, body, headers)
         VALUES ('t1', 'easypost', true, 'queued', 202, repeat('0', 64), convert_to('{}', 'UTF8'), '[["a", "b"]]')`,
      );
      await db.query(
        `INSERT INTO shipments (id, tenant_id, carrier, tracking_number, status, state)
         VALUES ('s1', 't1', 'ups', '1Z999', 'in_transit', '{"status": "in_transit"}')`,
      );
      await db.query("ANALYZE inbound_deliveries, shipments");
      const { rows } = await db.query<{ column: string }>(
        `SELECT tablename || '.' || attname AS column FROM pg_stats
          WHERE tablename IN ('inbound_deliveries', 'shipments') ORDER BY 1`,
      );
      const analysed = rows.map((r) => r.column);
      expect(analysed).toEqual(expect.arrayContaining(["inbound_deliveries.outcome", "shipments.status"]));
      for (const payload of ["inbound_deliveries.body", "inbound_deliveries.headers", "shipments.state"])
        expect(analysed).not.toContain(payload);
      const { rows: targets } = await db.query<{ column: string }>(
        `SELECT c.relname || '.' || a.attname AS column FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace AND a.attnum > 0
            AND NOT a.attisdropped AND a.attstattarget = 0
          ORDER BY 1`,
      );
      expect(targets.map((t) => t.column)).toEqual([
        "audit_log.data",
        "inbound_deliveries.body",
        "inbound_deliveries.headers",
        "notifications.rendered",
        "shipment_events.event",
        "shipments.state",
      ]);
    });

    it("keeps a shipment's events append-only and deduplicated by fingerprint", async () => {
      await db.query("INSERT INTO tenants (id, name) VALUES ('t1', 'Tenant 1')");
      await db.query(
        `INSERT INTO shipments (id, tenant_id, carrier, tracking_number, status, state)
         VALUES ('s1', 't1', 'ups', '1Z999', 'in_transit', '{}')`,
      );
      const event = `INSERT INTO shipment_events (tenant_id, shipment_id, fingerprint, event)
                     VALUES ($1, 's1', 'fp1', '{}') ON CONFLICT DO NOTHING RETURNING id`;
      expect((await db.query(event, ["t1"])).rowCount).toBe(1);
      expect((await db.query(event, ["t1"])).rowCount).toBe(0);
      // a row belongs to a tenant that exists (0016: its tenant, no longer its shipment, is its key)
      await expect(db.query(event, ["t3"])).rejects.toMatchObject({ code: "23503" });
      const keys = await db.query<{ key: string }>(
        `SELECT pg_get_constraintdef(oid) AS key FROM pg_constraint
          WHERE conrelid = 'shipment_events'::regclass AND contype = 'f'`,
      );
      expect(keys.rows).toEqual([
        { key: "FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE" },
      ]);
      await expect(db.query("UPDATE shipment_events SET event = '{\"x\":1}'")).rejects.toMatchObject({
        code: "23001",
        message: expect.stringContaining("append-only"),
      });
      // the one change allowed: erasing the signer's name, and nothing with it
      await db.query(
        `INSERT INTO shipment_events (tenant_id, shipment_id, fingerprint, event)
         VALUES ('t1', 's1', 'fp2', '{"status": "delivered", "signedBy": "Ada Lovelace"}')`,
      );
      await expect(
        db.query(
          `UPDATE shipment_events SET event = '{"status": "lost", "signedBy": null}' WHERE fingerprint = 'fp2'`,
        ),
      ).rejects.toMatchObject({ code: "23001" });
      expect(await eraseEventSigners(db, "t1", ["s1"])).toBe(1);
      const erased = await db.query<{ event: unknown }>(
        "SELECT event FROM shipment_events WHERE fingerprint = 'fp2'",
      );
      expect(erased.rows[0]!.event).toEqual({ status: "delivered", signedBy: null });
      await db.query("DELETE FROM tenants WHERE id = 't1'");
      expect((await db.query("SELECT count(*) AS n FROM shipment_events")).rows).toEqual([{ n: 0 }]);
    });

    it("keeps audit records and their seals append-only, but for redacting a record's data", async () => {
      const h = (c: string) => c.repeat(64);
      await db.query("INSERT INTO tenants (id, name) VALUES ('t1', 'Tenant 1')");
      const { rows } = await db.query<{ id: number }>(
        `INSERT INTO audit_log (tenant_id, at, actor, action, subject, data, data_hash)
         VALUES ('t1', now(), 'system', 'event.received', 'shipment:s1', $1, $2) RETURNING id`,
        [JSON.stringify({ email: "a@example.com" }), h("a")],
      );
      const id = rows[0]!.id;
      const seal = `INSERT INTO audit_seals (tenant_id, seq, audit_id, prev_hash, hash) VALUES ('t1', $1, $2, $3, $4)`;
      // malformed seals are refused
      await expect(db.query(seal, [0, id, h("0"), h("b")])).rejects.toMatchObject({ code: "23514" });
      await expect(db.query(seal, [1, id, "not a hash", h("b")])).rejects.toMatchObject({ code: "23514" });
      await expect(db.query(seal, [1, id, h("0"), h("B")])).rejects.toMatchObject({ code: "23514" });
      await expect(db.query(seal, [1, id, h("0"), null])).rejects.toMatchObject({ code: "23502" });
      await db.query(seal, [1, id, h("0"), h("b")]);
      // one seal per place in the chain, one per record
      await expect(db.query(seal, [1, id + 1, h("b"), h("c")])).rejects.toMatchObject({ code: "23505" });
      await expect(db.query(seal, [2, id, h("b"), h("c")])).rejects.toMatchObject({ code: "23505" });
      for (const change of [`hash = '${h("c")}'`, "seq = 2", `audit_id = ${id + 1}`]) {
        await expect(db.query(`UPDATE audit_seals SET ${change}`)).rejects.toMatchObject({ code: "23001" });
      }
      await db.query(`UPDATE audit_log SET data = '{"redacted":true}' WHERE tenant_id = 't1' AND id = $1`, [
        id,
      ]);
      for (const change of [
        "actor = 'someone'",
        `data_hash = '${h("d")}'`,
        "at = now() - interval '1 day'",
      ]) {
        await expect(db.query(`UPDATE audit_log SET ${change}`)).rejects.toMatchObject({ code: "23001" });
      }
      expect(
        (
          await db.query(
            "SELECT a.data, s.seq, s.hash FROM audit_log a JOIN audit_seals s ON s.tenant_id = a.tenant_id AND s.audit_id = a.id",
          )
        ).rows,
      ).toEqual([{ data: { redacted: true }, seq: 1, hash: h("b") }]);
      // the columns the seal left behind are gone
      await expect(db.query("SELECT seq FROM audit_log")).rejects.toMatchObject({ code: "42703" });
      // a tenant's erasure takes its chain and its queue with it
      await db.query("INSERT INTO audit_unsealed (tenant_id, audit_id) VALUES ('t1', $1)", [id + 1]);
      await db.query("DELETE FROM tenants WHERE id = 't1'");
      for (const table of ["audit_log", "audit_seals", "audit_unsealed"]) {
        expect((await db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows).toEqual([{ n: 0 }]);
      }
    });

    it("rejects a status outside the core vocabulary", async () => {
      await db.query("INSERT INTO tenants (id, name) VALUES ('t1', 'Tenant 1')");
      await expect(
        db.query(
          `INSERT INTO shipments (id, tenant_id, carrier, tracking_number, status, state)
           VALUES ('s1', 't1', 'ups', '1Z999', 'shipped', '{}')`,
        ),
      ).rejects.toMatchObject({ code: "23514" });
    });
  });

  it("0010 moves each sealed record's seal into audit_seals and queues the unsealed ones", async () => {
    const h = (c: string) => c.repeat(64);
    await migrate(db, { migrations: shipped.filter((m) => m.version < 10) });
    await db.query("INSERT INTO tenants (id, name) VALUES ('t1', 'Tenant 1'), ('t2', 'Tenant 2')");
    const record = `INSERT INTO audit_log (tenant_id, at, actor, action, subject, data, data_hash, seq, prev_hash, hash)
                    VALUES ($1, '2024-03-01T10:00:00Z', 'system', $2, 'shipment:s1', '{"n": 1}', $3, $4, $5, $6)
                    RETURNING id`;
    const ids: number[] = [];
    for (const params of [
      ["t1", "sealed.1", h("a"), 1, h("0"), h("b")],
      ["t2", "waiting.1", h("a"), null, null, null],
      ["t1", "sealed.2", h("c"), 2, h("b"), h("d")],
      ["t1", "waiting.2", h("e"), null, null, null],
    ]) {
      ids.push((await db.query<{ id: number }>(record, params)).rows[0]!.id);
    }
    await db.query("INSERT INTO audit_heads (tenant_id, seq, hash) VALUES ('t1', 2, $1)", [h("d")]);

    expect(await migrate(db)).toEqual({ applied: shipped.filter((m) => m.version >= 10).map((m) => m.name) });

    expect(
      (await db.query("SELECT tenant_id, seq, audit_id, prev_hash, hash FROM audit_seals ORDER BY 1, 2"))
        .rows,
    ).toEqual([
      { tenant_id: "t1", seq: 1, audit_id: ids[0], prev_hash: h("0"), hash: h("b") },
      { tenant_id: "t1", seq: 2, audit_id: ids[2], prev_hash: h("b"), hash: h("d") },
    ]);
    expect((await db.query("SELECT tenant_id, audit_id FROM audit_unsealed ORDER BY 2")).rows).toEqual([
      { tenant_id: "t2", audit_id: ids[1] },
      { tenant_id: "t1", audit_id: ids[3] },
    ]);
    expect(
      (
        await db.query<{ column_name: string }>(
          "SELECT column_name FROM information_schema.columns WHERE table_name = 'audit_log' ORDER BY ordinal_position",
        )
      ).rows.map((r) => r.column_name),
    ).toEqual(["id", "tenant_id", "at", "actor", "action", "subject", "data", "data_hash"]);
    expect(
      (
        await db.query<{ indexname: string }>(
          "SELECT indexname FROM pg_indexes WHERE tablename = 'audit_log' ORDER BY 1",
        )
      ).rows.map((r) => r.indexname),
    ).toEqual(["audit_log_by_subject", "audit_log_by_time", "audit_log_pkey"]);
    // the records themselves are as they were; redaction still works, nothing else does
    expect((await db.query("SELECT action, data FROM audit_log ORDER BY id")).rows).toEqual(
      ["sealed.1", "waiting.1", "sealed.2", "waiting.2"].map((action) => ({ action, data: { n: 1 } })),
    );
    await db.query(`UPDATE audit_log SET data = '{"redacted": true}' WHERE id = $1`, [ids[0]]);
    await expect(
      db.query("UPDATE audit_log SET action = 'forged' WHERE id = $1", [ids[2]]),
    ).rejects.toMatchObject({
      code: "23001",
    });
  });
});

describe("loadMigrations", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "trackflow-migrations-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const url = () => pathToFileURL(`${dir}/`);

  it("reads NNNN_name.sql files in version order", async () => {
    await writeFile(join(dir, "0002_second.sql"), "SELECT 2");
    await writeFile(join(dir, "0001_first.sql"), "SELECT 1");
    await writeFile(join(dir, "README.md"), "not a migration");
    expect(await loadMigrations(url())).toEqual([
      { version: 1, name: "0001_first", sql: "SELECT 1" },
      { version: 2, name: "0002_second", sql: "SELECT 2" },
    ]);
  });

  it("rejects a badly named file and a repeated version", async () => {
    await writeFile(join(dir, "1_first.sql"), "SELECT 1");
    await expect(loadMigrations(url())).rejects.toThrow("1_first.sql is not named");
    await rm(join(dir, "1_first.sql"));
    await writeFile(join(dir, "0001_a.sql"), "SELECT 1");
    await writeFile(join(dir, "0001_b.sql"), "SELECT 1");
    await expect(loadMigrations(url())).rejects.toThrow("two migration files have version 0001");
  });

  it("ships 0001_init first", async () => {
    expect((await loadMigrations()).map((migration) => migration.name)[0]).toBe("0001_init");
  });
});
