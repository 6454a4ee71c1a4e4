import { listShopifyDataRequests } from "@trackflow/store";
import { shopRequest } from "../trackflow-context.ts";

/** One customers/data_request as the merchant sees it: when, whose, and what Trackflow found. */
export interface DataRequestSummary {
  requestId: string;
  customerRef: string;
  producedAt: string;
  orders: number;
  shipments: number;
  notifications: number;
}

const count = (data: unknown, key: string): number => {
  const value = (data as Record<string, unknown> | null)?.[key];
  return Array.isArray(value) ? value.length : 0;
};

/** The shop's data requests, newest first, with what each one found. */
export async function dataRequestsLoader({
  request,
  context,
}: {
  request: Request;
  context: unknown;
}): Promise<{ requests: DataRequestSummary[] }> {
  const { ctx, tenant } = await shopRequest(request, context);
  const rows = await listShopifyDataRequests(ctx.db, tenant.id);
  return {
    requests: rows.map((row) => ({
      requestId: row.requestId,
      customerRef: row.customerRef,
      producedAt: row.producedAt.toISOString(),
      orders: count(row.data, "orders"),
      shipments: count(row.data, "shipments"),
      notifications: count(row.data, "notifications"),
    })),
  };
}

/**
 * The data one request produced, as the JSON document the merchant hands to the customer: an
 * attachment named after the request. Only the shop's own tenant's requests are found; any other
 * id is a 404.
 */
export async function dataRequestDownloadLoader({
  request,
  context,
  params,
}: {
  request: Request;
  context: unknown;
  params: { requestId?: string | undefined };
}): Promise<Response> {
  const { ctx, tenant } = await shopRequest(request, context);
  const requestId = params.requestId ?? "";
  const found = (await listShopifyDataRequests(ctx.db, tenant.id)).find((r) => r.requestId === requestId);
  if (found === undefined) {
    return Response.json({ error: `no data request ${JSON.stringify(requestId)}` }, { status: 404 });
  }
  const document = {
    requestId: found.requestId,
    customerRef: found.customerRef,
    producedAt: found.producedAt.toISOString(),
    data: found.data,
  };
  const safeId = found.requestId.replace(/[^A-Za-z0-9_-]/g, "_");
  return new Response(JSON.stringify(document, null, 2), {
    status: 200,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="data-request-${safeId}.json"`,
      "Cache-Control": "no-store",
    },
  });
}
