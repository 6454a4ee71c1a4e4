import type { DeliveryReceipt } from "@trackflow/channels";
import {
  DELIVERY_RECEIPT_STATUSES,
  type FlowChange,
  type DeliveryReceiptStatus as FlowReceiptStatus,
  planFlowSteps,
  type VersionedFlow,
} from "@trackflow/core";
import {
  findNotificationByProviderMessage,
  findReceiptTarget,
  getOrder,
  getShipment,
  getShipmentEvent,
  insertDeliveryReceipt,
  listFlows,
  type Queryable,
  type ReceiptTarget,
  rememberReceiptToken,
  type TenantRow,
  updateDeliveryStatus,
} from "@trackflow/store";
import { writeAudit } from "../audit/audit-writer.ts";
import type { EngineContext } from "../engine-context.ts";
import { flowContext } from "./flow-context.ts";
import { planNotifications } from "./plan-notifications.ts";

export interface RecordReceiptsRequest {
  tenant: TenantRow;
  /** the tenant's channel connection the receipts came in through */
  channel: string;
  /** who sent them, for the audit trail: "receipts:<channel>" */
  actor: string;
  /** verified receipts, in the order the provider sent them */
  receipts: readonly DeliveryReceipt[];
  /**
   * A signature token to remember as seen, in the same transaction (Mailgun's replay
   * protection): a request that fails here may be sent again by the provider.
   */
  token?: { provider: string; value: string; forgetBefore: Date } | null;
}

export interface RecordReceiptsOutcome {
  /** receipts in the request */
  received: number;
  /** new receipts that found their notification */
  matched: number;
  /** receipts stored before (the provider repeating itself): they change nothing */
  duplicates: number;
  /** notifications planned by flows that escalate on receipts */
  notificationsPlanned: number;
}

function isFlowReceiptStatus(status: string): status is FlowReceiptStatus {
  return (DELIVERY_RECEIPT_STATUSES as readonly string[]).includes(status);
}

/**
 * Our notification a receipt is about: by the provider's message id as our send recorded it
 * (Twilio Message SID, SendGrid X-Message-Id, the part of `sg_message_id` before its first dot,
 * Mailgun message id without angle brackets), else by the notification id the provider echoed
 * from the send's metadata. Locked: receipts for one message are decided one at a time.
 */
async function matchReceipt(
  tx: Queryable,
  tenantId: string,
  receipt: DeliveryReceipt,
): Promise<ReceiptTarget | null> {
  if (receipt.providerMessageId !== null) {
    const byMessage = await findNotificationByProviderMessage(
      tx,
      tenantId,
      receipt.provider,
      receipt.providerMessageId,
    );
    if (byMessage) return byMessage;
  }
  if (receipt.notificationId !== null) return await findReceiptTarget(tx, tenantId, receipt.notificationId);
  return null;
}

/**
 * Takes a request's verified receipts in, in ONE transaction: each is stored once (a receipt
 * seen before changes nothing), matched to its notification, moves the notification's delivery
 * status forward (never back: see `updateDeliveryStatus`), is audited (`notification.receipt`),
 * and, when a flow's `delivery_receipt` trigger names its status, plans that flow's steps for
 * the notification's shipment or order, keyed by the receipt so an escalation happens once.
 * A receipt that matches no notification is stored without one and audited, never an error.
 */
