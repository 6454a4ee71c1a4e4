import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GENESIS_HASH, hashData, recordHash } from "../audit/audit-chain.ts";
import { AUDIT_EXPORT_FIELDS, parseCsv } from "../audit/audit-export.ts";
import { sealTenantAudit } from "../audit/audit-sealer.ts";
import { writeAudit } from "../audit/audit-writer.ts";
import type { EngineContext } from "../engine-context.ts";
import { openEngineFromEnv } from "../runtime/engine-env.ts";
import { provisionTenant } from "../tenancy/provision.ts";
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

const day = (d: number, hour = 10) => new Date(Date.UTC(2024, 2, d, hour));

/** Text that CSV and JSON must carry through untouched. */
const AWKWARD_ACTOR = 'staff:O"Brien, Pat\nsecond line';
const AWKWARD_DATA = { note: 'a "quoted", comma\r\nand a newline', n: 1.5, list: [null, true, "x,y"] };

/** acme: 7 records over 1–4 March, the last two left unsealed; the others: 5 sealed each, to spoil. */
async function seed(ctx: EngineContext) {
  await provisionTenant(ctx, "acme", "Acme Goods");
  const write = (tenantId: string, at: Date, i: number, actor = "system", data: unknown = { i }) =>
    ctx.db.transaction((tx) =>
      writeAudit(tx, tenantId, at, { actor, action: "test.step", subject: `shipment:shp_${i}`, data }),
    );
  await write("acme", day(1, 12), 1);
  await write("acme", day(2, 0), 2, AWKWARD_ACTOR, AWKWARD_DATA);
  await write("acme", day(2, 23), 3);
  await write("acme", day(3, 0), 4);
  await sealTenantAudit(ctx.db, "acme");
  await write("acme", day(4), 5);
  await write("acme", day(4, 11), 6);
  for (const tenantId of ["edited", "gap", "tail", "process", "seal-gone", "seal-forged", "seal-moved"]) {
    await provisionTenant(ctx, tenantId, tenantId);
    for (let i = 1; i <= 4; i++) await write(tenantId, day(1, i), i);
    await sealTenantAudit(ctx.db, tenantId);
  }
}

async function withEngine(fn: (ctx: EngineContext) => Promise<void>) {
  const engine = await openEngineFromEnv({ now: () => day(1, 0) });
  try {
    await fn(engine.ctx);
  } finally {
    await engine.close();
  }
}

