import type { OrderInput } from "@trackflow/engine";
import { z } from "zod";

/** The parts of Shopify's order webhook payload (REST Order JSON) Trackflow reads. */
export const ShopifyOrderSchema = z.object({
  id: z.number().int(),
  admin_graphql_api_id: z.string().optional(),
  name: z.string().max(64).optional(),
  email: z.string().nullable().optional(),
  phone: z.string().nullable().optional(),
  contact_email: z.string().nullable().optional(),
  customer_locale: z.string().nullable().optional(),
  cancelled_at: z.string().nullable().optional(),
  closed_at: z.string().nullable().optional(),
  fulfillment_status: z.string().nullable().optional(),
  financial_status: z.string().nullable().optional(),
  tags: z.string().nullable().optional(),
  total_price: z.string().nullable().optional(),
  currency: z.string().nullable().optional(),
  customer: z
    .object({
      email: z.string().nullable().optional(),
      phone: z.string().nullable().optional(),
      first_name: z.string().nullable().optional(),
      last_name: z.string().nullable().optional(),
      locale: z.string().nullable().optional(),
    })
    .nullable()
    .optional(),
  shipping_address: z
    .object({
      zip: z.string().nullable().optional(),
      country_code: z.string().nullable().optional(),
      phone: z.string().nullable().optional(),
      first_name: z.string().nullable().optional(),
      last_name: z.string().nullable().optional(),
      name: z.string().nullable().optional(),
    })
    .nullable()
    .optional(),
  line_items: z
    .array(
      z.object({
        id: z.number().int(),
        quantity: z.number().int().min(0),
        current_quantity: z.number().int().min(0).optional(),
        fulfillable_quantity: z.number().int().min(0).nullable().optional(),
        fulfillment_status: z.string().nullable().optional(),
      }),
    )
    .default([]),
  fulfillments: z.array(z.unknown()).default([]),
});

export type ShopifyOrder = z.infer<typeof ShopifyOrderSchema>;

const E164 = /^\+[1-9]\d{6,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function present(...values: Array<string | null | undefined>): string | undefined {
  for (const value of values) {
    const trimmed = value?.trim();
    if (trimmed) return trimmed;
  }
  return undefined;
}

/** A phone number as E.164 when it is one (spaces, dashes and brackets removed), else none. */
function e164(phone: string | undefined): string | undefined {
  if (!phone) return undefined;
  const compact = phone.replace(/[\s().-]/g, "");
  return E164.test(compact) ? compact : undefined;
}

/** The order's lines as quantities: ordered, shipped (fulfilled), cancelled (removed or refunded). */
function lines(order: ShopifyOrder): OrderInput["lines"] {
  return order.line_items.map((line) => {
    const current = line.current_quantity ?? line.quantity;
    const cancelledQuantity = Math.max(0, line.quantity - current);
    const unfulfilled = line.fulfillable_quantity ?? (line.fulfillment_status === "fulfilled" ? 0 : current);
    const shippedQuantity = Math.max(0, Math.min(current, current - unfulfilled));
    return {
      lineId: String(line.id),
      quantity: line.quantity,
      shippedQuantity,
      cancelledQuantity,
      backorderedQuantity: 0,
    };
  });
}

/**
 * Shopify's order as the engine's OrderInput: number, lines with quantities, customer (email,
 * E.164 phone, locale, name, shipping postcode), tags, total, cancellation and Shopify's own
 * fulfillment status word. A malformed email or phone is left out, not fatal: the order still
 * counts.
 */
export function orderInput(order: ShopifyOrder): OrderInput {
  const email = present(order.email, order.contact_email, order.customer?.email);
  const phone = e164(present(order.phone, order.customer?.phone, order.shipping_address?.phone));
  const name =
    present(
      [order.customer?.first_name, order.customer?.last_name].filter(Boolean).join(" "),
      order.shipping_address?.name,
    ) ?? undefined;
  const locale = present(order.customer_locale, order.customer?.locale);
  const postcode = present(order.shipping_address?.zip);
  const total = order.total_price ? Number(order.total_price) : Number.NaN;
  const currency = present(order.currency);
  return {
    source: "shopify",
    number: order.name ?? String(order.id),
    customer: {
      ...(name ? { name: name.slice(0, 200) } : {}),
      ...(email && EMAIL.test(email) ? { email } : {}),
      ...(phone ? { phone } : {}),
      ...(locale ? { locale: locale.slice(0, 35) } : {}),
      ...(postcode ? { postcode: postcode.slice(0, 20) } : {}),
    },
    lines: lines(order),
    tags: (order.tags ?? "")
      .split(",")
      .map((tag) => tag.trim())
      .filter((tag) => tag !== ""),
    ...(Number.isFinite(total) && total >= 0 ? { totalValue: total } : {}),
    ...(currency && currency.length === 3 ? { currency } : {}),
    cancelled: Boolean(order.cancelled_at),
    hold: null,
    returned: false,
    processing: false,
    hostStatus: order.cancelled_at ? "cancelled" : (order.fulfillment_status ?? "unfulfilled"),
  };
}

/** The destination country of the order (ISO 3166-1 alpha-2), when the shipping address has one. */
export function destinationCountry(order: ShopifyOrder): string | undefined {
  const code = order.shipping_address?.country_code?.trim().toUpperCase();
  return code && /^[A-Z]{2}$/.test(code) ? code : undefined;
}
