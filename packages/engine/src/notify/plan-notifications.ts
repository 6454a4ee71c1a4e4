import {
  type PlannedStep,
  renderMessage,
  type ShipmentException,
  type ShipmentState,
  TemplateError,
} from "@trackflow/core";
import {
  enqueueInTransaction,
  findTemplate,
  insertNotification,
  type NotificationContent,
  type NotificationRecipient,
  type OrderRow,
  type Queryable,
  type TenantRow,
} from "@trackflow/store";
import { writeAudit } from "../audit/audit-writer.ts";
import { type EngineContext, NOTIFICATION_QUEUE, type NotificationJob, newId } from "../engine-context.ts";
import { type ChannelConnection, loadChannelConnections, previewConnection } from "./channel-connections.ts";
import { DEFAULT_TEMPLATES } from "./default-templates.ts";
import { messageVariables } from "./message-variables.ts";

export interface PlanSubject {
  tenant: TenantRow;
  shipmentId: string | null;
  shipment: ShipmentState | null;
  lastEvent: { message: string; location: unknown } | null;
  order: OrderRow | null;
  exception?: ShipmentException | null;
  /** what changed, for webhook bodies */
  change: Record<string, unknown>;
}

/** Locales to try for a recipient: exact, language, then English ("de-AT" → de-AT, de, en). */
export function localeChain(locale: string | null | undefined): string[] {
  const chain = locale ? [locale, locale.split("-")[0]!] : [];
  return [...new Set([...chain, "en"])];
}

async function tenantTemplate(
  tx: Queryable,
  tenantId: string,
  id: string,
  channel: string,
  locale: string | null | undefined,
) {
  return (await findTemplate(tx, tenantId, id, channel, localeChain(locale)))?.body ?? null;
}

function staffAddresses(tenant: TenantRow, list: string): string[] {
  const lists = (tenant.settings as { staffLists?: Record<string, string[]> }).staffLists ?? {};
  return lists[list] ?? [];
}

function customerAddress(
  kind: ChannelConnection["kind"],
  order: OrderRow | null,
): NotificationRecipient | null {
  const c = order?.customer;
  if (!c) return null;
  const address = kind === "email" ? c.email : kind === "sms" ? c.phone : null;
  return address
    ? { address, name: c.name ?? null, locale: c.locale ?? null, timeZone: c.timeZone ?? null }
    : null;
}

function recipientsOf(
  step: PlannedStep["step"],
  connection: ChannelConnection,
  subject: PlanSubject,
): NotificationRecipient[] {
  if (step.type === "webhook") return [{ address: connection.name }];
  const to = step.to;
  if (to === "customer") {
    const r = customerAddress(connection.kind, subject.order);
    return r ? [r] : [];
  }
  if ("staff" in to) return staffAddresses(subject.tenant, to.staff).map((address) => ({ address }));
  return [{ address: to.address }];
}

/**
 * Turns planned flow steps into notification rows and their delivery jobs, in the caller's
 * transaction. The idempotency key makes a step for a change exist once: planning the same
 * change again (a redelivered webhook, a retried transaction) adds nothing.
 */
export async function planNotifications(
  ctx: EngineContext,
  tx: Queryable,
  planned: readonly PlannedStep[],
  subject: PlanSubject,
): Promise<number> {
  if (planned.length === 0) return 0;
  const now = ctx.now();
  const tenantId = subject.tenant.id;
  const connections = await loadChannelConnections(tx, tenantId);
  const variables = messageVariables({
    tenantName: subject.tenant.name,
    shipment: subject.shipment,
    lastEvent: subject.lastEvent,
    order: subject.order,
    exception: subject.exception ?? null,
  });
  const subjectRef = subject.shipmentId ? `shipment:${subject.shipmentId}` : `order:${subject.order?.id}`;
  let created = 0;
  for (const p of planned) {
    const connection = connections.get(p.step.channel) ?? previewConnection(p.step.channel);
    const recipients = recipientsOf(p.step, connection, subject);
    if (recipients.length === 0) {
      await writeAudit(tx, tenantId, now, {
        actor: "system",
        action: "notification.not_planned",
        subject: subjectRef,
        data: { flowId: p.flowId, stepId: p.step.id, why: "no recipient address for this channel" },
      });
      continue;
    }
    let content: NotificationContent;
    if (p.step.type === "webhook") {
      content = { text: `${subject.change.kind ?? "change"}`, structured: { ...subject.change, variables } };
    } else {
      const template =
        (await tenantTemplate(tx, tenantId, p.step.template, connection.kind, recipients[0]!.locale)) ??
        DEFAULT_TEMPLATES[p.step.template];
      try {
        if (!template) throw new TemplateError("text", `no template named "${p.step.template}"`);
        content = renderMessage(template, variables);
      } catch (error) {
        await writeAudit(tx, tenantId, now, {
          actor: "system",
          action: "notification.not_planned",
          subject: subjectRef,
          data: { flowId: p.flowId, stepId: p.step.id, why: (error as Error).message },
        });
        continue;
      }
    }
    for (const recipient of recipients) {
      const id = newId("ntf");
      const key = recipients.length > 1 ? `${p.idempotencyKey}:${recipient.address}` : p.idempotencyKey;
      const inserted = await insertNotification(tx, {
        id,
        tenantId,
        idempotencyKey: key,
        flowId: p.flowId,
        flowVersion: p.flowVersion,
        stepId: p.step.id,
        shipmentId: subject.shipmentId,
        orderId: subject.order?.id ?? null,
        channel: connection.name,
        recipient,
        rendered: content,
        status: "queued",
      });
      if (!inserted) continue;
      const job: NotificationJob = { tenantId, notificationId: id };
      await enqueueInTransaction(ctx.boss, tx, NOTIFICATION_QUEUE, job);
      await writeAudit(tx, tenantId, now, {
        actor: "system",
        action: "notification.planned",
        subject: `notification:${id}`,
        data: {
          flowId: p.flowId,
          flowVersion: p.flowVersion,
          stepId: p.step.id,
          channel: connection.name,
          provider: connection.provider,
          to: recipient.address,
          about: subjectRef,
        },
      });
      created++;
    }
  }
  return created;
}
