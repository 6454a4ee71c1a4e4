import type { ShopifyOrder } from "../webhooks/order-mapping.ts";

/** An Order node as the backfill query asks for it. */
export interface GraphqlOrder {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  customerLocale: string | null;
  cancelledAt: string | null;
  displayFulfillmentStatus: string;
  tags: string[];
  currencyCode: string;
  totalPriceSet: { shopMoney: { amount: string } };
  customer: {
    firstName: string | null;
    lastName: string | null;
    email: string | null;
    phone: string | null;
  } | null;
  shippingAddress: {
    zip: string | null;
    countryCodeV2: string | null;
    phone: string | null;
    name: string | null;
  } | null;
  lineItems: {
    nodes: Array<{ id: string; quantity: number; currentQuantity: number; unfulfilledQuantity: number }>;
  };
  fulfillments: Array<{
    id: string;
    status: string;
    trackingInfo: Array<{ company: string | null; number: string | null }>;
  }>;
}

export const BACKFILL_ORDERS_QUERY = `query BackfillOrders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id name email phone customerLocale cancelledAt displayFulfillmentStatus tags currencyCode
      totalPriceSet { shopMoney { amount } }
      customer { firstName lastName email phone }
      shippingAddress { zip countryCodeV2 phone name }
      lineItems(first: 100) { nodes { id quantity currentQuantity unfulfilledQuantity } }
      fulfillments(first: 20) { id status trackingInfo(first: 10) { company number } }
    }
  }
}`;

const numericId = (gid: string): number => Number(gid.slice(gid.lastIndexOf("/") + 1));

const FULFILLMENT_STATUS: Readonly<Record<string, string | null>> = {
  FULFILLED: "fulfilled",
  PARTIALLY_FULFILLED: "partial",
  UNFULFILLED: null,
  RESTOCKED: "restocked",
};

/**
 * A GraphQL Order node in the shape of the order webhook's payload, so the backfill and the
 * webhooks map orders with one mapping. Each tracking number keeps its own company.
 */
export function webhookShapedOrder(node: GraphqlOrder): ShopifyOrder {
  const orderId = numericId(node.id);
  return {
    id: orderId,
    admin_graphql_api_id: node.id,
    name: node.name,
    email: node.email,
    phone: node.phone,
    customer_locale: node.customerLocale,
    cancelled_at: node.cancelledAt,
    fulfillment_status:
      FULFILLMENT_STATUS[node.displayFulfillmentStatus] ?? node.displayFulfillmentStatus.toLowerCase(),
    tags: node.tags.join(", "),
    total_price: node.totalPriceSet.shopMoney.amount,
    currency: node.currencyCode,
    customer: node.customer
      ? {
          first_name: node.customer.firstName,
          last_name: node.customer.lastName,
          email: node.customer.email,
          phone: node.customer.phone,
        }
      : null,
    shipping_address: node.shippingAddress
      ? {
          zip: node.shippingAddress.zip,
          country_code: node.shippingAddress.countryCodeV2,
          phone: node.shippingAddress.phone,
          name: node.shippingAddress.name,
        }
      : null,
    line_items: node.lineItems.nodes.map((line) => ({
      id: numericId(line.id),
      quantity: line.quantity,
      current_quantity: line.currentQuantity,
      fulfillable_quantity: line.unfulfilledQuantity,
    })),
    fulfillments: node.fulfillments.flatMap((fulfillment) =>
      fulfillment.trackingInfo.map((tracking) => ({
        id: numericId(fulfillment.id),
        admin_graphql_api_id: fulfillment.id,
        order_id: orderId,
        status: fulfillment.status.toLowerCase(),
        tracking_company: tracking.company,
        tracking_number: tracking.number,
        tracking_numbers: tracking.number ? [tracking.number] : [],
      })),
    ),
  };
}
