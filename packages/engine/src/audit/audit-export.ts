import type { AuditRecord } from "./audit-chain.ts";

/** The formats `trackflow audit export` writes. */
export const AUDIT_EXPORT_FORMATS = ["jsonl", "csv"] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

/** The fields of an exported record, in the order they are written. */
export const AUDIT_EXPORT_FIELDS = [
  "tenantId",
  "seq",
  "at",
  "actor",
  "action",
  "subject",
  "data",
  "dataHash",
  "prevHash",
  "hash",
] as const;

/** One record as exported: everything needed to recompute and check its hash on its own. */
export type ExportedAuditRecord = Pick<AuditRecord, (typeof AUDIT_EXPORT_FIELDS)[number]>;

export function exportedAuditRecord(r: AuditRecord): ExportedAuditRecord {
  return {
    tenantId: r.tenantId,
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    action: r.action,
    subject: r.subject,
    data: r.data,
    dataHash: r.dataHash,
    prevHash: r.prevHash,
    hash: r.hash,
  };
}

/** One JSON object per line (JSON Lines), newline-terminated. */
export function auditJsonLine(r: AuditRecord): string {
  return `${JSON.stringify(exportedAuditRecord(r))}\n`;
}

/** A CSV field (RFC 4180): quoted, with quotes doubled, when it holds a comma, quote or line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A CSV record (RFC 4180), CRLF-terminated. */
export function csvRecord(fields: readonly string[]): string {
  return `${fields.map(csvField).join(",")}\r\n`;
}

/** The header line of a CSV export. */
export function auditCsvHeader(): string {
  return csvRecord(AUDIT_EXPORT_FIELDS);
}

/** One record as a CSV line; `data` as JSON text. */
export function auditCsvRow(r: AuditRecord): string {
  return csvRecord([
    r.tenantId,
    String(r.seq),
    r.at,
    r.actor,
    r.action,
    r.subject,
    JSON.stringify(r.data ?? null),
    r.dataHash,
    r.prevHash,
    r.hash,
  ]);
}

export interface AuditFormatter {
  /** written once before the first record ("" when the format has none) */
  readonly header: string;
  record(r: AuditRecord): string;
}

export function auditFormatter(format: AuditExportFormat): AuditFormatter {
  return format === "csv"
    ? { header: auditCsvHeader(), record: auditCsvRow }
    : { header: "", record: auditJsonLine };
}

export class CsvSyntaxError extends Error {
  override name = "CsvSyntaxError";
}

/**
 * Reads CSV (RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; records
 * end in CRLF or LF) into rows of fields. The reverse of `csvRecord`.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  const endField = () => {
    row.push(field);
    field = "";
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' && field === "") {
      // a quoted field, up to the quote that is not doubled
      i++;
      for (;;) {
        const close = text.indexOf('"', i);
        if (close === -1) throw new CsvSyntaxError(`unterminated quoted field in record ${rows.length + 1}`);
        field += text.slice(i, close);
        if (text[close + 1] === '"') {
          field += '"';
          i = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
      const next = text[i];
      if (next !== undefined && next !== "," && next !== "\r" && next !== "\n")
        throw new CsvSyntaxError(`text after a closing quote in record ${rows.length + 1}`);
      if (next === undefined) {
        endRow();
        return rows;
      }
      continue;
    }
    if (c === ",") {
      endField();
      i++;
    } else if (c === "\r" && text[i + 1] === "\n") {
      endRow();
      i += 2;
    } else if (c === "\n") {
      endRow();
      i++;
    } else if (c === '"') {
      throw new CsvSyntaxError(`a quote inside an unquoted field in record ${rows.length + 1}`);
    } else {
      field += c;
      i++;
    }
  }
  if (field !== "" || row.length > 0) endRow();
  return rows;
}
