import { type EngineContext, hashData, REDACTED } from "@trackflow/engine";
import {
  deleteShopifyShopRows,
  eraseEventSigners,
  findShopifyCustomerOrderIds,
  getShopifyShop,
  insertAuditEntry,
  listNotificationIdsOfOrders,
  listShipments,
  redactAuditEntries,
  redactShopifyCustomerRows,
  saveShopifyDataRequest,
  shopifyCustomerData,
} from "@trackflow/store";
import { z } from "zod";
import { SHOPIFY_ACTOR, ShopifyPayloadError } from "./orders-webhook.ts";

const CustomerSchema = z.object({
  id: z.number().int(),
  email: z.string().nullable().optional(),
  phone: z.string().nullable().optional(),
});

const DataRequestSchema = z.object({
  customer: CustomerSchema,
  orders_requested: z.array(z.number().int()).default([]),
  data_request: z.object({ id: z.number().int() }),
});

const CustomerRedactSchema = z.object({
  customer: CustomerSchema,
  orders_to_redact: z.array(z.number().int()).default([]),
});

function parse<T>(schema: z.ZodType<T>, payload: unknown, topic: string): T {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ShopifyPayloadError(`${topic} payload: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return parsed.data;
}

async function customerOrderIds(
  ctx: EngineContext,
  tenantId: string,
  customer: z.infer<typeof CustomerSchema>,
  orderIds: readonly number[],
): Promise<string[]> {
  return await findShopifyCustomerOrderIds(ctx.db, tenantId, {
    orderExternalIds: orderIds.map(String),
    email: customer.email?.trim() || null,
    phone: customer.phone?.replace(/[\s().-]/g, "") || null,
  });
}

/**
 * customers/data_request: everything Trackflow holds for the customer (the orders Shopify names
 * and those under the customer's email or phone, with their shipments, events and notifications)
 * is put together and kept for the merchant under the request's id. Returns the document.
 */
export async function handleCustomerDataRequest(ctx: EngineContext, shop: string, payload: unknown) {
  const request = parse(DataRequestSchema, payload, "customers/data_request");
  const row = await getShopifyShop(ctx.db, shop);
  if (row === null) return null;
  const orderIds = await customerOrderIds(ctx, row.tenantId, request.customer, request.orders_requested);
  const data = {
    shop,
    customer: { id: request.customer.id },
    ...(await shopifyCustomerData(ctx.db, row.tenantId, orderIds)),
  };
  await ctx.db.transaction(async (tx) => {
    await saveShopifyDataRequest(tx, {
      tenantId: row.tenantId,
      requestId: String(request.data_request.id),
      customerRef: String(request.customer.id),
      at: ctx.now(),
      data,
    });
    const audit = { requestId: String(request.data_request.id), orders: orderIds.length };
    await insertAuditEntry(tx, {
      tenantId: row.tenantId,
      at: ctx.now(),
      actor: SHOPIFY_ACTOR,
      action: "customer.data_requested",
      subject: `shopify-customer:${request.customer.id}`,
      data: audit,
      dataHash: hashData(audit),
    });
  });
  return data;
}

/**
 * customers/redact: the customer's personal data is erased in one transaction. Mutable rows are
 * blanked (the orders' customer, the notifications' recipient and rendered text, data requests);
 * the names of whoever signed for their parcels are erased from the events; the sealed audit chain
 * is not rewritten: the records about those orders and notifications get
 * their data replaced by the redaction marker (data is outside the record hash, so the chain
 * still verifies), and one new record says the redaction happened, without personal data.
 */
export async function handleCustomerRedact(ctx: EngineContext, shop: string, payload: unknown) {
  const request = parse(CustomerRedactSchema, payload, "customers/redact");
  const row = await getShopifyShop(ctx.db, shop);
  if (row === null) return null;
  const tenantId = row.tenantId;
  return await ctx.db.transaction(async (tx) => {
    const orderIds = await findShopifyCustomerOrderIds(tx, tenantId, {
      orderExternalIds: request.orders_to_redact.map(String),
      email: request.customer.email?.trim() || null,
      phone: request.customer.phone?.replace(/[\s().-]/g, "") || null,
    });
    const notificationIds = await listNotificationIdsOfOrders(tx, tenantId, orderIds);
    const counts = await redactShopifyCustomerRows(tx, tenantId, orderIds, String(request.customer.id));
    // who signed for the parcels is personal data too: the one erasure the events table allows
    const shipmentIds = (
      await Promise.all(orderIds.map((orderId) => listShipments(tx, tenantId, { orderId, limit: 1000 })))
    ).flatMap((shipments) => shipments.map((shipment) => shipment.id));
    const signers = await eraseEventSigners(tx, tenantId, shipmentIds);
    let auditRecords = 0;
    for (const id of orderIds)
      auditRecords += await redactAuditEntries(tx, tenantId, `order:${id}`, REDACTED);
    for (const id of notificationIds) {
      auditRecords += await redactAuditEntries(tx, tenantId, `notification:${id}`, REDACTED);
    }
    const audit = { orders: counts.orders, notifications: counts.notifications, signers, auditRecords };
    await insertAuditEntry(tx, {
      tenantId,
      at: ctx.now(),
      actor: SHOPIFY_ACTOR,
      action: "customer.redacted",
      subject: `shopify-customer:${request.customer.id}`,
      data: audit,
      dataHash: hashData(audit),
    });
    return audit;
  });
}

/**
 * shop/redact (48 hours after uninstall): the shop's tenant is deleted, and with it everything
 * it owns (orders, shipments, notifications, audit chain, credentials), then the shop's own rows.
 */
export async function handleShopRedact(ctx: EngineContext, shop: string): Promise<boolean> {
  const row = await getShopifyShop(ctx.db, shop);
  if (row === null) return false;
  await ctx.db.transaction(async (tx) => {
    await deleteShopifyShopRows(tx, shop);
    await tx.query("DELETE FROM tenants WHERE id = $1", [row.tenantId]);
  });
  return true;
}
