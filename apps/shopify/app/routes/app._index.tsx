import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Card,
  DataTable,
  InlineGrid,
  Layout,
  Page,
  ProgressBar,
  Text,
} from "@shopify/polaris";
import {
  countExceptionQueue,
  countShipmentsByStatus,
  getShipment,
  getShopifyBackfill,
  listExceptionQueue,
  notificationsByChannel,
} from "@trackflow/store";
import { backfillRunning, startBackfill } from "../backfill/backfill-runner.ts";
import { useEmbeddedHref } from "../embedded-href.ts";
import { shopRequest } from "../trackflow-context.ts";

const FIGURES_DAYS = 30;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { ctx, shop, tenant, session } = await shopRequest(request, context);
  let backfill = await getShopifyBackfill(ctx.db, shop.shop);
  // a backfill left running by a stopped process resumes from its cursor
  if (backfill?.status === "running" && !backfillRunning(shop.shop) && session.accessToken) {
    startBackfill(ctx, tenant.id, { shop: shop.shop, accessToken: session.accessToken });
    backfill = await getShopifyBackfill(ctx.db, shop.shop);
  }
  const since = new Date(ctx.now().getTime() - FIGURES_DAYS * 86_400_000);
  const [byStatus, exceptionCount, queue, byChannel] = await Promise.all([
    countShipmentsByStatus(ctx.db, tenant.id),
    countExceptionQueue(ctx.db, tenant.id),
    listExceptionQueue(ctx.db, tenant.id, { limit: 10 }),
    notificationsByChannel(ctx.db, tenant.id, since),
  ]);
  const exceptions = await Promise.all(
    queue.map(async (entry) => {
      const shipment = await getShipment(ctx.db, tenant.id, entry.shipmentId);
      return {
        id: entry.shipmentId,
        carrier: shipment?.carrier ?? "",
        trackingNumber: shipment?.trackingNumber ?? "",
        status: shipment?.status ?? "unknown",
        why:
          entry.conditions.map((c) => c.key.split(":")[0]).join(", ") ||
          (entry.flagged ? "needs action" : ""),
        since: entry.since.toISOString(),
      };
    }),
  );
  return {
    byStatus,
    exceptionCount,
    exceptions,
    sent: byChannel.reduce((n, c) => n + c.sent, 0),
    failed: byChannel.reduce((n, c) => n + c.failed, 0),
    byChannel,
    backfill: backfill && {
      status: backfill.status,
      pages: backfill.pages,
      orders: backfill.orders,
      shipments: backfill.shipments,
      since: backfill.since.toISOString(),
      error: backfill.error,
      finishedAt: backfill.finishedAt?.toISOString() ?? null,
    },
  };
}

const label = (status: string) => status.replaceAll("_", " ");

function BackfillCard({
  backfill,
}: {
  backfill: ReturnType<typeof useLoaderData<typeof loader>>["backfill"];
}) {
  if (backfill === null) {
    return (
      <Card>
        <Text as="h2" variant="headingMd">
          Import of recent orders
        </Text>
        <Text as="p">Not started: it starts when the app is installed.</Text>
      </Card>
    );
  }
  const tone = backfill.status === "failed" ? "critical" : backfill.status === "done" ? "success" : "info";
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          Import of recent orders <Badge tone={tone}>{backfill.status}</Badge>
        </Text>
        <ProgressBar
          progress={backfill.status === "done" ? 100 : Math.min(95, backfill.pages * 10)}
          tone={backfill.status === "failed" ? "critical" : "primary"}
          ariaLabelledBy="backfill-figures"
        />
        <Text as="p" id="backfill-figures">
          {backfill.orders} orders and {backfill.shipments} shipments imported in {backfill.pages} pages,
          orders since {backfill.since.slice(0, 10)}.
        </Text>
        {backfill.error ? (
          <Text as="p" tone="critical">
            Stopped: {backfill.error}. It resumes from the last page on the next visit.
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}

/** Home: the shop's figures, the shipments needing action, and the install's import. */
export default function Home() {
  const data = useLoaderData<typeof loader>();
  const href = useEmbeddedHref();
  const total = data.byStatus.reduce((n, s) => n + s.count, 0);
  return (
    <Page title="Trackflow">
      <Layout>
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, md: 4 }} gap="400">
            <Card>
              <Text as="h2" variant="headingSm">
                Shipments
              </Text>
              <Text as="p" variant="headingXl">
                {total}
              </Text>
            </Card>
            <Card>
              <Text as="h2" variant="headingSm">
                Exceptions needing action
              </Text>
              <Text as="p" variant="headingXl" tone={data.exceptionCount > 0 ? "critical" : undefined}>
                {data.exceptionCount}
              </Text>
            </Card>
            <Card>
              <Text as="h2" variant="headingSm">
                Notifications sent ({FIGURES_DAYS} days)
              </Text>
              <Text as="p" variant="headingXl">
                {data.sent}
              </Text>
            </Card>
            <Card>
              <Text as="h2" variant="headingSm">
                Notifications failed ({FIGURES_DAYS} days)
              </Text>
              <Text as="p" variant="headingXl" tone={data.failed > 0 ? "critical" : undefined}>
                {data.failed}
              </Text>
            </Card>
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <BackfillCard backfill={data.backfill} />
        </Layout.Section>
        <Layout.Section variant="oneHalf">
          <Card>
            <Text as="h2" variant="headingMd">
              Shipments by status
            </Text>
            <DataTable
              columnContentTypes={["text", "numeric"]}
              headings={["Status", "Shipments"]}
              rows={data.byStatus.map((s) => [
                <Link key={s.status} to={href(`/app/shipments?status=${s.status}`)}>
                  {label(s.status)}
                </Link>,
                s.count,
              ])}
            />
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneHalf">
          <Card>
            <Text as="h2" variant="headingMd">
              Exceptions needing action
            </Text>
            {data.exceptions.length === 0 ? (
              <Text as="p">Nothing needs action.</Text>
            ) : (
              <DataTable
                columnContentTypes={["text", "text", "text"]}
                headings={["Shipment", "Status", "Why"]}
                rows={data.exceptions.map((e) => [
                  <Link key={e.id} to={href(`/app/shipments/${e.id}`)}>
                    {e.carrier} {e.trackingNumber}
                  </Link>,
                  label(e.status),
                  e.why,
                ])}
              />
            )}
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
