import {
  countExceptionQueue,
  type ExceptionQueueEntry,
  getOrder,
  getShipment,
  listExceptionQueue,
  type OrderRow,
  resolveShipmentExceptions,
  type ShipmentRow,
} from "@trackflow/store";
import { writeAudit } from "../audit/audit-writer.ts";
import type { EngineContext } from "../engine-context.ts";
import { ManualNotifyError, notifyShipmentManually } from "../notify/manual-notify.ts";
import { html, type SafeHtml } from "../tracking/html.ts";
import type { ConsoleCaller } from "./console-auth.ts";
import { formatInstant, formatWhen, statusBadge, statusLabel } from "./console-format.ts";
import { alertBox, canChange, consolePage, csrfField, noticeBox } from "./console-layout.ts";
import type { ConsoleRouter } from "./console-router.ts";

const PER_PAGE = 50;

export interface QueueItem {
  entry: ExceptionQueueEntry;
  shipment: ShipmentRow;
  order: OrderRow | null;
}

export async function loadExceptionQueue(ctx: EngineContext, tenantId: string, page: number) {
  const [entries, total] = await Promise.all([
    listExceptionQueue(ctx.db, tenantId, { offset: (page - 1) * PER_PAGE, limit: PER_PAGE }),
    countExceptionQueue(ctx.db, tenantId),
  ]);
  const items = await Promise.all(
    entries.map(async (entry): Promise<QueueItem | null> => {
      const shipment = await getShipment(ctx.db, tenantId, entry.shipmentId);
      if (!shipment) return null;
      const order = shipment.orderId ? await getOrder(ctx.db, tenantId, shipment.orderId) : null;
      return { entry, shipment, order };
    }),
  );
  return { items: items.filter((i): i is QueueItem => i !== null), total, page };
}

/** "stalled:2024-07-01T10:00:00Z" → "Stalled"; a piece's key names the piece too. */
function conditionLabel(key: string): string {
  const [kind = key] = key.split(":");
  return statusLabel(kind);
}

function why(item: QueueItem): SafeHtml {
  const s = item.shipment;
  const reasons: SafeHtml[] = item.entry.conditions.map(
    (c) =>
      html`<li>${conditionLabel(c.key)} <span class="muted">since ${formatInstant(c.firedAt)}</span></li>`,
  );
  if (item.entry.flagged)
    reasons.push(
      html`<li>${s.actionRequired ? "Carrier asks for action" : statusLabel(s.status)}${s.reason ? html` <span class="muted">(${statusLabel(s.reason)})</span>` : ""}</li>`,
    );
  return html`<ul class="plain">${reasons}</ul>`;
}

function actions(caller: ConsoleCaller, item: QueueItem): SafeHtml {
  const s = item.shipment;
  const id = encodeURIComponent(s.id);
  const name = `${s.carrier.toUpperCase()} ${s.trackingNumber}`;
  return html`<div class="actions">
<form method="post" action="/console/exceptions/${id}/notify">${csrfField(caller)}<button type="submit" aria-label="Notify customer of ${name}">Notify customer</button></form>
<form method="post" action="/console/exceptions/${id}/resolve">${csrfField(caller)}
<label class="visually-hidden" for="note-${s.id}">Note on resolving ${name}</label>
<input id="note-${s.id}" name="note" type="text" maxlength="500" placeholder="Note (optional)">
<button type="submit" class="secondary" aria-label="Resolve ${name}">Resolve</button></form>
</div>`;
}

