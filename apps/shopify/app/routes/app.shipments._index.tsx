import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { Button, Card, DataTable, InlineStack, Page, Select } from "@shopify/polaris";
import { SHIPMENT_STATUSES, type ShipmentStatus } from "@trackflow/core";
import { listShipments } from "@trackflow/store";
import { useState } from "react";
import { useEmbeddedHref } from "../embedded-href.ts";
import { shopRequest } from "../trackflow-context.ts";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { ctx, tenant } = await shopRequest(request, context);
  const wanted = new URL(request.url).searchParams.get("status") ?? "";
  const status = (SHIPMENT_STATUSES as readonly string[]).includes(wanted)
    ? (wanted as ShipmentStatus)
    : undefined;
  const shipments = await listShipments(ctx.db, tenant.id, { status, limit: 100 });
  return {
    statuses: SHIPMENT_STATUSES,
    status: status ?? "",
    shipments: shipments.map((s) => ({
      id: s.id,
      carrier: s.carrier,
      trackingNumber: s.trackingNumber,
      status: s.status,
      reason: s.reason,
      lastEventAt: s.lastEventAt?.toISOString() ?? null,
    })),
  };
}

/** The shop's shipments, newest change first, filtered by status. */
export default function Shipments() {
  const { statuses, status, shipments } = useLoaderData<typeof loader>();
  const href = useEmbeddedHref();
  const [chosen, setChosen] = useState(status);
  const hidden = href("/app/shipments").split("?")[1] ?? "";
  return (
    <Page title="Shipments" backAction={{ content: "Home", url: href("/app") }}>
      <Card>
        <Form method="get">
          {[...new URLSearchParams(hidden)].map(([key, value]) => (
            <input key={key} type="hidden" name={key} value={value} />
          ))}
          <InlineStack gap="200" blockAlign="end">
            <Select
              label="Status"
              name="status"
              value={chosen}
              onChange={setChosen}
              options={[
                { label: "All", value: "" },
                ...statuses.map((s) => ({ label: s.replaceAll("_", " "), value: s })),
              ]}
            />
            <Button submit>Filter</Button>
          </InlineStack>
        </Form>
        <DataTable
          columnContentTypes={["text", "text", "text", "text"]}
          headings={["Shipment", "Status", "Reason", "Last scan"]}
          rows={shipments.map((s) => [
            <Link key={s.id} to={href(`/app/shipments/${s.id}`)}>
              {s.carrier} {s.trackingNumber}
            </Link>,
            s.status.replaceAll("_", " "),
            s.reason ?? "",
            s.lastEventAt?.replace("T", " ").slice(0, 16) ?? "",
          ])}
          footerContent={`${shipments.length} shipment(s)`}
        />
      </Card>
    </Page>
  );
}
