import { Readable } from "node:stream";
import { type AuditEntryRow, type AuditSearch, listAuditEntries, searchAuditEntries } from "@trackflow/store";
import { AUDIT_EXPORT_FORMATS, type AuditExportFormat, auditFormatter } from "../audit/audit-export.ts";
import { sealTenantAudit, toAuditRecord } from "../audit/audit-sealer.ts";
import { type TenantAuditVerdict, verifyTenantAudit } from "../audit/verify-tenant-audit.ts";
import type { EngineContext } from "../engine-context.ts";
import { html, type SafeHtml } from "../tracking/html.ts";
import type { ConsoleCaller } from "./console-auth.ts";
import { formatInstant } from "./console-format.ts";
import { alertBox, consolePage, csrfField } from "./console-layout.ts";
import type { ConsoleRouter } from "./console-router.ts";

const PER_PAGE = 50;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const EXPORT_PAGE = 1000;

export interface AuditPageQuery {
  action?: string | undefined;
  actor?: string | undefined;
  subject?: string | undefined;
  /** first day (UTC), inclusive */
  from?: string | undefined;
  /** last day (UTC), inclusive */
  to?: string | undefined;
  before?: number | undefined;
}

const dayStart = (d: string | undefined) => (d ? new Date(`${d}T00:00:00Z`) : undefined);
const dayAfter = (d: string | undefined) =>
  d ? new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000) : undefined;

export function parseAuditQuery(q: Record<string, string | undefined>): AuditPageQuery {
  const str = (v: string | undefined) => (v && v.trim() !== "" ? v.trim().slice(0, 200) : undefined);
  const day = (v: string | undefined) =>
    v && DAY.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) ? v : undefined;
  const before = Number.parseInt(q.before ?? "", 10);
  return {
    action: str(q.action),
    actor: str(q.actor),
    subject: str(q.subject),
    from: day(q.from),
    to: day(q.to),
    before: Number.isSafeInteger(before) && before > 0 ? before : undefined,
  };
}

function search(q: AuditPageQuery): AuditSearch {
  return {
    action: q.action,
    actor: q.actor,
    subject: q.subject,
    from: dayStart(q.from),
    to: dayAfter(q.to),
    beforeId: q.before,
  };
}

function link(q: AuditPageQuery, before?: number): string {
  const p = new URLSearchParams();
  for (const k of ["action", "actor", "subject", "from", "to"] as const) {
    const v = q[k];
    if (v) p.set(k, v);
  }
  if (before !== undefined) p.set("before", String(before));
  const s = p.toString();
  return `/console/audit${s ? `?${s}` : ""}`;
}

function verdictBox(v: TenantAuditVerdict): SafeHtml {
  const summary = `${v.records} records, ${v.redacted} redacted${v.sealedNow > 0 ? `, ${v.sealedNow} sealed just now` : ""}, chain head ${v.head === null ? "none" : `at ${v.head.seq}`}.`;
  return v.ok
    ? html`<div class="notice" role="status"><p><strong>The chain is intact.</strong> ${summary}</p></div>`
    : html`<div class="alert" role="alert"><p><strong>The chain has been tampered with</strong> (${v.problems.length} problem${v.problems.length === 1 ? "" : "s"}). ${summary}</p>
<ul>${v.problems.map((p) => html`<li>Record ${p.seq}: ${p.problem.replaceAll("_", " ")}: ${p.detail}</li>`)}</ul></div>`;
}

