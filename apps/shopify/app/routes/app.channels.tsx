import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { BlockStack, Button, Card, DataTable, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { PROVIDER_FACTORIES } from "@trackflow/channels";
import { loadChannelConnections, ProvisioningError, saveChannel } from "@trackflow/engine";
import { useState } from "react";
import { ActionResultBanners } from "../action-result-banners.tsx";
import { useEmbeddedHref } from "../embedded-href.ts";
import { SHOPIFY_CHANNEL } from "../shops/install-shop.ts";
import { shopRequest } from "../trackflow-context.ts";

const CHANNEL_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { ctx, tenant } = await shopRequest(request, context);
  const connections = await loadChannelConnections(ctx.db, tenant.id);
  return {
    connections: [...connections.values()].map((c) => ({ name: c.name, provider: c.provider, kind: c.kind })),
    providers: PROVIDER_FACTORIES.map((f) => ({ id: f.provider, kind: f.kind })),
  };
}

/**
 * Saves a channel connection through the engine's saveChannel: the provider's configuration
 * schema checks it, and the credentials are stored encrypted. They are never shown again.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const { ctx, tenant } = await shopRequest(request, context);
  const form = await request.formData();
  const name = String(form.get("name") ?? "").trim();
  const provider = String(form.get("provider") ?? "");
  if (!CHANNEL_NAME.test(name)) return { error: "name: lower-case letters, digits, - and _ (up to 64)" };
  if (name === SHOPIFY_CHANNEL)
    return { error: `"${SHOPIFY_CHANNEL}" is the shop's own writeback: installing the app saves it` };
  let config: unknown;
  try {
    config = JSON.parse(String(form.get("config") ?? ""));
  } catch {
    return { error: "config: not valid JSON" };
  }
  try {
    await saveChannel(ctx, tenant.id, { name, provider, config });
  } catch (error) {
    if (error instanceof ProvisioningError) return { error: error.message };
    throw error;
  }
  return { notice: `Channel ${name} saved.` };
}

/** The shop's channel connections, and a form to add or replace one (credentials write-only). */
export default function Channels() {
  const { connections, providers } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const href = useEmbeddedHref();
  const submit = useSubmit();
  const busy = useNavigation().state !== "idle";
  const [name, setName] = useState("");
  const [provider, setProvider] = useState(providers[0]?.id ?? "");
  const [config, setConfig] = useState("");
  return (
    <Page title="Channels" backAction={{ content: "Home", url: href("/app") }}>
      <Layout>
        <ActionResultBanners result={result} />
        <Layout.Section>
          <Card>
            <Text as="h2" variant="headingMd">
              Connections
            </Text>
            <DataTable
              columnContentTypes={["text", "text", "text"]}
              headings={["Name", "Provider", "Kind"]}
              rows={connections.map((c) => [c.name, c.provider, c.kind])}
            />
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Add or replace a connection
              </Text>
              <Text as="p" tone="subdued">
                Credentials are stored encrypted and never shown again: saving a connection again replaces
                them.
              </Text>
              <TextField
                label="Name"
                value={name}
                onChange={setName}
                autoComplete="off"
                helpText="The name flows send to, e.g. email"
              />
              <Select
                label="Provider"
                value={provider}
                onChange={setProvider}
                options={providers.map((p) => ({ label: `${p.id} (${p.kind})`, value: p.id }))}
              />
              <TextField
                label="Configuration and credentials (JSON)"
                value={config}
                onChange={setConfig}
                multiline={5}
                autoComplete="off"
                monospaced
              />
              <Button
                variant="primary"
                disabled={busy}
                onClick={() =>
                  submit({ name, provider, config }, { method: "post", action: href("/app/channels") })
                }
              >
                Save connection
              </Button>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
