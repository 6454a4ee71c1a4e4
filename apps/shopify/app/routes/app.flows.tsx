import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import {
  DEFAULT_FLOWS,
  defaultFlow,
  ProvisioningError,
  saveFlowDefinition,
  writeAudit,
} from "@trackflow/engine";
import { listFlows } from "@trackflow/store";
import { ActionResultBanners } from "../action-result-banners.tsx";
import { useEmbeddedHref } from "../embedded-href.ts";
import { shopRequest } from "../trackflow-context.ts";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { ctx, tenant } = await shopRequest(request, context);
  const own = await listFlows(ctx.db, tenant.id);
  const installed = new Set(own.map((f) => f.definition.id));
  return {
    flows: own.map((f) => ({
      id: f.definition.id,
      name: f.definition.name,
      enabled: f.definition.enabled,
      version: f.version,
      trigger: f.definition.trigger.type,
    })),
    defaults: DEFAULT_FLOWS.filter((f) => !installed.has(f.definition.id)).map((f) => ({
      id: f.definition.id,
      name: f.definition.name,
      audience: f.audience,
      description: f.description,
    })),
  };
}

/**
 * Turns a flow on or off (a new version of its definition, through the engine's
 * saveFlowDefinition), or installs one of the default flows as the API's
 * POST /api/flows/defaults/:id does.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const { ctx, tenant, actor } = await shopRequest(request, context);
  const form = await request.formData();
  const id = String(form.get("id") ?? "");
  try {
    if (form.get("intent") === "install") {
      const flow = defaultFlow(id);
      if (!flow) return { error: `no default flow "${id}"` };
      const version = await saveFlowDefinition(ctx, tenant.id, { ...flow.definition, enabled: true });
      await writeAudit(ctx.db, tenant.id, ctx.now(), {
        actor,
        action: "flow.default_installed",
        subject: `flow:${id}`,
        data: { version },
      });
      return { notice: `${flow.definition.name}: installed and on` };
    }
    const flow = (await listFlows(ctx.db, tenant.id)).find((f) => f.definition.id === id);
    if (!flow) return { error: `no flow "${id}"` };
    const enabled = form.get("enabled") === "true";
    await saveFlowDefinition(ctx, tenant.id, { ...flow.definition, enabled });
    return { notice: `${flow.definition.name}: ${enabled ? "on" : "off"}` };
  } catch (error) {
    if (error instanceof ProvisioningError) return { error: error.message };
    throw error;
  }
}

/** The shop's flows with their on/off switch, and the default flows not installed yet. */
export default function Flows() {
  const { flows, defaults } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const href = useEmbeddedHref();
  const here = href("/app/flows");
  return (
    <Page title="Notification flows" backAction={{ content: "Home", url: href("/app") }}>
      <Layout>
        <ActionResultBanners result={result} />
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Your flows
              </Text>
              {flows.length === 0 ? (
                <Text as="p">No flows yet: install one of the defaults below.</Text>
              ) : null}
              {flows.map((f) => (
                <InlineStack key={f.id} align="space-between" blockAlign="center">
                  <Text as="span">
                    {f.name}{" "}
                    <Badge tone={f.enabled ? "success" : undefined}>{f.enabled ? "On" : "Off"}</Badge>{" "}
                    <Text as="span" tone="subdued">
                      version {f.version}
                    </Text>
                  </Text>
                  <Form method="post" action={here}>
                    <input type="hidden" name="id" value={f.id} />
                    <input type="hidden" name="enabled" value={String(!f.enabled)} />
                    <Button submit accessibilityLabel={`${f.enabled ? "Turn off" : "Turn on"} ${f.name}`}>
                      {f.enabled ? "Turn off" : "Turn on"}
                    </Button>
                  </Form>
                </InlineStack>
              ))}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Default flows
              </Text>
              {defaults.length === 0 ? <Text as="p">All default flows are installed.</Text> : null}
              {defaults.map((f) => (
                <InlineStack key={f.id} align="space-between" blockAlign="center" wrap={false}>
                  <BlockStack>
                    <Text as="span" fontWeight="semibold">
                      {f.name} <Badge>{f.audience}</Badge>
                    </Text>
                    <Text as="span" tone="subdued">
                      {f.description}
                    </Text>
                  </BlockStack>
                  <Form method="post" action={here}>
                    <input type="hidden" name="intent" value="install" />
                    <input type="hidden" name="id" value={f.id} />
                    <Button submit accessibilityLabel={`Install ${f.name}`}>
                      Install
                    </Button>
                  </Form>
                </InlineStack>
              ))}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
