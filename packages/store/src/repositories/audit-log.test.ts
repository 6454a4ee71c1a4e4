import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../database.ts";
import { migrate } from "../migrate.ts";
import {
  DATABASE_KINDS,
  startTestBackend,
  type TestBackend,
  type TestDatabase,
} from "../testing/backends.ts";
import {
  type AuditEntryDraft,
  getAuditHead,
  insertAuditEntries,
  insertAuditEntry,
  listAuditEntries,
  listUnsealedAuditEntries,
  lockAuditHead,
  redactAuditEntries,
  sealAuditEntries,
  tenantsWithUnsealedAudit,
} from "./audit-log.ts";
import { searchAuditEntries } from "./console-audit-log.ts";
import { upsertTenant } from "./tenants.ts";

const h = (c: string) => c.repeat(64);
const GENESIS = h("0");

describe.each(DATABASE_KINDS)("audit records and their seals on %s", (kind) => {
  let backend: TestBackend;
  let test: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    backend = await startTestBackend(kind);
  }, 120_000);
  afterAll(async () => {
    await backend?.stop();
  });
  beforeEach(async () => {
    test = await backend.createDatabase();
    db = test.db;
    await migrate(db);
    await upsertTenant(db, "acme", "Acme");
    await upsertTenant(db, "globex", "Globex");
  });
  afterEach(async () => {
    await test?.close();
  });

  const draft = (action: string, tenantId = "acme"): AuditEntryDraft => ({
    tenantId,
    at: new Date("2026-01-02T03:04:05Z"),
    actor: "test",
    action,
    subject: `shipment:${action}`,
    data: { action },
    dataHash: h("a"),
  });
  const queue = async () =>
    (
      await db.query<{ tenant_id: string; audit_id: number }>(
        "SELECT tenant_id, audit_id FROM audit_unsealed ORDER BY audit_id",
      )
    ).rows;
  const ids = async () =>
    (await db.query<{ id: number }>("SELECT id FROM audit_log ORDER BY id")).rows.map((r) => r.id);

  /** Seals the tenant's waiting records as the sealer does, with made-up but well-formed hashes. */
  const seal = (tenantId: string) =>
    db.transaction(async (tx) => {
      let { seq, hash } = await lockAuditHead(tx, tenantId, GENESIS);
      const pending = await listUnsealedAuditEntries(tx, tenantId, 100);
      const seals = pending.map((row) => {
        const prevHash = hash;
        seq += 1;
        hash = (seq % 16).toString(16).repeat(64);
        return { id: row.id, seq, prevHash, hash };
      });
      await sealAuditEntries(tx, tenantId, seals);
      return seals;
    });

  it("queues every record for its seal as it is written, one at a time or many in order", async () => {
    await insertAuditEntry(db, draft("one"));
    await insertAuditEntries(db, [draft("two"), draft("three", "globex"), draft("four")]);
    await db.transaction(async (tx) => {
      await insertAuditEntry(tx, draft("five"));
      await insertAuditEntry(tx, draft("six", "globex"));
    });
    const written = await ids();
    expect(written).toHaveLength(6);
    expect(await queue()).toEqual(
      ["acme", "acme", "globex", "acme", "acme", "globex"].map((tenant_id, i) => ({
        tenant_id,
        audit_id: written[i],
      })),
    );
    const waiting = await listUnsealedAuditEntries(db, "acme", 10);
    expect(waiting.map((e) => e.action)).toEqual(["one", "two", "four", "five"]);
    // what the seal covers, and not the data its hash stands for
    expect(waiting[1]).toEqual({
      id: written[1],
      tenantId: "acme",
      at: new Date("2026-01-02T03:04:05Z"),
      actor: "test",
      action: "two",
      subject: "shipment:two",
      dataHash: h("a"),
    });
    expect((await listUnsealedAuditEntries(db, "acme", 2)).map((e) => e.action)).toEqual(["one", "two"]);
    expect((await tenantsWithUnsealedAudit(db)).sort()).toEqual(["acme", "globex"]);
  });

  it("writes nothing, record or queue row, when the transaction rolls back", async () => {
    await expect(
      db.transaction(async (tx) => {
        await insertAuditEntry(tx, draft("lost"));
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    await expect(insertAuditEntries(db, [draft("ok"), draft("no tenant", "nobody")])).rejects.toMatchObject({
      code: "23503",
    });
    expect(await ids()).toEqual([]);
    expect(await queue()).toEqual([]);
  });

  it("seals by inserting seals, emptying the queue and moving the head, and reads them back by join", async () => {
    await insertAuditEntries(db, [draft("one"), draft("two"), draft("other", "globex")]);
    const seals = await seal("acme");
    expect(seals.map((s) => s.seq)).toEqual([1, 2]);
    expect(await queue()).toEqual([{ tenant_id: "globex", audit_id: (await ids())[2] }]);
    expect(await tenantsWithUnsealedAudit(db)).toEqual(["globex"]);
    expect(await getAuditHead(db, "acme")).toEqual({ seq: 2, hash: h("2") });
    expect(await getAuditHead(db, "globex")).toBeNull();

    await insertAuditEntry(db, draft("three"));
    await seal("acme");
    const chain = await listAuditEntries(db, "acme");
    expect(chain.map((e) => [e.action, e.seq, e.prevHash, e.hash])).toEqual([
      ["one", 1, GENESIS, h("1")],
      ["two", 2, h("1"), h("2")],
      ["three", 3, h("2"), h("3")],
    ]);
    expect((await listAuditEntries(db, "acme", { afterSeq: 1, limit: 1 })).map((e) => e.seq)).toEqual([2]);
    expect((await listAuditEntries(db, "acme", { subject: "shipment:three" })).map((e) => e.seq)).toEqual([
      3,
    ]);
    // the waiting globex record is not part of any chain yet, but can be browsed
    expect(await listAuditEntries(db, "globex")).toEqual([]);
    expect((await searchAuditEntries(db, "globex")).map((e) => [e.action, e.seq])).toEqual([["other", null]]);
    expect((await searchAuditEntries(db, "acme")).map((e) => [e.action, e.seq, e.hash])).toEqual([
      ["three", 3, h("3")],
      ["two", 2, h("2")],
      ["one", 1, h("1")],
    ]);
    // a record is sealed once
    const again = chain[0]!;
    await expect(
      db.transaction((tx) =>
        sealAuditEntries(tx, "acme", [{ id: again.id, seq: 4, prevHash: h("3"), hash: h("4") }]),
      ),
    ).rejects.toMatchObject({ code: "23505" });
    expect(await getAuditHead(db, "acme")).toEqual({ seq: 3, hash: h("3") });
  });

  it("skips a waiting record deleted before its seal, and drops it from the queue", async () => {
    await insertAuditEntries(db, [draft("one"), draft("gone"), draft("three")]);
    const [, gone] = await ids();
    await db.query("DELETE FROM audit_log WHERE tenant_id = 'acme' AND id = $1", [gone]);
    expect((await listUnsealedAuditEntries(db, "acme", 10)).map((e) => e.action)).toEqual(["one", "three"]);
    expect((await seal("acme")).map((s) => s.seq)).toEqual([1, 2]);
    expect(await queue()).toEqual([]);
    expect((await listAuditEntries(db, "acme")).map((e) => [e.action, e.seq])).toEqual([
      ["one", 1],
      ["three", 2],
    ]);

    // nothing left to seal but deleted records: the queue still empties, the head stays
    await insertAuditEntries(db, [draft("four"), draft("five")]);
    await db.query("DELETE FROM audit_log WHERE tenant_id = 'acme' AND action IN ('four', 'five')");
    expect(await tenantsWithUnsealedAudit(db)).toEqual(["acme"]);
    expect(await seal("acme")).toEqual([]);
    expect(await queue()).toEqual([]);
    expect(await tenantsWithUnsealedAudit(db)).toEqual([]);
    expect(await getAuditHead(db, "acme")).toEqual({ seq: 2, hash: h("2") });
  });

  it("leaves the seal of a deleted record behind, so the chain shows a gap", async () => {
    await insertAuditEntries(db, [draft("one"), draft("two"), draft("three")]);
    await seal("acme");
    await db.query("DELETE FROM audit_log WHERE tenant_id = 'acme' AND action = 'two'");
    expect((await db.query("SELECT seq FROM audit_seals ORDER BY seq")).rows).toEqual([
      { seq: 1 },
      { seq: 2 },
      { seq: 3 },
    ]);
    expect((await listAuditEntries(db, "acme")).map((e) => e.seq)).toEqual([1, 3]);
  });

  it("redacts a record's data and keeps its seal", async () => {
    await insertAuditEntries(db, [draft("one"), draft("two")]);
    await seal("acme");
    expect(await redactAuditEntries(db, "acme", "shipment:two", { redacted: true })).toBe(1);
    expect((await listAuditEntries(db, "acme")).map((e) => [e.data, e.seq, e.hash])).toEqual([
      [{ action: "one" }, 1, h("1")],
      [{ redacted: true }, 2, h("2")],
    ]);
  });
});
