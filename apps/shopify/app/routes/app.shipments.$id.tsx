import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, DataTable, Layout, Page, Text } from "@shopify/polaris";
import { getShipment, listNotifications, listShipmentEvents } from "@trackflow/store";
import { useEmbeddedHref } from "../embedded-href.ts";
import { shopRequest } from "../trackflow-context.ts";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { ctx, tenant } = await shopRequest(request, context);
  const shipment = await getShipment(ctx.db, tenant.id, params.id ?? "");
  if (shipment === null) throw new Response("no such shipment", { status: 404 });
  const [events, notifications] = await Promise.all([
    listShipmentEvents(ctx.db, tenant.id, shipment.id),
    listNotifications(ctx.db, tenant.id, { shipmentId: shipment.id, limit: 100 }),
  ]);
  return {
    shipment: {
      carrier: shipment.carrier,
      trackingNumber: shipment.trackingNumber,
      status: shipment.status,
      reason: shipment.reason,
      actionRequired: shipment.actionRequired,
      hostRef: shipment.hostRef,
    },
    events: events.map(({ event }) => ({
      occurredAt: `${event.occurredAt.local}${event.occurredAt.offset ?? " (local)"}`,
      status: event.status,
      rawCode: event.rawCode,
      rawMessage: event.rawStatus ? `${event.rawStatus}: ${event.message}` : event.message,
      location: [event.location?.city, event.location?.country].filter(Boolean).join(", "),
    })),
    notifications: notifications.map((n) => ({
      id: n.id,
      channel: n.channel,
      status: n.status,
      flowId: n.flowId ?? "manual",
      createdAt: n.createdAt.toISOString(),
      lastError: n.lastError,
    })),
  };
}

/** One shipment: where it is, every scan with the carrier's own words, and what was sent about it. */
export default function ShipmentTimeline() {
  const { shipment, events, notifications } = useLoaderData<typeof loader>();
  const href = useEmbeddedHref();
  return (
    <Page
      title={`${shipment.carrier} ${shipment.trackingNumber}`}
      backAction={{ content: "Shipments", url: href("/app/shipments") }}
      titleMetadata={
        <Badge tone={shipment.actionRequired ? "critical" : "info"}>
          {shipment.status.replaceAll("_", " ")}
        </Badge>
      }
    >
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Timeline
              </Text>
              <DataTable
                columnContentTypes={["text", "text", "text", "text"]}
                headings={["When (carrier's time)", "Status", "Carrier message", "Where"]}
                rows={events.map((e) => [
                  e.occurredAt,
                  e.status.replaceAll("_", " "),
                  `${e.rawMessage ?? ""}${e.rawCode ? ` (${e.rawCode})` : ""}`,
                  e.location,
                ])}
              />
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Notifications
              </Text>
              {notifications.length === 0 ? (
                <Text as="p">Nothing sent about this shipment.</Text>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "text", "text"]}
                  headings={["Created", "Channel", "Flow", "Status"]}
                  rows={notifications.map((n) => [
                    n.createdAt.replace("T", " ").slice(0, 16),
                    n.channel,
                    n.flowId,
                    `${n.status}${n.lastError ? `: ${n.lastError}` : ""}`,
                  ])}
                />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
