import type { OrderInput } from "@trackflow/engine";
import { z } from "zod";

/** Where Trackflow's orders from WooCommerce come from (`orders.source`). */
export const WOO_SOURCE = "woocommerce";

/** The fields of a WooCommerce order (REST v3 and webhook payloads) that Trackflow reads. */
export const WooOrderSchema = z.looseObject({
  id: z.number().int().positive(),
  number: z.union([z.string(), z.number()]).transform(String).optional(),
  status: z.string().min(1),
  currency: z.string().optional(),
  total: z.union([z.string(), z.number()]).optional(),
  date_modified_gmt: z.string().nullable().optional(),
  billing: z.looseObject({}).optional(),
  shipping: z.looseObject({}).optional(),
  line_items: z.array(z.looseObject({ id: z.number().int(), quantity: z.number().int().min(0) })).optional(),
  meta_data: z.array(z.unknown()).optional(),
});
export type WooOrder = z.output<typeof WooOrderSchema>;

/** The order facts each WooCommerce core status stands for; a status not listed is kept raw only. */
const STATUS_FACTS: Readonly<Record<string, Partial<Pick<OrderInput, "processing" | "cancelled" | "hold">>>> =
  {
    pending: {},
    "checkout-draft": {},
    processing: { processing: true },
    "on-hold": { hold: "on-hold" },
    completed: { processing: true },
    cancelled: { cancelled: true },
    refunded: { cancelled: true },
    failed: { hold: "payment-failed" },
    "ready-for-pickup": { processing: true },
  };

/** When WooCommerce last changed the order (`date_modified_gmt`, given without an offset); null when absent or unreadable. */
export function wooModifiedAt(order: Pick<WooOrder, "date_modified_gmt">): Date | null {
  const date = order.date_modified_gmt?.trim();
  if (!date) return null;
  const at = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(date) ? date : `${date}Z`);
  return Number.isNaN(at.getTime()) ? null : at;
}

const email = z.email();
const e164 = /^\+[1-9]\d{6,14}$/;

function str(record: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = record?.[key];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * A WooCommerce order as the engine's OrderInput. The status word is always kept as given
 * (`hostStatus`, a custom status included); the core statuses also set the facts the engine rolls
 * the order status up from; `date_modified_gmt` is kept as `hostUpdatedAt`, so an older change of the
 * order arriving late is refused by the engine. Contact details that would not pass the engine's checks (a phone not
 * in E.164, a malformed email) are left out rather than failing the order.
 */
export function wooOrderInput(order: WooOrder): OrderInput {
  const status = order.status.replace(/^wc-/, "");
  const facts = STATUS_FACTS[status] ?? {};
  const billing = order.billing as Record<string, unknown> | undefined;
  const shipping = order.shipping as Record<string, unknown> | undefined;
  const name = [str(billing, "first_name"), str(billing, "last_name")].filter(Boolean).join(" ");
  const mail = str(billing, "email");
  const phone = str(shipping, "phone") ?? str(billing, "phone");
  const postcode = str(shipping, "postcode") ?? str(billing, "postcode");
  const total = Number(order.total);
  const currency = order.currency?.toUpperCase();
  const modifiedAt = wooModifiedAt(order);
  return {
    source: WOO_SOURCE,
    number: (order.number ?? String(order.id)).slice(0, 64),
    customer: {
      ...(name ? { name: name.slice(0, 200) } : {}),
      ...(mail && email.safeParse(mail).success ? { email: mail } : {}),
      ...(phone && e164.test(phone.replace(/[\s-]/g, "")) ? { phone: phone.replace(/[\s-]/g, "") } : {}),
      ...(postcode ? { postcode: postcode.slice(0, 20) } : {}),
    },
    lines: (order.line_items ?? []).map((line) => ({
      lineId: String(line.id),
      quantity: line.quantity,
      shippedQuantity: 0,
      cancelledQuantity: 0,
      backorderedQuantity: 0,
    })),
    tags: [],
    ...(Number.isFinite(total) && total >= 0 ? { totalValue: total } : {}),
    ...(currency && /^[A-Z]{3}$/.test(currency) ? { currency } : {}),
    cancelled: facts.cancelled ?? false,
    hold: facts.hold ?? null,
    returned: false,
    processing: facts.processing ?? false,
    hostStatus: status.slice(0, 64),
    ...(modifiedAt ? { hostUpdatedAt: modifiedAt.toISOString() } : {}),
  };
}

/** The shipping country (ISO alpha-2) where the order has one. */
export function wooDestinationCountry(order: WooOrder): string | undefined {
  const country = str(order.shipping as Record<string, unknown> | undefined, "country");
  return country && /^[A-Z]{2}$/.test(country) ? country : undefined;
}
