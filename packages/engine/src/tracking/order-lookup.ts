import { createHash, timingSafeEqual } from "node:crypto";
import { findOrdersByNumber, type OrderRow, type Queryable } from "@trackflow/store";

/** What a customer types to find their order. */
export interface LookupInput {
  orderNumber: string;
  /** the email address or the delivery postcode the order was placed with */
  contact: string;
}

/** More than one host may use an order number: this many are checked, no more. */
const MAX_CANDIDATES = 5;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f]/;

/** "#1001 " → "1001"; null when empty, too long or not printable. */
export function normaliseOrderNumber(raw: string): string | null {
  const value = raw.trim().replace(/^#\s*/, "");
  if (value === "" || value.length > 64 || CONTROL.test(value)) return null;
  return value;
}

/** An email address as compared: trimmed, lower case. */
export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

/** A postcode as compared: upper case, without spaces or dashes ("sw1a 1aa" → "SW1A1AA"). */
export function normalisePostcode(raw: string): string {
  return raw.replace(/[\s-]+/g, "").toUpperCase();
}

/** The contact as typed, trimmed; null when empty, too long or not printable. */
export function normaliseContact(raw: string): string | null {
  const value = raw.trim();
  if (value === "" || value.length > 320 || CONTROL.test(value)) return null;
  return value;
}

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/** Equal strings, compared in time that does not depend on where they differ. */
function sameSecret(given: string, stored: string | null | undefined): boolean {
  // always hashed and compared, so a missing value costs the same as a wrong one
  const equal = timingSafeEqual(digest(given), digest(stored ?? ""));
  return equal && typeof stored === "string" && stored !== "";
}

/**
 * Whether the contact is the order's customer email or delivery postcode. Both comparisons are
 * always made, in constant time, whatever the contact looks like.
 */
export function contactMatches(order: Pick<OrderRow, "customer">, contact: string): boolean {
  const email = order.customer.email ? normaliseEmail(order.customer.email) : null;
  const postcode = order.customer.postcode ? normalisePostcode(order.customer.postcode) : null;
  const byEmail = sameSecret(normaliseEmail(contact), email);
  const byPostcode = sameSecret(normalisePostcode(contact), postcode);
  return byEmail || byPostcode;
}

const NO_ORDER: Pick<OrderRow, "customer"> = { customer: { email: "\u0000", postcode: "\u0000" } };

/**
 * The order a customer means by its number and their email address or postcode; null when
 * nothing matches, whatever the reason (no such number, wrong email or postcode, bad input), so
 * an answer never tells which part was wrong. When no order has the number, a comparison is made
 * all the same.
 */
export async function lookupOrder(
  db: Queryable,
  tenantId: string,
  input: LookupInput,
): Promise<OrderRow | null> {
  const orderNumber = normaliseOrderNumber(input.orderNumber);
  const contact = normaliseContact(input.contact);
  const candidates = orderNumber ? await findOrdersByNumber(db, tenantId, orderNumber, MAX_CANDIDATES) : [];
  let found: OrderRow | null = null;
  for (const order of candidates) {
    if (contactMatches(order, contact ?? "") && contact !== null) found ??= order;
  }
  if (candidates.length === 0) contactMatches(NO_ORDER, contact ?? "");
  return found;
}
