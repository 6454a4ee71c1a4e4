import { describe, expect, it } from "vitest";
import { type AuditRecord, chainRecord, recordHash, verifyChain } from "./audit-chain.ts";
import {
  AUDIT_EXPORT_FIELDS,
  auditCsvHeader,
  auditCsvRow,
  auditFormatter,
  auditJsonLine,
  CsvSyntaxError,
  csvField,
  csvRecord,
  parseCsv,
} from "./audit-export.ts";

const awkward = {
  note: 'said "hello, world"\nthen left',
  crlf: "a\r\nb",
  unicode: "Zoë ✓ \u2028",
  nested: { list: [1, null, "x,y"] },
};

function chain(): AuditRecord[] {
  const drafts = [
    { actor: "system", action: "tenant.provisioned", subject: "tenant:acme", data: { name: "Acme" } },
    { actor: 'staff:O"Brien, Pat', action: "shipment.note", subject: "shipment:shp_1", data: awkward },
    { actor: "worker", action: "notification.sent", subject: "notification:ntf_1", data: null },
  ];
  const out: AuditRecord[] = [];
  for (const [i, draft] of drafts.entries())
    out.push(chainRecord("acme", out.at(-1) ?? null, draft, new Date(Date.UTC(2024, 2, 1, 10, i))));
  return out;
}

describe("csvField", () => {
  it.each([
    ["plain", "plain"],
    ["", ""],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    ["cr\rlf", '"cr\rlf"'],
    [" spaced ", " spaced "],
  ])("%j → %j", (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it("ends a record with CRLF", () => {
    expect(csvRecord(["a", "b,c", ""])).toBe('a,"b,c",\r\n');
  });
});

describe("parseCsv", () => {
  it("reads quoted fields with commas, doubled quotes and line breaks", () => {
    expect(parseCsv('a,"b,c","say ""hi""","x\r\ny",""\r\n1,2,3,4,5\r\n')).toEqual([
      ["a", "b,c", 'say "hi"', "x\r\ny", ""],
      ["1", "2", "3", "4", "5"],
    ]);
  });

  it("takes LF line ends and a missing final line end", () => {
    expect(parseCsv("a,b\nc,")).toEqual([
      ["a", "b"],
      ["c", ""],
    ]);
  });

  it.each([
    ['"open', /unterminated/],
    ['"a"b', /after a closing quote/],
    ['a"b', /inside an unquoted field/],
  ])("rejects %j", (text, message) => {
    expect(() => parseCsv(text)).toThrow(CsvSyntaxError);
    expect(() => parseCsv(text)).toThrow(message);
  });
});

describe("audit export formats", () => {
  it("writes one JSON object per line with the chain's fields in order", () => {
    const [first] = chain();
    const line = auditJsonLine(first!);
    expect(line.endsWith("\n")).toBe(true);
    expect(line.slice(0, -1)).not.toContain("\n");
    expect(Object.keys(JSON.parse(line))).toEqual([...AUDIT_EXPORT_FIELDS]);
    expect(JSON.parse(line)).toEqual({
      tenantId: "acme",
      seq: 1,
      at: "2024-03-01T10:00:00.000Z",
      actor: "system",
      action: "tenant.provisioned",
      subject: "tenant:acme",
      data: { name: "Acme" },
      dataHash: first!.dataHash,
      prevHash: "0".repeat(64),
      hash: first!.hash,
    });
  });

  it("writes CSV with a header and data as JSON text", () => {
    const [first] = chain();
    expect(auditCsvHeader()).toBe("tenantId,seq,at,actor,action,subject,data,dataHash,prevHash,hash\r\n");
    expect(auditCsvRow(first!)).toBe(
      `acme,1,2024-03-01T10:00:00.000Z,system,tenant.provisioned,tenant:acme,"{""name"":""Acme""}",${first!.dataHash},${"0".repeat(64)},${first!.hash}\r\n`,
    );
  });

  it("round-trips JSONL: the records read back still verify as a chain", () => {
    const records = chain();
    const { header, record } = auditFormatter("jsonl");
    const text = header + records.map(record).join("");
    const back = text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as AuditRecord);
    expect(back).toEqual(records);
    expect(verifyChain(back, { seq: 3, hash: records[2]!.hash })).toMatchObject({ ok: true, records: 3 });
  });

  it("round-trips CSV, awkward text included", () => {
    const records = chain();
    const { header, record } = auditFormatter("csv");
    const [head, ...rows] = parseCsv(header + records.map(record).join(""));
    expect(head).toEqual([...AUDIT_EXPORT_FIELDS]);
    expect(rows).toHaveLength(3);
    const back = rows.map((row): AuditRecord => {
      const f = Object.fromEntries(head!.map((name, i) => [name, row[i]!]));
      return {
        tenantId: f.tenantId!,
        seq: Number(f.seq),
        at: f.at!,
        actor: f.actor!,
        action: f.action!,
        subject: f.subject!,
        data: JSON.parse(f.data!),
        dataHash: f.dataHash!,
        prevHash: f.prevHash!,
        hash: f.hash!,
      };
    });
    expect(back).toEqual(records);
    expect(back[1]!.actor).toBe('staff:O"Brien, Pat');
    expect(back[1]!.data).toEqual(awkward);
    for (const r of back) expect(recordHash(r)).toBe(r.hash);
  });
});
