import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { type FileHandle, open, rename, rm } from "node:fs/promises";
import { resolve } from "node:path";
import type { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { type AuditEntryRow, getTenant, listAuditEntries } from "@trackflow/store";
import { AUDIT_EXPORT_FORMATS, type AuditExportFormat, auditFormatter } from "../audit/audit-export.ts";
import { sealTenantAudit, toAuditRecord } from "../audit/audit-sealer.ts";
import { verifyTenantAudit } from "../audit/verify-tenant-audit.ts";
import type { Engine } from "../engine.ts";
import { EngineConfigError, openEngineFromEnv } from "../runtime/engine-env.ts";
import { type CliIo, type ExitCode, UsageError, writeLine } from "./cli-io.ts";

export const auditUsage = `trackflow audit verify --tenant <id> [--json]
  Seals the tenant's waiting audit records, then checks its whole hash chain against the stored
  head and prints the verdict: exit 0 when intact, 1 when tampered with.
trackflow audit export --tenant <id> --from <ISO> --to <ISO> --format <${AUDIT_EXPORT_FORMATS.join("|")}> [--out FILE]
  Writes the tenant's sealed records with from <= at < to, in chain order, to FILE or standard
  output: JSON Lines, or CSV (RFC 4180) with data as JSON text. Times are dates (UTC) or
  date-times with Z or an offset.
  Both open the database as the server does: DATABASE_URL (PostgreSQL, with TRACKFLOW_SECRET_KEY)
  or TRACKFLOW_DATA_DIR (embedded, default ./.data/trackflow; not while a server uses it).`;

/** Records read per query. */
const PAGE = 1000;

export async function auditCommand(argv: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = argv;
  if (sub === "verify") return await verify(rest, io);
  if (sub === "export") return await exportRecords(rest, io);
  throw new UsageError(
    sub === undefined ? "verify or export?" : `unknown audit command ${JSON.stringify(sub)}`,
  );
}

function requireOption(value: string | undefined, name: string): string {
  if (value === undefined || value === "") throw new UsageError(`--${name} is required`);
  return value;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** A date (midnight UTC) or a date-time with its offset: never a bare local time, which is ambiguous. */
export function parseInstant(value: string, name: string): Date {
  const at = ISO_TIME.test(value) ? new Date(value) : null;
  if (at === null || Number.isNaN(at.getTime()))
    throw new UsageError(
      `--${name} ${JSON.stringify(value)} is not a date (2024-03-01) or a date-time with Z or an offset`,
    );
  return at;
}

/** Opens the engine from the environment for `fn`; a configuration problem is exit 2 with its message. */
async function withEngine(io: CliIo, fn: (engine: Engine) => Promise<ExitCode>): Promise<ExitCode> {
  let engine: Engine;
  try {
    engine = await openEngineFromEnv();
  } catch (error) {
    if (!(error instanceof EngineConfigError)) throw error;
    writeLine(io.stderr, `trackflow audit: ${error.message}`);
    return 2;
  }
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

async function knownTenant(engine: Engine, tenantId: string, io: CliIo): Promise<boolean> {
  if ((await getTenant(engine.ctx.db, tenantId)) !== null) return true;
  writeLine(io.stderr, `trackflow audit: no tenant ${JSON.stringify(tenantId)}`);
  return false;
}

async function* sealedEntries(
  engine: Engine,
  tenantId: string,
  range: { from?: Date; to?: Date } = {},
): AsyncGenerator<AuditEntryRow[]> {
  let afterSeq = 0;
  for (;;) {
    const page = await listAuditEntries(engine.ctx.db, tenantId, { ...range, afterSeq, limit: PAGE });
    if (page.length > 0) yield page;
    if (page.length < PAGE) return;
    afterSeq = page[page.length - 1]!.seq!;
  }
}

async function verify(argv: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseArgs({
    args: argv,
    options: { tenant: { type: "string" }, json: { type: "boolean", default: false } },
  });
  const tenantId = requireOption(values.tenant, "tenant");
  return await withEngine(io, async (engine) => {
    if (!(await knownTenant(engine, tenantId, io))) return 2;
    const { sealedNow, head, ...verdict } = await verifyTenantAudit(engine.ctx.db, tenantId);
    if (values.json) {
      writeLine(io.stdout, JSON.stringify({ tenant: tenantId, sealedNow, head, ...verdict }));
    } else {
      writeLine(
        io.stdout,
        `tenant ${tenantId}: ${verdict.records} records, ${verdict.redacted} redacted` +
          (sealedNow > 0 ? ` (${sealedNow} sealed just now)` : "") +
          `, head ${head === null ? "none" : `at ${head.seq}`}`,
      );
      for (const p of verdict.problems) writeLine(io.stdout, `  seq ${p.seq}: ${p.problem}: ${p.detail}`);
      writeLine(
        io.stdout,
        verdict.ok
          ? "verdict: intact"
          : `verdict: TAMPERED (${verdict.problems.length} problem${verdict.problems.length === 1 ? "" : "s"})`,
      );
    }
    return verdict.ok ? 0 : 1;
  });
}

/** Where an export goes: standard output, or a file that appears whole, or not at all. */
interface Sink {
  write(text: string): Promise<void>;
  finish(): Promise<void>;
  abandon(): Promise<void>;
}

function streamSink(stream: Writable): Sink {
  return {
    async write(text) {
      if (!stream.write(text)) await once(stream, "drain");
    },
    async finish() {},
    async abandon() {},
  };
}

async function fileSink(path: string): Promise<Sink> {
  // audit data may name people: readable by its owner only
  const aside = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.partial`;
  const handle: FileHandle = await open(aside, "wx", 0o600);
  return {
    async write(text) {
      await handle.write(text);
    },
    async finish() {
      await handle.close();
      await rename(aside, path);
    },
    async abandon() {
      await handle.close().catch(() => undefined);
      await rm(aside, { force: true });
    },
  };
}

async function exportRecords(argv: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseArgs({
    args: argv,
    options: {
      tenant: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      format: { type: "string" },
      out: { type: "string" },
    },
  });
  const tenantId = requireOption(values.tenant, "tenant");
  const from = parseInstant(requireOption(values.from, "from"), "from");
  const to = parseInstant(requireOption(values.to, "to"), "to");
  if (from.getTime() >= to.getTime()) throw new UsageError("--from must be before --to");
  const format = requireOption(values.format, "format");
  if (!(AUDIT_EXPORT_FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format must be one of ${AUDIT_EXPORT_FORMATS.join(", ")}`);
  const out = values.out === undefined || values.out === "-" ? null : resolve(values.out);

  return await withEngine(io, async (engine) => {
    if (!(await knownTenant(engine, tenantId, io))) return 2;
    await sealTenantAudit(engine.ctx.db, tenantId);
    const formatter = auditFormatter(format as AuditExportFormat);
    const sink = out === null ? streamSink(io.stdout) : await fileSink(out);
    let count = 0;
    try {
      if (formatter.header !== "") await sink.write(formatter.header);
      for await (const page of sealedEntries(engine, tenantId, { from, to })) {
        await sink.write(page.map((row) => formatter.record(toAuditRecord(row))).join(""));
        count += page.length;
      }
      await sink.finish();
    } catch (error) {
      await sink.abandon();
      throw error;
    }
    if (out !== null) writeLine(io.stderr, `${count} records written to ${out}`);
    return 0;
  });
}
