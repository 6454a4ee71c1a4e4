import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, DataTable, Page, Text } from "@shopify/polaris";
import { useState } from "react";
import { dataRequestsLoader } from "../data-requests/data-requests.ts";
import { useEmbeddedHref } from "../embedded-href.ts";

export async function loader(args: LoaderFunctionArgs) {
  return await dataRequestsLoader(args);
}

/**
 * Saves a data request's JSON: fetched (inside the admin App Bridge adds the session token to
 * the fetch; outside it the page's id_token authenticates), then handed to the browser as a file.
 */
async function download(url: string, requestId: string): Promise<void> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`download failed (${response.status})`);
  const blob = await response.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = `data-request-${requestId.replace(/[^A-Za-z0-9_-]/g, "_")}.json`;
  document.body.append(link);
  link.click();
  link.remove();
  // the browser has taken the file once the click returns; the object URL is freed a little later
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

/** Customers' data requests (customers/data_request): what Trackflow holds for each, to hand over. */
export default function DataRequests() {
  const { requests } = useLoaderData<typeof loader>();
  const href = useEmbeddedHref();
  const [error, setError] = useState<string | null>(null);
  return (
    <Page title="Data requests" backAction={{ content: "Home", url: href("/app") }}>
      <BlockStack gap="400">
        {error ? <Banner tone="critical">{error}</Banner> : null}
        <Card>
          <BlockStack gap="300">
            <Text as="p">
              When a customer asks a shop for their data, Shopify sends Trackflow a data request. What
              Trackflow holds for that customer (orders, shipments, notifications) is listed here; download it
              and send it to the customer.
            </Text>
            {requests.length === 0 ? (
              <Text as="p" tone="subdued">
                No data requests yet.
              </Text>
            ) : (
              <DataTable
                columnContentTypes={["text", "text", "numeric", "numeric", "numeric", "text"]}
                headings={["Received", "Customer", "Orders", "Shipments", "Notifications", "Data"]}
                rows={requests.map((r) => [
                  new Date(r.producedAt).toLocaleString(),
                  `Customer ${r.customerRef} (request ${r.requestId})`,
                  r.orders,
                  r.shipments,
                  r.notifications,
                  <Button
                    key={r.requestId}
                    accessibilityLabel={`Download JSON of request ${r.requestId}`}
                    onClick={() => {
                      setError(null);
                      download(
                        href(`/app/data-requests/${encodeURIComponent(r.requestId)}/download`),
                        r.requestId,
                      ).catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
                    }}
                  >
                    Download JSON
                  </Button>,
                ])}
              />
            )}
          </BlockStack>
        </Card>
      </BlockStack>
    </Page>
  );
}
