import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { BlockStack, Box, Button, Card, InlineStack, Layout, Page, Text, TextField } from "@shopify/polaris";
import type { TemplateValidation } from "@trackflow/core";
import {
  checkTemplate,
  DEFAULT_TEMPLATE_IDS,
  defaultTemplate,
  saveTemplate,
  TEMPLATE_ID,
  TemplateSchema,
} from "@trackflow/engine";
import { findTemplate, listTemplates } from "@trackflow/store";
import { useState } from "react";
import { ActionResultBanners } from "../action-result-banners.tsx";
import { useEmbeddedHref } from "../embedded-href.ts";
import { shopRequest } from "../trackflow-context.ts";

interface Fields {
  subject: string;
  text: string;
  html: string;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { ctx, tenant } = await shopRequest(request, context);
  const own = await listTemplates(ctx.db, tenant.id);
  const ids = [...new Set([...own.map((t) => t.id), ...DEFAULT_TEMPLATE_IDS])].sort();
  const wanted = new URL(request.url).searchParams.get("id") ?? ids[0] ?? "";
  const id = TEMPLATE_ID.test(wanted) ? wanted : (ids[0] ?? "");
  const stored = await findTemplate(ctx.db, tenant.id, id, "email", ["en"]);
  const body = stored?.body ?? defaultTemplate(id, "email", ["en"]);
  const fields: Fields = { subject: body?.subject ?? "", text: body?.text ?? "", html: body?.html ?? "" };
  return {
    id,
    ids: ids.map((t) => ({ id: t, own: own.some((o) => o.id === t) })),
    ownVersion: stored !== null,
    fields,
    check: fields.text === "" ? null : checkTemplate(tenant, { locale: "en", channel: "email", ...fields }),
  };
}

/**
 * Preview renders the edited template with the shop's sample shipment and order (the engine's
 * checkTemplate, what the console previews); Save saves it through saveTemplate, which saves
 * nothing that does not render.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const { ctx, tenant, actor } = await shopRequest(request, context);
  const form = await request.formData();
  const id = String(form.get("id") ?? "");
  if (!TEMPLATE_ID.test(id))
    return { error: "a template id is lower-case letters, digits, - and _", check: null };
  const fields: Fields = {
    subject: String(form.get("subject") ?? ""),
    text: String(form.get("text") ?? ""),
    html: String(form.get("html") ?? ""),
  };
  const parsed = TemplateSchema.safeParse({
    locale: "en",
    channel: "email",
    subject: fields.subject || undefined,
    text: fields.text,
    html: fields.html || undefined,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { error: `${issue.path.join(".")}: ${issue.message}`, check: null };
  }
  if (form.get("intent") === "save") {
    const check = await saveTemplate(ctx, ctx.db, tenant, actor, id, parsed.data);
    return check.errors.length > 0
      ? { error: "Not saved: the template does not render.", check }
      : { notice: `Template ${id} saved.`, check };
  }
  return { check: checkTemplate(tenant, parsed.data) };
}

function Preview({ check }: { check: TemplateValidation | null }) {
  if (check === null) return <Text as="p">Press Preview to render the template.</Text>;
  return (
    <BlockStack gap="200">
      {check.errors.map((e) => (
        <Text as="p" tone="critical" key={`${e.part}${e.line ?? ""}${e.message}`}>
          {e.part}
          {e.line ? ` line ${e.line}` : ""}: {e.message}
        </Text>
      ))}
      <Text as="p" fontWeight="semibold">
        <span id="preview-subject">{check.rendered?.subject ?? ""}</span>
      </Text>
      <Box background="bg-surface-secondary" padding="300" borderRadius="200">
        <pre id="preview-text" style={{ whiteSpace: "pre-wrap", margin: 0, fontFamily: "inherit" }}>
          {check.rendered?.text ?? ""}
        </pre>
      </Box>
      {check.warnings.map((w) => (
        <Text as="p" tone="caution" key={`${w.part}${w.message}`}>
          {w.part}: {w.message}
        </Text>
      ))}
    </BlockStack>
  );
}

/** The shop's message templates: edit the email of one, with a preview on sample values. */
export default function Templates() {
  const { id } = useLoaderData<typeof loader>();
  // one editor per template: a preview or a save (which reload the page's data) keeps the edits
  return <TemplateEditor key={id} />;
}

function TemplateEditor() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const href = useEmbeddedHref();
  const [fields, setFields] = useState<Fields>(data.fields);
  const check = result ? result.check : data.check;
  const set = (key: keyof Fields) => (value: string) => setFields((f) => ({ ...f, [key]: value }));
  const submit = useSubmit();
  const busy = useNavigation().state !== "idle";
  const send = (intent: "preview" | "save") =>
    submit(
      { id: data.id, intent, ...fields },
      { method: "post", action: href(`/app/templates?id=${data.id}`) },
    );
  return (
    <Page title="Templates" backAction={{ content: "Home", url: href("/app") }}>
      <Layout>
        <ActionResultBanners result={result} />
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="100">
              <Text as="h2" variant="headingMd">
                Templates
              </Text>
              <nav aria-label="Templates">
                <BlockStack gap="100">
                  {data.ids.map((t) => (
                    <Link
                      key={t.id}
                      to={href(`/app/templates?id=${t.id}`)}
                      aria-current={t.id === data.id ? "page" : undefined}
                    >
                      {t.id}
                      {t.own ? " (yours)" : ""}
                    </Link>
                  ))}
                </BlockStack>
              </nav>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {data.id} (email{data.ownVersion ? ", your version" : ", built in"})
              </Text>
              <TextField
                label="Subject"
                value={fields.subject}
                onChange={set("subject")}
                autoComplete="off"
              />
              <TextField
                label="Text"
                value={fields.text}
                onChange={set("text")}
                multiline={8}
                autoComplete="off"
              />
              <TextField
                label="HTML (optional)"
                value={fields.html}
                onChange={set("html")}
                multiline={4}
                autoComplete="off"
              />
              <InlineStack gap="200">
                <Button onClick={() => send("preview")} disabled={busy}>
                  Preview
                </Button>
                <Button onClick={() => send("save")} disabled={busy} variant="primary">
                  Save template
                </Button>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Preview (sample shipment and order)
              </Text>
              <div aria-live="polite">
                <Preview check={check} />
              </div>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
