import {
  type ActionStep,
  addBusinessDays,
  type DelayStep,
  durationMs,
  type EventTime,
  type PlannedStep,
  type ShipmentException,
  type ShipmentState,
} from "@trackflow/core";
import {
  type HostRef,
  type NotificationContent,
  type NotificationRecipient,
  type OrderRow,
  type Queryable,
  type TenantRow,
  takeThrottlePass,
} from "@trackflow/store";
import { writeAudit } from "../audit/audit-writer.ts";
import type { EngineContext } from "../engine-context.ts";
import { cachedChannelConnections } from "../tenancy/config-cache.ts";
import { signedTrackingLink } from "../tracking/tracking-link.ts";
import { type ChannelConnection, previewConnection } from "./channel-connections.ts";
import { composeMessage, tenantBrand } from "./compose-message.ts";
import { collectIntoDigest } from "./digest.ts";
import { type DailySummaryInput, messageVariables } from "./message-variables.ts";
import { queueNotification } from "./queue-notification.ts";
import { writebackPayload } from "./writeback-payload.ts";

export interface PlanSubject {
  tenant: TenantRow;
  shipmentId: string | null;
  shipment: ShipmentState | null;
  /** the host's own id for the shipment, for writeback steps */
  hostRef?: HostRef | null;
  lastEvent: { message: string; location: unknown; occurredAt?: EventTime } | null;
  order: OrderRow | null;
  exception?: ShipmentException | null;
  /** what changed, for webhook bodies */
  change: Record<string, unknown>;
  /** for scheduled flows: the shipments of the day, for the staff daily summary */
  summary?: DailySummaryInput | null;
}

function staffAddresses(tenant: TenantRow, list: string): string[] {
  return tenant.settings.staffLists?.[list] ?? [];
}

/** The customer's address on a channel: email for email and tickets, phone for SMS and WhatsApp. */
function customerAddress(
  connection: ChannelConnection,
  order: OrderRow | null,
): NotificationRecipient | null {
  const c = order?.customer;
  if (!c) return null;
  const byPhone = connection.kind === "sms" || connection.provider === "whatsapp";
  const byEmail = connection.kind === "email" || connection.kind === "ticket";
  const address = byEmail ? c.email : byPhone ? c.phone : null;
  return address
    ? { address, name: c.name ?? null, locale: c.locale ?? null, timeZone: c.timeZone ?? null }
    : null;
}

/** Who a step's message goes to. */
export function recipientsOf(
  step: ActionStep,
  connection: ChannelConnection,
  subject: Pick<PlanSubject, "tenant" | "order">,
): NotificationRecipient[] {
  if (step.type === "webhook" || step.type === "writeback") return [{ address: connection.name }];
  const to = step.type === "ticket" ? "customer" : step.to;
  if (to === "customer") {
    const r = customerAddress(connection, subject.order);
    return r ? [r] : [];
  }
  if ("staff" in to) return staffAddresses(subject.tenant, to.staff).map((address) => ({ address }));
  return [{ address: to.address }];
}

/** When the steps after a flow's delays may run. */
export function afterDelays(delays: readonly DelayStep[], from: Date, timeZone: string): Date {
  let at = from;
  for (const delay of delays) {
    at =
      delay.duration !== undefined
        ? new Date(at.getTime() + durationMs(delay.duration))
        : addBusinessDays(at, delay.businessDays!, timeZone);
  }
  return at;
}

/**
 * Turns planned flow steps into notification rows and their delivery jobs, in the caller's
 * transaction. The idempotency key makes a step for a change exist once: planning the same
 * change again (a redelivered webhook, a retried transaction) adds nothing. Delays set the
 * earliest send time, throttles may hold a step back, digests collect instead of sending, and
 * the recipient's preferences and quiet hours apply (queue-notification.ts).
 */
