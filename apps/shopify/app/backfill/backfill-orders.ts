import { SHOPIFY_API_VERSION, throttledWaitMs } from "@trackflow/channels";
import type { EngineContext } from "@trackflow/engine";
import {
  failShopifyBackfill,
  getShopifyBackfill,
  getTenant,
  recordShopifyBackfillPage,
  type ShopifyBackfillRow,
  startShopifyBackfill,
} from "@trackflow/store";
import { handleOrderWebhook } from "../webhooks/orders-webhook.ts";
import { BACKFILL_ORDERS_QUERY, type GraphqlOrder, webhookShapedOrder } from "./graphql-order.ts";

/** How far back a new install looks: Shopify's read_orders reaches the last 60 days. */
export const BACKFILL_DAYS = 60;
const MAX_THROTTLED_WAITS = 8;

export interface BackfillOptions {
  shop: string;
  accessToken: string;
  fetch?: typeof globalThis.fetch;
  /** Admin API origin; https://<shop> unless a test says otherwise */
  baseUrl?: string;
  pageSize?: number;
  /** waits out a throttled answer (tests pass one that records the wait) */
  sleep?: (ms: number) => Promise<void>;
}

export class BackfillError extends Error {
  override name = "BackfillError";
}

interface OrdersPage {
  nodes: GraphqlOrder[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** One Admin GraphQL call, waiting out THROTTLED answers (the wait the cost bucket needs). */
async function ordersPage(options: BackfillOptions, variables: Record<string, unknown>): Promise<OrdersPage> {
  const url = `${options.baseUrl ?? `https://${options.shop}`}/admin/api/${SHOPIFY_API_VERSION}/graphql.json`;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 0; ; attempt++) {
    const response = await (options.fetch ?? globalThis.fetch)(url, {
      method: "POST",
      headers: { "X-Shopify-Access-Token": options.accessToken, "Content-Type": "application/json" },
      body: JSON.stringify({ query: BACKFILL_ORDERS_QUERY, variables }),
    });
    const text = await response.text();
    if (response.status === 429 && attempt < MAX_THROTTLED_WAITS) {
      await sleep(Math.max(1000, Number(response.headers.get("retry-after") ?? "1") * 1000));
      continue;
    }
    if (response.status !== 200)
      throw new BackfillError(`Shopify answered HTTP ${response.status} to the orders query`);
    let body: { data?: { orders?: OrdersPage }; errors?: Array<{ message?: string }> };
    try {
      body = JSON.parse(text);
    } catch {
      throw new BackfillError("Shopify's answer to the orders query is not JSON");
    }
    const wait = throttledWaitMs(body);
    if (wait !== null) {
      if (attempt >= MAX_THROTTLED_WAITS)
        throw new BackfillError("still throttled after waiting; resume later");
      await sleep(wait);
      continue;
    }
    if (body.errors?.length)
      throw new BackfillError(`orders query: ${body.errors[0]?.message ?? "GraphQL error"}`);
    if (!body.data?.orders) throw new BackfillError("orders query: the answer has no orders");
    return body.data.orders;
  }
}

/**
 * Imports the shop's recent fulfilled orders (and so their shipments) page by page, recording
 * the cursor and counts after each page: run again after a failure or a restart, it resumes
 * after the last page imported; a finished backfill does nothing.
 */
export async function runBackfill(
  ctx: EngineContext,
  tenantId: string,
  options: BackfillOptions,
): Promise<ShopifyBackfillRow> {
  const tenant = await getTenant(ctx.db, tenantId);
  if (!tenant) throw new BackfillError(`no tenant ${tenantId}`);
  const since = new Date(ctx.now().getTime() - BACKFILL_DAYS * 86_400_000);
  const state = await startShopifyBackfill(ctx.db, options.shop, since, ctx.now());
  let cursor = state.cursor;
  const filter = `created_at:>='${state.since.toISOString()}' AND (fulfillment_status:shipped OR fulfillment_status:partial)`;
  while (state.status === "running") {
    let page: OrdersPage;
    let shipments = 0;
    try {
      page = await ordersPage(options, { first: options.pageSize ?? 50, after: cursor, query: filter });
      for (const node of page.nodes) {
        shipments += (await handleOrderWebhook(ctx, tenant, webhookShapedOrder(node))).shipments;
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await failShopifyBackfill(ctx.db, options.shop, message, ctx.now());
      break;
    }
    const last = !page.pageInfo.hasNextPage;
    await recordShopifyBackfillPage(ctx.db, {
      shop: options.shop,
      cursor: page.pageInfo.endCursor,
      orders: page.nodes.length,
      shipments,
      last,
      at: ctx.now(),
    });
    cursor = page.pageInfo.endCursor ?? cursor;
    if (last) break;
  }
  return (await getShopifyBackfill(ctx.db, options.shop))!;
}
