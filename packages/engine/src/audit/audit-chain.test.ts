import { describe, expect, it } from "vitest";
import { type AuditRecord, chainRecord, REDACTED, verifyChain } from "./audit-chain.ts";

function chain(n: number): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (let i = 0; i < n; i++) {
    const prev = out[out.length - 1] ?? null;
    out.push(
      chainRecord(
        "t1",
        prev,
        {
          actor: "system",
          action: "event.received",
          subject: `shipment:${i}`,
          data: { i, email: `c${i}@example.com` },
        },
        new Date(Date.UTC(2024, 2, 1, 0, i)),
      ),
    );
  }
  return out;
}
const headOf = (records: AuditRecord[]) => ({ seq: records.at(-1)!.seq, hash: records.at(-1)!.hash });

describe("verifyChain", () => {
  it("accepts an untouched chain", () => {
    const records = chain(5);
    expect(verifyChain(records, headOf(records))).toEqual({
      ok: true,
      records: 5,
      redacted: 0,
      problems: [],
    });
  });

  it("finds an edited record", () => {
    const records = chain(5);
    const head = headOf(records);
    records[2] = { ...records[2]!, actor: "someone-else" };
    expect(verifyChain(records, head).problems).toEqual([
      expect.objectContaining({ seq: 3, problem: "edited" }),
    ]);
  });

  it("finds edited data", () => {
    const records = chain(3);
    const head = headOf(records);
    records[1] = { ...records[1]!, data: { i: 1, email: "forged@example.com" } };
    expect(verifyChain(records, head).problems).toEqual([
      expect.objectContaining({ seq: 2, problem: "data_edited" }),
    ]);
  });

  it("finds a deleted record", () => {
    const records = chain(5);
    const head = headOf(records);
    records.splice(2, 1);
    const kinds = verifyChain(records, head).problems.map((p) => p.problem);
    expect(kinds).toEqual(["missing", "broken_link"]);
  });

  it("finds an inserted record", () => {
    const records = chain(4);
    const head = headOf(records);
    const forged = chainRecord(
      "t1",
      records[1]!,
      { actor: "x", action: "y", subject: "z", data: null },
      new Date(),
    );
    records.splice(2, 0, forged);
    const verdict = verifyChain(records, head);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems.map((p) => p.problem)).toContain("inserted");
  });

  it("finds a deleted tail through the head", () => {
    const records = chain(5);
    const head = headOf(records);
    expect(verifyChain(records.slice(0, 3), head).problems).toEqual([
      expect.objectContaining({ problem: "head_mismatch" }),
    ]);
  });

  it("lets personal data be redacted without breaking the chain", () => {
    const records = chain(3);
    records[1] = { ...records[1]!, data: REDACTED };
    expect(verifyChain(records, headOf(records))).toMatchObject({ ok: true, redacted: 1 });
  });
});