describe("trackflow audit", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "trackflow-audit-cli-"));
    vi.stubEnv("TRACKFLOW_DATA_DIR", join(dir, "data"));
    vi.stubEnv("DATABASE_URL", "");
    vi.stubEnv("TRACKFLOW_SECRET_KEY", "");
    await withEngine(seed);
  }, 120_000);
  afterAll(async () => {
    vi.unstubAllEnvs();
    await rm(dir, { recursive: true, force: true });
  });

  describe("verify", () => {
    it("seals what is waiting, finds the chain intact and exits 0", async () => {
      const r = await run(["audit", "verify", "--tenant", "acme"]);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      expect(r.out).toBe(
        "tenant acme: 7 records, 0 redacted (2 sealed just now), head at 7\nverdict: intact\n",
      );
      const again = await run(["audit", "verify", "--tenant", "acme", "--json"]);
      expect(again.code).toBe(0);
      expect(JSON.parse(again.out)).toMatchObject({
        tenant: "acme",
        sealedNow: 0,
        ok: true,
        records: 7,
        redacted: 0,
        problems: [],
        head: { seq: 7 },
      });
    }, 60_000);

    it("finds an edited record", async () => {
      await withEngine(async (ctx) => {
        await ctx.db.query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
        await ctx.db.query(
          `UPDATE audit_log SET actor = 'forged' WHERE tenant_id = 'edited'
              AND id = (SELECT audit_id FROM audit_seals WHERE tenant_id = 'edited' AND seq = 3)`,
        );
        await ctx.db.query("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only");
      });
      const r = await run(["audit", "verify", "--tenant", "edited"]);
      expect(r.code).toBe(1);
      expect(r.out).toContain("  seq 3: edited: the record no longer matches its hash\n");
      expect(r.out).toContain("verdict: TAMPERED (1 problem)\n");
    }, 60_000);

    it("finds a record deleted from the middle", async () => {
      await withEngine(async (ctx) => {
        await ctx.db.query(
          "DELETE FROM audit_log WHERE tenant_id = 'gap' AND id = (SELECT audit_id FROM audit_seals WHERE tenant_id = 'gap' AND seq = 3)",
        );
      });
      const r = await run(["audit", "verify", "--tenant", "gap", "--json"]);
      expect(r.code).toBe(1);
      const verdict = JSON.parse(r.out);
      expect(verdict).toMatchObject({ ok: false, records: 4 });
      expect(verdict.problems).toEqual([
        expect.objectContaining({ seq: 3, problem: "missing" }),
        expect.objectContaining({ seq: 4, problem: "broken_link" }),
      ]);
    }, 60_000);

    it("finds a deleted tail through the stored head", async () => {
      await withEngine(async (ctx) => {
        await ctx.db.query(
          "DELETE FROM audit_log WHERE tenant_id = 'tail' AND id IN (SELECT audit_id FROM audit_seals WHERE tenant_id = 'tail' AND seq >= 4)",
        );
      });
      const r = await run(["audit", "verify", "--tenant", "tail"]);
      expect(r.code).toBe(1);
      expect(r.out).toContain("tenant tail: 3 records, 0 redacted, head at 5\n");
      expect(r.out).toContain("  seq 5: head_mismatch: the chain should end at record 5, it ends at 3\n");
      expect(r.out).toContain("verdict: TAMPERED (1 problem)\n");
    }, 60_000);

    it("finds a seal deleted from the middle, though its record is still there", async () => {
      await withEngine(async (ctx) => {
        await ctx.db.query("DELETE FROM audit_seals WHERE tenant_id = 'seal-gone' AND seq = 3");
      });
      const r = await run(["audit", "verify", "--tenant", "seal-gone", "--json"]);
      expect(r.code).toBe(1);
      const verdict = JSON.parse(r.out);
      expect(verdict).toMatchObject({ ok: false, records: 4, sealedNow: 0 });
      expect(verdict.problems).toEqual([
        expect.objectContaining({ seq: 3, problem: "missing" }),
        expect.objectContaining({ seq: 4, problem: "broken_link" }),
      ]);
    }, 60_000);

    it("finds a forged seal, which cannot be updated in place", async () => {
      await withEngine(async (ctx) => {
        const forge =
          "UPDATE audit_seals SET hash = repeat('f', 64) WHERE tenant_id = 'seal-forged' AND seq = 2";
        await expect(ctx.db.query(forge)).rejects.toMatchObject({ code: "23001" });
        await ctx.db.query("ALTER TABLE audit_seals DISABLE TRIGGER audit_seals_append_only");
        await ctx.db.query(forge);
        await ctx.db.query("ALTER TABLE audit_seals ENABLE TRIGGER audit_seals_append_only");
      });
      const r = await run(["audit", "verify", "--tenant", "seal-forged"]);
      expect(r.code).toBe(1);
      expect(r.out).toContain("  seq 2: edited: the record no longer matches its hash\n");
      expect(r.out).toContain("  seq 3: broken_link: does not point to the record before it\n");
      expect(r.out).toContain("verdict: TAMPERED (2 problems)\n");
    }, 60_000);

    it("finds a seal moved onto another record", async () => {
      await withEngine(async (ctx) => {
        // seals 4 and 5 are written again with their records swapped: every link still holds
        await ctx.db.transaction(async (tx) => {
          const { rows } = await tx.query<{ seq: number; audit_id: number; prev_hash: string; hash: string }>(
            "DELETE FROM audit_seals WHERE tenant_id = 'seal-moved' AND seq IN (4, 5) RETURNING seq, audit_id, prev_hash, hash",
          );
          for (const seal of rows) {
            const other = rows.find((o) => o.seq !== seal.seq)!;
            await tx.query(
              "INSERT INTO audit_seals (tenant_id, seq, audit_id, prev_hash, hash) VALUES ('seal-moved', $1, $2, $3, $4)",
              [seal.seq, other.audit_id, seal.prev_hash, seal.hash],
            );
          }
        });
      });
      const r = await run(["audit", "verify", "--tenant", "seal-moved", "--json"]);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.out).problems).toEqual([
        expect.objectContaining({ seq: 4, problem: "edited" }),
        expect.objectContaining({ seq: 5, problem: "edited" }),
      ]);
    }, 60_000);
  });

  describe("export", () => {
    const parseJsonl = (text: string) =>
      text
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line));

    it("writes JSONL in chain order that hashes back to the chain", async () => {
      const r = await run([
        "audit",
        "export",
        "--tenant",
        "acme",
        "--from",
        "2024-03-01",
        "--to",
        "2024-04-01",
        "--format",
        "jsonl",
      ]);
      expect(r.code).toBe(0);
      expect(r.err).toBe("");
      const records = parseJsonl(r.out);
      expect(records.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(Object.keys(records[0])).toEqual([...AUDIT_EXPORT_FIELDS]);
      expect(records[0].prevHash).toBe(GENESIS_HASH);
      for (const [i, x] of records.entries()) {
        expect(recordHash(x)).toBe(x.hash);
        expect(hashData(x.data)).toBe(x.dataHash);
        if (i > 0) expect(x.prevHash).toBe(records[i - 1].hash);
      }
      expect(records[2]).toMatchObject({
        actor: AWKWARD_ACTOR,
        data: AWKWARD_DATA,
        at: "2024-03-02T00:00:00.000Z",
      });
    }, 60_000);

    it("writes CSV that parses back to the same records, awkward text included", async () => {
      const jsonl = parseJsonl(
        (
          await run([
            "audit",
            "export",
            "--tenant",
            "acme",
            "--from",
            "2024-03-01",
            "--to",
            "2024-04-01",
            "--format",
            "jsonl",
          ])
        ).out,
      );
      const r = await run([
        "audit",
        "export",
        "--tenant",
        "acme",
        "--from",
        "2024-03-01",
        "--to",
        "2024-04-01",
        "--format",
        "csv",
      ]);
      expect(r.code).toBe(0);
      const [header, ...rows] = parseCsv(r.out);
      expect(header).toEqual([...AUDIT_EXPORT_FIELDS]);
      const back = rows.map((row) => {
        const f = Object.fromEntries(header!.map((name, i) => [name, row[i]]));
        return { ...f, seq: Number(f.seq), data: JSON.parse(f.data!) };
      });
      expect(back).toEqual(jsonl);
      expect(back[2]).toMatchObject({ actor: AWKWARD_ACTOR, data: AWKWARD_DATA });
    }, 60_000);

    it("keeps to the time range: from included, to excluded", async () => {
      const r = await run([
        "audit",
        "export",
        "--tenant",
        "acme",
        "--from",
        "2024-03-02T00:00:00Z",
        "--to",
        "2024-03-03T00:00:00+00:00",
        "--format",
        "jsonl",
      ]);
      expect(r.code).toBe(0);
      expect(parseJsonl(r.out).map((x) => [x.seq, x.at])).toEqual([
        [3, "2024-03-02T00:00:00.000Z"],
        [4, "2024-03-02T23:00:00.000Z"],
      ]);
      const offset = await run([
        "audit",
        "export",
        "--tenant",
        "acme",
        "--from",
        "2024-03-04T12:00:00+02:00", // 10:00Z
        "--to",
        "2024-03-05",
        "--format",
        "csv",
      ]);
      expect(parseCsv(offset.out).map((row) => row[1])).toEqual(["seq", "6", "7"]);
      const none = await run([
        "audit",
        "export",
        "--tenant",
        "acme",
        "--from",
        "2023-01-01",
        "--to",
        "2023-02-01",
        "--format",
        "csv",
      ]);
      expect(none).toMatchObject({ code: 0, out: `${AUDIT_EXPORT_FIELDS.join(",")}\r\n` });
    }, 60_000);

    it("writes to a file, readable by its owner only", async () => {
      const file = join(dir, "acme-audit.jsonl");
      const r = await run([
        "audit",
        "export",
        "--tenant",
        "acme",
        "--from",
        "2024-03-01",
        "--to",
        "2024-03-02",
        "--format",
        "jsonl",
        "--out",
        file,
      ]);
      expect(r).toMatchObject({ code: 0, out: "", err: `2 records written to ${file}\n` });
      expect(parseJsonl(await readFile(file, "utf8")).map((x) => x.seq)).toEqual([1, 2]);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    }, 60_000);
  });

  describe("mistakes", () => {
    it.each([
      [["audit"], /verify or export\?/],
      [["audit", "destroy"], /unknown audit command "destroy"/],
      [["audit", "verify"], /--tenant is required/],
      [
        ["audit", "export", "--tenant", "acme", "--from", "2024-03-01", "--to", "2024-03-02"],
        /--format is required/,
      ],
      [
        [
          "audit",
          "export",
          "--tenant",
          "acme",
          "--from",
          "2024-03-01T10:00",
          "--to",
          "2024-03-02",
          "--format",
          "csv",
        ],
        /--from "2024-03-01T10:00" is not a date/,
      ],
      [
        [
          "audit",
          "export",
          "--tenant",
          "acme",
          "--from",
          "2024-03-02",
          "--to",
          "2024-03-01",
          "--format",
          "csv",
        ],
        /--from must be before --to/,
      ],
      [
        [
          "audit",
          "export",
          "--tenant",
          "acme",
          "--from",
          "2024-03-01",
          "--to",
          "2024-03-02",
          "--format",
          "xml",
        ],
        /--format must be one of jsonl, csv/,
      ],
      [["audit", "verify", "--tenant", "acme", "--fast"], /Unknown option '--fast'/],
    ])("%j exits 2 and says what is wrong", async (argv, message) => {
      const r = await run(argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.out).toBe("");
    });

    it("names a tenant it does not know", async () => {
      const r = await run(["audit", "verify", "--tenant", "nobody"]);
      expect(r).toMatchObject({ code: 2, out: "", err: 'trackflow audit: no tenant "nobody"\n' });
    }, 60_000);

    it("asks for the key when the database is PostgreSQL", async () => {
      vi.stubEnv("DATABASE_URL", "postgres://127.0.0.1:1/trackflow");
      try {
        const r = await run(["audit", "verify", "--tenant", "acme"]);
        expect(r.code).toBe(2);
        expect(r.err).toMatch(/^trackflow audit: TRACKFLOW_SECRET_KEY is required with DATABASE_URL/);
      } finally {
        vi.stubEnv("DATABASE_URL", "");
      }
    });
  });

  it("exits 1 from a real process when the chain is tampered with", async () => {
    const main = join(import.meta.dirname, "main.ts");
    const env = {
      ...process.env,
      TRACKFLOW_DATA_DIR: join(dir, "data"),
      DATABASE_URL: "",
      TRACKFLOW_SECRET_KEY: "",
    };
    const exec = promisify(execFile);
    await withEngine(async (ctx) => {
      await ctx.db.query(
        "DELETE FROM audit_log WHERE tenant_id = 'process' AND id = (SELECT audit_id FROM audit_seals WHERE tenant_id = 'process' AND seq = 2)",
      );
    });
    await expect(
      exec(process.execPath, [main, "audit", "verify", "--tenant", "acme"], { env }),
    ).resolves.toMatchObject({
      stdout: expect.stringContaining("verdict: intact"),
    });
    await expect(
      exec(process.execPath, [main, "audit", "verify", "--tenant", "process"], { env }),
    ).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringContaining("verdict: TAMPERED"),
    });
  }, 120_000);
});
