import { type TemplateValidation, validateTemplate } from "@trackflow/core";
import { type Queryable, type TenantRow, upsertTemplate } from "@trackflow/store";
import type { z } from "zod";
import { writeAudit } from "../audit/audit-writer.ts";
import type { EngineContext } from "../engine-context.ts";
import type { TemplateSchema } from "../http/api-schemas.ts";
import { tenantBrand } from "./compose-message.ts";
import { sampleMessageVariables } from "./message-variables.ts";

export type TemplateInput = z.output<typeof TemplateSchema>;

/** A template id: lower-case letters, digits, "-" and "_". */
export const TEMPLATE_ID = /^[a-z0-9][a-z0-9_-]{0,127}$/;

/**
 * The template rendered with the tenant's sample values (its brand, a sample shipment and
 * order): an unknown variable or filter is an error naming the part and line; for SMS, the
 * segment count. What the console previews and what a save checks.
 */
export function checkTemplate(tenant: TenantRow, template: TemplateInput): TemplateValidation {
  return validateTemplate(
    template,
    template.channel,
    sampleMessageVariables(tenant.name, tenantBrand(tenant)),
  );
}

/**
 * Checks and saves a tenant's template (per id, locale and channel kind), audited. Nothing is
 * saved when it does not render: the result's `errors` say why.
 */
export async function saveTemplate(
  ctx: EngineContext,
  db: Queryable,
  tenant: TenantRow,
  actor: string,
  id: string,
  template: TemplateInput,
): Promise<TemplateValidation> {
  const check = checkTemplate(tenant, template);
  if (check.errors.length > 0) return check;
  await upsertTemplate(db, tenant.id, {
    id,
    locale: template.locale,
    channel: template.channel,
    body: { subject: template.subject ?? null, text: template.text, html: template.html ?? null },
  });
  await writeAudit(db, tenant.id, ctx.now(), {
    actor,
    action: "template.saved",
    subject: `template:${id}`,
    data: { locale: template.locale, channel: template.channel },
  });
  return check;
}