export async function recordReceipts(
  ctx: EngineContext,
  request: RecordReceiptsRequest,
): Promise<RecordReceiptsOutcome> {
  const tenant = request.tenant;
  const now = ctx.now();
  return await ctx.db.transaction(async (tx) => {
    if (request.token) {
      await rememberReceiptToken(
        tx,
        tenant.id,
        request.token.provider,
        request.token.value,
        now,
        request.token.forgetBefore,
      );
    }
    const outcome: RecordReceiptsOutcome = {
      received: request.receipts.length,
      matched: 0,
      duplicates: 0,
      notificationsPlanned: 0,
    };
    let flows: VersionedFlow[] | null = null;
    for (const receipt of request.receipts) {
      const target = await matchReceipt(tx, tenant.id, receipt);
      const at = new Date(receipt.at);
      const fresh = await insertDeliveryReceipt(tx, {
        tenantId: tenant.id,
        receiptId: receipt.receiptId,
        notificationId: target?.id ?? null,
        channel: target?.channel ?? request.channel,
        provider: receipt.provider,
        status: receipt.status,
        permanent: receipt.permanent,
        at,
        detail: receipt.detail,
      });
      if (!fresh) {
        outcome.duplicates++;
        continue;
      }
      const statusChanged =
        target !== null && (await updateDeliveryStatus(tx, tenant.id, target.id, receipt.status, at));
      await writeAudit(tx, tenant.id, now, {
        actor: request.actor,
        action: "notification.receipt",
        subject: target ? `notification:${target.id}` : `channel:${request.channel}`,
        data: {
          provider: receipt.provider,
          status: receipt.status,
          detail: receipt.detail,
          permanent: receipt.permanent,
          rawEvent: receipt.rawEvent,
          receiptId: receipt.receiptId,
          at: receipt.at,
          matched: target !== null,
          statusChanged,
          ...(target
            ? {}
            : { providerMessageId: receipt.providerMessageId, notificationId: receipt.notificationId }),
        },
      });
      if (target === null) continue;
      outcome.matched++;
      if (!isFlowReceiptStatus(receipt.status)) continue;
      flows ??= await listFlows(tx, tenant.id);
      outcome.notificationsPlanned += await escalate(ctx, tx, tenant, flows, target, receipt, receipt.status);
    }
    return outcome;
  });
}

/**
 * Plans the steps of the flows whose `delivery_receipt` trigger names this receipt's status, for
 * the shipment or order of the receipted notification. A flow never escalates on its own
 * messages (an SMS sent because an SMS failed, failing again, would loop).
 */
async function escalate(
  ctx: EngineContext,
  tx: Queryable,
  tenant: TenantRow,
  flows: readonly VersionedFlow[],
  target: ReceiptTarget,
  receipt: DeliveryReceipt,
  status: FlowReceiptStatus,
): Promise<number> {
  const candidates = flows.filter(
    (f) => f.definition.trigger.type === "delivery_receipt" && f.definition.id !== target.flowId,
  );
  if (candidates.length === 0) return 0;
  const shipment = target.shipmentId ? await getShipment(tx, tenant.id, target.shipmentId) : null;
  const orderId = shipment?.orderId ?? target.orderId;
  const order = orderId ? await getOrder(tx, tenant.id, orderId) : null;
  // the latest scan in time, for the message's variables (as ingest picks it)
  const timeline = shipment?.state.timeline ?? [];
  const latest = timeline.findLast((t) => !t.informational) ?? timeline[timeline.length - 1];
  const lastEvent =
    shipment && latest ? await getShipmentEvent(tx, tenant.id, shipment.id, latest.fingerprint) : null;
  const subject = shipment
    ? `shipment:${shipment.id}`
    : order
      ? `order:${order.id}`
      : `notification:${target.id}`;
  const change: FlowChange = {
    kind: "delivery_receipt",
    status,
    channel: target.channel,
    notificationId: target.id,
    // one escalation per message and status, however many receipts say it (a bounce and its retry)
    key: `receipt:${target.id}:${status}`,
  };
  const steps = planFlowSteps(tenant.id, subject, candidates, change, flowContext(shipment, order));
  if (steps.length === 0) return 0;
  return await planNotifications(ctx, tx, steps, {
    tenant,
    shipmentId: shipment?.id ?? null,
    shipment: shipment?.state ?? null,
    lastEvent,
    order,
    change: {
      kind: "notification.receipt",
      notificationId: target.id,
      channel: target.channel,
      provider: receipt.provider,
      status,
      permanent: receipt.permanent,
      detail: receipt.detail,
      to: target.recipient.address,
    },
  });
}
