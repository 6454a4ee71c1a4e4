import type { Queryable } from "@trackflow/store";
import { describe, expect, it } from "vitest";
import {
  contactMatches,
  lookupOrder,
  normaliseContact,
  normaliseOrderNumber,
  normalisePostcode,
} from "./order-lookup.ts";

const order = (customer: { email?: string | null; postcode?: string | null }) => ({ customer });

/** A database holding these orders (no lines), answering the lookup's queries. */
function fakeDb(rows: { id: string; number: string; email?: string; postcode?: string }[]) {
  const queries: unknown[][] = [];
  const db = {
    async query(sql: string, params: unknown[] = []) {
      queries.push(params);
      if (sql.includes("order_lines")) return { rows: [], rowCount: 0 };
      const wanted = String(params[1]).toLowerCase();
      const found = rows
        .filter((r) => r.number.toLowerCase() === wanted)
        .map((r) => ({
          id: r.id,
          tenant_id: params[0],
          source: "api",
          external_id: r.number,
          status: "shipped",
          customer: { email: r.email, postcode: r.postcode },
          data: { orderNumber: r.number },
          updated_at: new Date(0),
        }));
      return { rows: found, rowCount: found.length };
    },
  } as unknown as Queryable;
  return { db, queries };
}

describe("order lookup", () => {
  it("normalises what the customer typed", () => {
    expect(normaliseOrderNumber("  #1001 ")).toBe("1001");
    expect(normaliseOrderNumber("# A-17")).toBe("A-17");
    expect(normaliseOrderNumber("   ")).toBeNull();
    expect(normaliseOrderNumber("x".repeat(65))).toBeNull();
    expect(normaliseOrderNumber("10\u000001")).toBeNull();
    expect(normalisePostcode(" sw1a 1aa ")).toBe("SW1A1AA");
    expect(normalisePostcode("12345-6789")).toBe("123456789");
    expect(normaliseContact("  ada@example.com ")).toBe("ada@example.com");
    expect(normaliseContact("")).toBeNull();
    expect(normaliseContact("a\nb")).toBeNull();
  });

  it("matches the customer's email (any case) or postcode (any spacing), nothing else", () => {
    const o = order({ email: "Ada@Example.com", postcode: "SW1A 1AA" });
    expect(contactMatches(o, "ada@example.com")).toBe(true);
    expect(contactMatches(o, " ADA@EXAMPLE.COM ")).toBe(true);
    expect(contactMatches(o, "sw1a1aa")).toBe(true);
    expect(contactMatches(o, "SW1A-1AA")).toBe(true);
    expect(contactMatches(o, "bob@example.com")).toBe(false);
    expect(contactMatches(o, "SW1A 1AB")).toBe(false);
    expect(contactMatches(o, "ada@example")).toBe(false);
  });

  it("never matches what the order does not have", () => {
    expect(contactMatches(order({}), "")).toBe(false);
    expect(contactMatches(order({ email: null, postcode: null }), "")).toBe(false);
    expect(contactMatches(order({ email: "", postcode: "" }), "")).toBe(false);
    expect(contactMatches(order({ email: "ada@example.com" }), "-")).toBe(false);
  });

  it("finds the order by number and contact; null for a wrong number, contact or empty input", async () => {
    const { db } = fakeDb([
      { id: "ord_1", number: "1001", email: "ada@example.com", postcode: "10115" },
      { id: "ord_2", number: "1002", email: "bob@example.com" },
    ]);
    expect((await lookupOrder(db, "acme", { orderNumber: "#1001", contact: "ADA@example.com" }))?.id).toBe(
      "ord_1",
    );
    expect((await lookupOrder(db, "acme", { orderNumber: "1001", contact: "10115" }))?.id).toBe("ord_1");
    expect(await lookupOrder(db, "acme", { orderNumber: "1001", contact: "bob@example.com" })).toBeNull();
    expect(await lookupOrder(db, "acme", { orderNumber: "1003", contact: "ada@example.com" })).toBeNull();
    expect(await lookupOrder(db, "acme", { orderNumber: "1001", contact: "" })).toBeNull();
    expect(await lookupOrder(db, "acme", { orderNumber: "", contact: "ada@example.com" })).toBeNull();
  });

  it("picks, among orders of several hosts sharing a number, the one whose customer it is", async () => {
    const { db } = fakeDb([
      { id: "ord_a", number: "500", email: "ada@example.com" },
      { id: "ord_b", number: "500", email: "bob@example.com" },
    ]);
    expect((await lookupOrder(db, "acme", { orderNumber: "500", contact: "bob@example.com" }))?.id).toBe(
      "ord_b",
    );
  });

  it("asks the database only within the tenant", async () => {
    const { db, queries } = fakeDb([]);
    await lookupOrder(db, "acme", { orderNumber: "1001", contact: "x@example.com" });
    expect(queries[0]?.[0]).toBe("acme");
  });
});