export function renderAudit(
  caller: ConsoleCaller,
  q: AuditPageQuery,
  entries: AuditEntryRow[],
  extra: { verdict?: TenantAuditVerdict; alert?: string } = {},
): string {
  const page = entries.slice(0, PER_PAGE);
  const last = page[page.length - 1];
  const input = (name: keyof AuditPageQuery, label: string, type = "text", hint?: string) =>
    html`<div><label for="a-${name}">${label}</label><input id="a-${name}" name="${name}" type="${type}" value="${q[name] ?? ""}"${hint ? html` placeholder="${hint}"` : ""}></div>`;
  return consolePage(
    caller,
    "audit",
    "Audit",
    html`<h1>Audit trail</h1>
${extra.verdict ? verdictBox(extra.verdict) : ""}${alertBox(extra.alert)}
<div class="grid">
<section class="card" aria-labelledby="verify">
<h2 id="verify">Verify the chain</h2>
<p class="muted">Seals the records waiting, then checks every record's hash and link and the chain's head: an edited, inserted or deleted record shows.</p>
<form method="post" action="/console/audit/verify">${csrfField(caller)}<button type="submit">Verify the chain</button></form>
</section>
<section class="card" aria-labelledby="export">
<h2 id="export">Export</h2>
<form class="filters" method="get" action="/console/audit/export">
<div><label for="e-from">From (UTC day)</label><input id="e-from" name="from" type="date" value="${q.from ?? ""}"></div>
<div><label for="e-to">To (UTC day)</label><input id="e-to" name="to" type="date" value="${q.to ?? ""}"></div>
<div><label for="e-format">Format</label><select id="e-format" name="format">${AUDIT_EXPORT_FORMATS.map((f) => html`<option value="${f}">${f.toUpperCase()}</option>`)}</select></div>
<div><button type="submit">Download</button></div>
</form>
</section>
</div>
<section class="card" aria-labelledby="records">
<h2 id="records">Records, newest first</h2>
<form class="filters" method="get" action="/console/audit" role="search" aria-label="Filter audit records">
${input("action", "Action", "search", "notification.")}${input("actor", "Actor", "search")}${input("subject", "Subject", "search", "shipment:shp_…")}${input("from", "From", "date")}${input("to", "To", "date")}
<div><button type="submit">Filter</button></div>
</form>
${
  page.length === 0
    ? html`<p>No records match.</p>`
    : html`<table><caption class="visually-hidden">Audit records, newest first</caption>
<thead><tr><th scope="col">Seq</th><th scope="col">At</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Subject</th><th scope="col">Data</th></tr></thead>
<tbody>${page.map(
        (
          e,
        ) => html`<tr><td>${e.seq ?? html`<span class="muted">waiting</span>`}</td><td>${formatInstant(e.at)}</td><td><code>${e.actor}</code></td><td><code>${e.action}</code></td><td><code>${e.subject}</code></td>
<td>${e.data === null ? "—" : html`<details><summary>Data</summary><pre class="code">${JSON.stringify(e.data, null, 2)}</pre></details>`}</td></tr>`,
      )}</tbody></table>`
}
<nav class="pager" aria-label="Pages">
${q.before !== undefined ? html`<a href="${link(q)}">Newest</a>` : ""}
${entries.length > PER_PAGE && last ? html`<a href="${link(q, last.id)}" rel="next">Older records</a>` : ""}
</nav>
</section>`,
  );
}

/** The tenant's sealed records in chain order within [from, to), formatted, a page at a time. */
async function* exportLines(
  ctx: EngineContext,
  tenantId: string,
  format: AuditExportFormat,
  range: { from?: Date | undefined; to?: Date | undefined },
): AsyncGenerator<string> {
  const formatter = auditFormatter(format);
  if (formatter.header) yield formatter.header;
  let afterSeq = 0;
  for (;;) {
    const page = await listAuditEntries(ctx.db, tenantId, { ...range, afterSeq, limit: EXPORT_PAGE });
    if (page.length > 0) yield page.map((row) => formatter.record(toAuditRecord(row))).join("");
    if (page.length < EXPORT_PAGE) return;
    afterSeq = page[page.length - 1]!.seq!;
  }
}

/**
 * `GET /console/audit` (browse with filters, newest first, paged), `POST /console/audit/verify`
 * (the check behind `trackflow audit verify`), `GET /console/audit/export?format=jsonl|csv`
 * (as `trackflow audit export` writes it, a download). Verifying and exporting change nothing
 * but sealing records that wait, so a read-only key may do both.
 */
export function registerAuditRoutes(router: ConsoleRouter): void {
  const { ctx } = router;
  const load = (tenantId: string, q: AuditPageQuery) =>
    searchAuditEntries(ctx.db, tenantId, { ...search(q), limit: PER_PAGE + 1 });

  router.page("/console/audit", async (caller, request, reply) => {
    const q = parseAuditQuery(request.query);
    return router.html(reply, 200, renderAudit(caller, q, await load(caller.tenant.id, q)));
  });

  router.action(
    "/console/audit/verify",
    async (caller, _request, _form, reply) => {
      const verdict = await verifyTenantAudit(ctx.db, caller.tenant.id);
      return router.html(reply, 200, renderAudit(caller, {}, await load(caller.tenant.id, {}), { verdict }));
    },
    "any",
  );

  router.page("/console/audit/export", async (caller, request, reply) => {
    const q = parseAuditQuery(request.query);
    const format = AUDIT_EXPORT_FORMATS.find((f) => f === request.query.format);
    if (!format)
      return router.html(
        reply,
        400,
        renderAudit(caller, q, await load(caller.tenant.id, q), { alert: "Pick JSONL or CSV to export." }),
      );
    await sealTenantAudit(ctx.db, caller.tenant.id);
    const name = `audit-${caller.tenant.id.replace(/[^A-Za-z0-9_.-]/g, "_")}${q.from ? `-from-${q.from}` : ""}${q.to ? `-to-${q.to}` : ""}.${format}`;
    return reply
      .code(200)
      .header("cache-control", "no-store")
      .header("x-content-type-options", "nosniff")
      .header("content-disposition", `attachment; filename="${name}"`)
      .type(format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8")
      .send(
        Readable.from(
          exportLines(ctx, caller.tenant.id, format, { from: dayStart(q.from), to: dayAfter(q.to) }),
        ),
      );
  });
}