export function renderExceptionQueue(
  caller: ConsoleCaller,
  data: Awaited<ReturnType<typeof loadExceptionQueue>>,
  messages: { notice?: string | undefined; alert?: string | undefined } = {},
): string {
  const write = canChange(caller);
  return consolePage(
    caller,
    "exceptions",
    "Exceptions",
    html`<h1>Exceptions needing action (${data.total})</h1>
${noticeBox(messages.notice)}${alertBox(messages.alert)}
<p class="muted">Oldest first. "Notify customer" runs the flows with a manual trigger for the shipment; "Resolve" takes it off the queue until something new happens to it (both are audited).</p>
${
  data.items.length === 0
    ? html`<p>No shipment needs action.</p>`
    : html`<table><caption class="visually-hidden">Shipments needing action, oldest first</caption>
<thead><tr><th scope="col">Shipment</th><th scope="col">Status</th><th scope="col">Why</th><th scope="col">Needs action since</th><th scope="col">Order</th>${write ? html`<th scope="col">Actions</th>` : ""}</tr></thead>
<tbody>${data.items.map(
        (item) => html`<tr>
<td><a href="/console/shipments/${encodeURIComponent(item.shipment.id)}">${item.shipment.carrier.toUpperCase()} ${item.shipment.trackingNumber}</a></td>
<td>${statusBadge(item.shipment.status)}<br><span class="muted">last scan ${formatWhen(item.shipment.state.lastEventAt)}</span></td>
<td>${why(item)}</td>
<td>${formatInstant(item.entry.since)}</td>
<td>${item.order ? html`${item.order.data.orderNumber ?? item.order.externalId}<br><span class="muted">${item.order.customer.email ?? ""}</span>` : "—"}</td>
${write ? html`<td>${actions(caller, item)}</td>` : ""}</tr>`,
      )}</tbody></table>`
}
<nav class="pager" aria-label="Pages">
${data.page > 1 ? html`<a href="/console/exceptions?page=${data.page - 1}" rel="prev">Previous page</a>` : ""}
<span>Page ${data.page}</span>
${data.page * PER_PAGE < data.total ? html`<a href="/console/exceptions?page=${data.page + 1}" rel="next">Next page</a>` : ""}
</nav>`,
  );
}

/**
 * Resolves what puts a shipment in the queue, audited in the same transaction. Null when the
 * tenant has no such shipment.
 */
export async function resolveShipmentException(
  ctx: EngineContext,
  caller: Pick<ConsoleCaller, "tenant" | "actor">,
  shipmentId: string,
  note: string | null,
): Promise<{ conditions: string[] } | null> {
  return await ctx.db.transaction(async (tx) => {
    const at = ctx.now();
    const resolved = await resolveShipmentExceptions(tx, caller.tenant.id, shipmentId, {
      actor: caller.actor,
      at,
      note,
    });
    if (resolved === null) return null;
    await writeAudit(tx, caller.tenant.id, at, {
      actor: caller.actor,
      action: "exception.resolved",
      subject: `shipment:${shipmentId}`,
      data: { conditions: resolved.conditions, note },
    });
    return resolved;
  });
}

/** `GET /console/exceptions`, `POST /console/exceptions/:id/notify`, `POST …/:id/resolve`. */
export function registerExceptionRoutes(router: ConsoleRouter): void {
  const { ctx } = router;
  const pageOf = (v: string | undefined) => {
    const n = Number.parseInt(v ?? "1", 10);
    return Number.isFinite(n) && n >= 1 ? Math.min(n, 10_000) : 1;
  };

  router.page("/console/exceptions", async (caller, request, reply) => {
    const q = request.query;
    const planned = Number.parseInt(q.planned ?? "0", 10) || 0;
    const messages =
      q.done === "resolved"
        ? { notice: `Resolved ${q.name ?? "the shipment"}: it has left the queue.` }
        : q.done === "notified" && planned > 0
          ? { notice: `${planned} message${planned === 1 ? "" : "s"} to the customer queued.` }
          : q.done === "notified"
            ? {
                alert:
                  "No message was planned: no enabled flow has a manual trigger (or it had been sent already). Add one on the Flows page.",
              }
            : {};
    return router.html(
      reply,
      200,
      renderExceptionQueue(caller, await loadExceptionQueue(ctx, caller.tenant.id, pageOf(q.page)), messages),
    );
  });

  router.action("/console/exceptions/:id/notify", async (caller, request, _form, reply) => {
    const shipment = await getShipment(ctx.db, caller.tenant.id, (request.params.id ?? "").slice(0, 128));
    if (!shipment) return router.text(reply, 404, "no such shipment");
    try {
      const planned = await notifyShipmentManually(ctx, caller, shipment);
      return router.redirect(reply, `/console/exceptions?done=notified&planned=${planned}`);
    } catch (error) {
      if (error instanceof ManualNotifyError) return router.text(reply, error.status, error.message);
      throw error;
    }
  });

  router.action("/console/exceptions/:id/resolve", async (caller, request, form, reply) => {
    const note = (form.get("note") ?? "").trim().slice(0, 500) || null;
    const id = (request.params.id ?? "").slice(0, 128);
    const resolved = await resolveShipmentException(ctx, caller, id, note);
    if (resolved === null) return router.text(reply, 404, "no such shipment");
    const shipment = await getShipment(ctx.db, caller.tenant.id, id);
    const name = shipment ? `${shipment.carrier.toUpperCase()} ${shipment.trackingNumber}` : id;
    return router.redirect(reply, `/console/exceptions?done=resolved&name=${encodeURIComponent(name)}`);
  });
}
