import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  ChoiceList,
  Layout,
  Link,
  List,
  Page,
  Text,
} from "@shopify/polaris";
import type { ShipmentStatus } from "@trackflow/core";
import { listFlows } from "@trackflow/store";
import { useState } from "react";
import { ActionResultBanners } from "../action-result-banners.tsx";
import { useEmbeddedHref } from "../embedded-href.ts";
import { saveShopifySettings, shippingEmailsOf, writebackStatuses } from "../settings/shopify-settings.ts";
import { type ShippingEmails, WRITABLE_STATUSES } from "../settings/writable-statuses.ts";
import { shopRequest } from "../trackflow-context.ts";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { ctx, tenant, shop } = await shopRequest(request, context);
  const flows = await listFlows(ctx.db, tenant.id);
  const customerEmailFlows = flows
    .filter(
      (f) =>
        f.definition.enabled && f.definition.steps.some((s) => s.type === "notify" && s.to === "customer"),
    )
    .map((f) => f.definition.name);
  return {
    statuses: await writebackStatuses(ctx, tenant.id),
    shippingEmails: shippingEmailsOf(tenant),
    customerEmailFlows,
    notificationSettingsUrl: `https://admin.shopify.com/store/${shop.shop.replace(/\.myshopify\.com$/, "")}/settings/notifications`,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { ctx, tenant, actor } = await shopRequest(request, context);
  const form = await request.formData();
  const statuses = form.getAll("status").map(String) as ShipmentStatus[];
  const unknown = statuses.find((s) => !WRITABLE_STATUSES.includes(s));
  if (unknown) return { error: `status: Shopify has no fulfillment event for "${unknown}"` };
  const emails = String(form.get("shippingEmails") ?? "");
  if (emails !== "shopify" && emails !== "trackflow")
    return { error: "shippingEmails: shopify or trackflow" };
  await saveShopifySettings(ctx, tenant, actor, { statuses, shippingEmails: emails });
  return { notice: "Settings saved." };
}

const label = (status: string) => status.replaceAll("_", " ");

/** Which statuses go back to Shopify, and who emails customers about shipping. */
export default function Settings() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const href = useEmbeddedHref();
  const submit = useSubmit();
  const busy = useNavigation().state !== "idle";
  const [statuses, setStatuses] = useState<string[]>(data.statuses);
  const [emails, setEmails] = useState<ShippingEmails>(data.shippingEmails);
  const save = () => {
    const form = new FormData();
    for (const s of statuses) form.append("status", s);
    form.set("shippingEmails", emails);
    submit(form, { method: "post", action: href("/app/settings") });
  };
  return (
    <Page title="Settings" backAction={{ content: "Home", url: href("/app") }}>
      <Layout>
        <ActionResultBanners result={result} />
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Statuses written back to Shopify
              </Text>
              <Text as="p">
                Each chosen status becomes a fulfillment event on the order's fulfillment (shown on the order
                and its status page). None chosen: nothing is written back.
              </Text>
              <ChoiceList
                title="Write back"
                titleHidden
                allowMultiple
                choices={WRITABLE_STATUSES.map((s) => ({ label: label(s), value: s }))}
                selected={statuses}
                onChange={setStatuses}
              />
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Shopify's own shipping emails
              </Text>
              <ChoiceList
                title="Who emails customers about shipping"
                choices={[
                  { label: "Shopify's shipping emails stay on", value: "shopify" },
                  { label: "Trackflow's flows email customers instead", value: "trackflow" },
                ]}
                selected={[emails]}
                onChange={(chosen) => setEmails((chosen[0] as ShippingEmails | undefined) ?? "shopify")}
              />
              <Text as="h3" variant="headingSm">
                What the app can and cannot switch
              </Text>
              <List>
                <List.Item>
                  Shopify sends its shipping confirmation when a fulfillment is created with "notify customer"
                  on, and its shipping updates (out for delivery, delivered) when they are on in Settings,
                  Notifications. Trackflow creates no fulfillments, so the shipping confirmation stays with
                  whoever fulfils the order.
                </List.Item>
                <List.Item>
                  The app cannot turn Shopify's notification settings on or off: Shopify offers no API for
                  them.{" "}
                  {emails === "trackflow" ? (
                    <>
                      To stop the duplicates, turn off Shipping update, Out for delivery and Delivered in{" "}
                      <Link url={data.notificationSettingsUrl} target="_blank">
                        Settings, Notifications
                      </Link>
                      .
                    </>
                  ) : (
                    "They stay as they are."
                  )}
                </List.Item>
              </List>
              {emails === "shopify" && data.customerEmailFlows.length > 0 ? (
                <Banner tone="warning">
                  These flows also email customers, so they may get both emails:{" "}
                  {data.customerEmailFlows.join(", ")}.
                </Banner>
              ) : null}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Button variant="primary" onClick={save} disabled={busy}>
            Save settings
          </Button>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