export async function planNotifications(
  ctx: EngineContext,
  tx: Queryable,
  planned: readonly PlannedStep[],
  subject: PlanSubject,
): Promise<number> {
  if (planned.length === 0) return 0;
  const now = ctx.now();
  const tenant = subject.tenant;
  const tenantId = tenant.id;
  const timeZone = tenant.settings.timeZone ?? "UTC";
  const connections = await cachedChannelConnections(ctx, tx, tenantId);
  const brand = tenantBrand(tenant);
  const variables = messageVariables({
    tenantName: tenant.name,
    brand,
    shipment: subject.shipment,
    lastEvent: subject.lastEvent,
    order: subject.order,
    exception: subject.exception ?? null,
    summary: subject.summary ?? null,
  });
  // without a tracking page of the merchant's own, messages link to ours: the order, signed
  if (!variables.shipment.trackingUrl && subject.order && subject.shipment)
    variables.shipment.trackingUrl = signedTrackingLink(ctx, { tenantId, orderId: subject.order.id });
  const about = subject.shipmentId ? `shipment:${subject.shipmentId}` : `order:${subject.order?.id}`;
  const notPlanned = (p: PlannedStep, why: string) =>
    writeAudit(tx, tenantId, now, {
      actor: "system",
      action: "notification.not_planned",
      subject: about,
      data: { flowId: p.flowId, stepId: p.step.id, why },
    });
  let created = 0;
  for (const p of planned) {
    const connection = connections.get(p.step.channel) ?? previewConnection(p.step.channel);
    const notBefore = afterDelays(p.delays, now, timeZone);
    if (p.step.type === "digest") {
      await collectIntoDigest(ctx, tx, { planned: p, step: p.step, subject, variables, notBefore, timeZone });
      continue;
    }
    const recipients = recipientsOf(p.step, connection, subject);
    if (recipients.length === 0) {
      await notPlanned(p, "no recipient address for this channel");
      continue;
    }
    for (const recipient of recipients) {
      const blockedBy = await firstClosedThrottle(tx, p, subject, recipient.address, now);
      if (blockedBy) {
        await writeAudit(tx, tenantId, now, {
          actor: "system",
          action: "notification.throttled",
          subject: about,
          data: { flowId: p.flowId, stepId: p.step.id, throttle: blockedBy, to: recipient.address },
        });
        continue;
      }
      let content: NotificationContent;
      if (p.step.type === "webhook" || p.step.type === "writeback") {
        content = {
          text: `${subject.change.kind ?? "change"}`,
          structured: {
            ...subject.change,
            variables,
            ...(p.step.type === "writeback" ? { host: writebackPayload(subject) } : {}),
          },
        };
      } else {
        try {
          content = await composeMessage(ctx, tx, {
            tenant,
            brand,
            connection,
            templateId: p.step.template,
            recipient,
            variables,
          });
        } catch (error) {
          await notPlanned(p, (error as Error).message);
          continue;
        }
      }
      const key = recipients.length > 1 ? `${p.idempotencyKey}:${recipient.address}` : p.idempotencyKey;
      const outcome = await queueNotification(ctx, tx, {
        tenant,
        idempotencyKey: key,
        flowId: p.flowId,
        flowVersion: p.flowVersion,
        stepId: p.step.id,
        critical: p.critical,
        shipmentId: subject.shipmentId,
        orderId: subject.order?.id ?? null,
        connection,
        recipient,
        content,
        notBefore,
        about,
      });
      if (outcome === "queued" || outcome === "held") created++;
    }
  }
  return created;
}

/** The id of the first throttle before this step that is at its limit for this key, else null. */
async function firstClosedThrottle(
  tx: Queryable,
  p: PlannedStep,
  subject: PlanSubject,
  recipientAddress: string,
  now: Date,
): Promise<string | null> {
  for (const throttle of p.throttles) {
    const throttleKey =
      throttle.per === "recipient"
        ? `recipient:${recipientAddress.toLowerCase()}`
        : throttle.per === "shipment"
          ? `shipment:${subject.shipmentId ?? "-"}`
          : throttle.per === "order"
            ? `order:${subject.order?.id ?? "-"}`
            : "tenant";
    const passed = await takeThrottlePass(tx, {
      tenantId: subject.tenant.id,
      flowId: p.flowId,
      stepId: throttle.id,
      throttleKey,
      max: throttle.max,
      windowStart: new Date(now.getTime() - durationMs(throttle.window)),
      now,
    });
    if (!passed) return throttle.id;
  }
  return null;
}
