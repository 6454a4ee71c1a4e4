import { REASONS, SHIPMENT_STATUSES, type ShipmentStatus } from "@trackflow/core";
import {
  type DeliveryAttemptRow,
  EXCEPTION_KINDS,
  getOrder,
  getShipment,
  listDeliveryAttempts,
  listNotifications,
  listShipmentCarriers,
  listShipmentEvents,
  type NotificationRow,
  type OrderRow,
  type ShipmentRow,
  type StoredEvent,
  searchShipmentIds,
} from "@trackflow/store";
import type { EngineContext } from "../engine-context.ts";
import { html, type SafeHtml } from "../tracking/html.ts";
import type { ConsoleCaller } from "./console-auth.ts";
import { formatInstant, formatWhen, statusBadge, statusLabel } from "./console-format.ts";
import { consolePage, csrfField } from "./console-layout.ts";

export const SHIPMENTS_PER_PAGE = 25;

export type ExceptionFilter = "any" | (typeof EXCEPTION_KINDS)[number];

export interface ShipmentListQuery {
  status?: ShipmentStatus | undefined;
  carrier?: string | undefined;
  q?: string | undefined;
  exception?: ExceptionFilter | undefined;
  /** last scan on or after this day (YYYY-MM-DD, UTC) */
  from?: string | undefined;
  /** last scan on or before this day */
  to?: string | undefined;
  page: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const validDay = (v: string | undefined) =>
  v !== undefined && DAY.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) ? v : undefined;

export function parseShipmentListQuery(query: Record<string, unknown>): ShipmentListQuery {
  const str = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v.trim().slice(0, 128) : undefined);
  const status = str(query.status);
  const page = Number.parseInt(str(query.page) ?? "1", 10);
  return {
    status: (SHIPMENT_STATUSES as readonly string[]).includes(status ?? "")
      ? (status as ShipmentStatus)
      : undefined,
    carrier: str(query.carrier),
    q: str(query.q),
    exception: ["any", ...EXCEPTION_KINDS].find((k) => k === str(query.exception)) as
      | ExceptionFilter
      | undefined,
    from: validDay(str(query.from)),
    to: validDay(str(query.to)),
    page: Number.isFinite(page) && page >= 1 ? Math.min(page, 10_000) : 1,
  };
}

export async function loadShipmentList(ctx: EngineContext, tenantId: string, q: ShipmentListQuery) {
  const [ids, carriers] = await Promise.all([
    searchShipmentIds(ctx.db, tenantId, {
      status: q.status,
      carrier: q.carrier,
      trackingNumber: q.q,
      exception: q.exception,
      from: q.from ? new Date(`${q.from}T00:00:00Z`) : undefined,
      to: q.to ? new Date(Date.parse(`${q.to}T00:00:00Z`) + 86_400_000) : undefined,
      offset: (q.page - 1) * SHIPMENTS_PER_PAGE,
      limit: SHIPMENTS_PER_PAGE + 1,
    }),
    listShipmentCarriers(ctx.db, tenantId),
  ]);
  const rows = await Promise.all(
    ids.slice(0, SHIPMENTS_PER_PAGE).map((id) => getShipment(ctx.db, tenantId, id)),
  );
  return {
    shipments: rows.filter((s): s is ShipmentRow => s !== null),
    hasNext: ids.length > SHIPMENTS_PER_PAGE,
    carriers,
  };
}

const option = (value: string, label: string, selected: boolean) =>
  html`<option value="${value}"${selected ? html` selected` : ""}>${label}</option>`;

function pageLink(q: ShipmentListQuery, page: number): string {
  const p = new URLSearchParams();
  if (q.status) p.set("status", q.status);
  if (q.carrier) p.set("carrier", q.carrier);
  if (q.q) p.set("q", q.q);
  if (q.exception) p.set("exception", q.exception);
  if (q.from) p.set("from", q.from);
  if (q.to) p.set("to", q.to);
  p.set("page", String(page));
  return `/console/shipments?${p}`;
}

export function renderShipmentList(
  caller: ConsoleCaller,
  q: ShipmentListQuery,
  data: Awaited<ReturnType<typeof loadShipmentList>>,
  alert?: string,
): string {
  return consolePage(
    caller,
    "shipments",
    "Shipments",
    html`<h1>Shipments</h1>
${alert ? html`<div class="alert" role="alert"><p>${alert}</p></div>` : ""}
<form class="filters" method="get" action="/console/shipments" role="search" aria-label="Filter shipments">
  <div><label for="f-q">Tracking number</label><input id="f-q" name="q" type="search" value="${q.q ?? ""}"></div>
  <div><label for="f-status">Status</label><select id="f-status" name="status">${option("", "Any", !q.status)}${SHIPMENT_STATUSES.map((s) => option(s, statusLabel(s), q.status === s))}</select></div>
  <div><label for="f-carrier">Carrier</label><select id="f-carrier" name="carrier">${option("", "Any", !q.carrier)}${data.carriers.map((c) => option(c, c.toUpperCase(), q.carrier === c))}</select></div>
  <div><label for="f-exception">Exception</label><select id="f-exception" name="exception">${option("", "Any or none", !q.exception)}${option("any", "Needs action", q.exception === "any")}${EXCEPTION_KINDS.map((k) => option(k, statusLabel(k), q.exception === k))}</select></div>
  <div><label for="f-from">Last scan from</label><input id="f-from" name="from" type="date" value="${q.from ?? ""}"></div>
  <div><label for="f-to">Last scan to</label><input id="f-to" name="to" type="date" value="${q.to ?? ""}"></div>
  <div><button type="submit">Filter</button></div>
</form>
${
  data.shipments.length === 0
    ? html`<p>No shipments match.</p>`
    : html`<table><caption class="visually-hidden">Shipments, page ${q.page}</caption>
<thead><tr><th scope="col">Tracking number</th><th scope="col">Carrier</th><th scope="col">Status</th><th scope="col">Estimated delivery</th><th scope="col">Last event</th></tr></thead>
<tbody>${data.shipments.map(
        (
          s,
        ) => html`<tr><td><a href="/console/shipments/${encodeURIComponent(s.id)}">${s.trackingNumber}</a></td>
<td>${s.carrier.toUpperCase()}</td><td>${statusBadge(s.status)}${s.actionRequired ? html` <span class="status bad">Action required</span>` : ""}</td>
<td>${formatWhen(s.estimatedDelivery)}</td>
<td>${formatWhen(s.state.lastEventAt)}</td></tr>`,
      )}</tbody></table>`
}
<nav class="pager" aria-label="Pages">
${q.page > 1 ? html`<a href="${pageLink(q, q.page - 1)}" rel="prev">Previous page</a>` : ""}
<span>Page ${q.page}</span>
${data.hasNext ? html`<a href="${pageLink(q, q.page + 1)}" rel="next">Next page</a>` : ""}
</nav>`,
  );
}

export interface ShipmentDetail {
  shipment: ShipmentRow;
  events: StoredEvent[];
  order: OrderRow | null;
  notifications: Array<{ notification: NotificationRow; attempts: DeliveryAttemptRow[] }>;
}

export async function loadShipmentDetail(
  ctx: EngineContext,
  tenantId: string,
  id: string,
): Promise<ShipmentDetail | null> {
  const shipment = id.length <= 128 ? await getShipment(ctx.db, tenantId, id) : null;
  if (!shipment) return null;
  const [events, notifications, order] = await Promise.all([
    listShipmentEvents(ctx.db, tenantId, shipment.id),
    listNotifications(ctx.db, tenantId, { shipmentId: shipment.id }),
    shipment.orderId ? getOrder(ctx.db, tenantId, shipment.orderId) : null,
  ]);
  const withAttempts = await Promise.all(
    notifications.map(async (n) => ({
      notification: n,
      attempts: await listDeliveryAttempts(ctx.db, tenantId, n.id),
    })),
  );
  return { shipment, events, order, notifications: withAttempts };
}

const place = (e: StoredEvent["event"]) =>
  [e.location?.city, e.location?.country].filter(Boolean).join(", ") || e.location?.description || "";

function timeline(events: StoredEvent[]): SafeHtml {
  if (events.length === 0) return html`<p>No events yet.</p>`;
  return html`<table><caption class="visually-hidden">Events, as received</caption>
<thead><tr><th scope="col">When</th><th scope="col">Status</th><th scope="col">Carrier code</th><th scope="col">Carrier message</th><th scope="col">Place</th><th scope="col">Source</th></tr></thead>
<tbody>${[...events].reverse().map(
    ({
      event: e,
    }) => html`<tr><td>${formatWhen(e.occurredAt)}</td><td>${statusBadge(e.status)}${e.reason ? html` <span class="muted">${e.reason}</span>` : ""}</td>
<td><code>${e.rawCode}</code>${e.rawStatus ? html` <span class="muted">${e.rawStatus}</span>` : ""}</td><td>${e.message}</td><td>${place(e)}</td><td>${e.source}${e.pieceId ? html` · piece ${e.pieceId}` : ""}</td></tr>`,
  )}</tbody></table>`;
}

export function notificationTable(
  caller: ConsoleCaller,
  rows: Array<{ notification: NotificationRow; attempts?: DeliveryAttemptRow[] }>,
  back: string,
  caption: string,
): SafeHtml {
  if (rows.length === 0) return html`<p>No notifications.</p>`;
  const canWrite = caller.role === "admin";
  return html`<table><caption class="visually-hidden">${caption}</caption>
<thead><tr><th scope="col">Created</th><th scope="col">Channel</th><th scope="col">To</th><th scope="col">Subject</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last error</th>${canWrite ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : ""}</tr></thead>
<tbody>${rows.map(({ notification: n, attempts }) => {
    const replayable = n.status === "dead" || n.status === "failed";
    return html`<tr><td>${formatInstant(n.createdAt)}</td><td>${n.channel}${n.provider ? html` <span class="muted">(${n.provider})</span>` : ""}</td>
<td>${n.recipient.address}</td><td>${n.rendered?.subject ?? ""}</td><td>${statusBadge(n.status)}</td>
<td>${n.attempts}${
      attempts && attempts.length > 0
        ? html`<ol class="muted">${attempts.map(
            (a) =>
              html`<li>${a.provider}: ${a.outcome ?? "running"}${a.statusCode ? ` (${a.statusCode})` : ""}${a.error ? ` · ${a.error}` : ""} · ${formatInstant(a.startedAt)}</li>`,
          )}</ol>`
        : ""
    }</td>
<td>${n.lastError ?? ""}</td>
${
  canWrite
    ? html`<td>${
        replayable
          ? html`<form method="post" action="/console/notifications/${encodeURIComponent(n.id)}/replay">${csrfField(caller)}<input type="hidden" name="back" value="${back}"><button type="submit" aria-label="Replay notification to ${n.recipient.address} on ${n.channel}">Replay</button></form>`
          : ""
      }</td>`
    : ""
}</tr>`;
  })}</tbody></table>`;
}

function statusForm(caller: ConsoleCaller, s: ShipmentRow): SafeHtml {
  return html`<section class="card" aria-labelledby="set-status">
<h2 id="set-status">Set the status by hand</h2>
<form method="post" action="/console/shipments/${encodeURIComponent(s.id)}/status">${csrfField(caller)}
<div class="filters">
<div><label for="m-status">Status</label><select id="m-status" name="status" required>${SHIPMENT_STATUSES.map((x) => option(x, statusLabel(x), x === s.status))}</select></div>
<div><label for="m-reason">Reason</label><select id="m-reason" name="reason">${option("", "None", true)}${REASONS.map((r) => option(r, statusLabel(r), false))}</select></div>
<div><label for="m-message">Message</label><input id="m-message" name="message" type="text" maxlength="1000" value="Status set by staff"></div>
<div><button type="submit">Set status</button></div>
</div>
</form>
</section>`;
}

export function renderShipmentDetail(caller: ConsoleCaller, d: ShipmentDetail, notice?: string): string {
  const s = d.shipment;
  const self = `/console/shipments/${encodeURIComponent(s.id)}`;
  return consolePage(
    caller,
    "shipments",
    `${s.carrier.toUpperCase()} ${s.trackingNumber}`,
    html`<p><a href="/console/shipments">All shipments</a></p>
<h1>${s.carrier.toUpperCase()} ${s.trackingNumber}</h1>
${notice ? html`<div class="notice" role="status"><p>${notice}</p></div>` : ""}
<div class="grid">
<section class="card" aria-labelledby="facts">
<h2 id="facts">Status</h2>
<dl class="facts">
<dt>Status</dt><dd>${statusBadge(s.status)}${s.actionRequired ? html` <span class="status bad">Action required</span>` : ""}</dd>
<dt>Reason</dt><dd>${s.reason ?? "—"}</dd>
<dt>Estimated delivery</dt><dd>${formatWhen(s.estimatedDelivery)}</dd>
<dt>Last event</dt><dd>${formatWhen(s.state.lastEventAt)}</dd>
<dt>Unknown carrier codes</dt><dd>${s.state.unknownCodes.length ? s.state.unknownCodes.join(", ") : "—"}</dd>
</dl>
</section>
<section class="card" aria-labelledby="order">
<h2 id="order">Order</h2>
${
  d.order
    ? html`<dl class="facts"><dt>Number</dt><dd>${d.order.data.orderNumber ?? d.order.externalId}</dd><dt>External id</dt><dd>${d.order.externalId} <span class="muted">(${d.order.source})</span></dd><dt>Status</dt><dd>${statusBadge(d.order.status)}</dd><dt>Customer</dt><dd>${d.order.customer.name ?? ""} ${d.order.customer.email ?? ""}</dd></dl>`
    : html`<p>Not linked to an order.</p>`
}
</section>
<section class="card" aria-labelledby="pieces">
<h2 id="pieces">Pieces (${s.state.pieces.length})</h2>
<ul>${s.state.pieces.map((p) => html`<li><span class="mono">${p.pieceId}</span>: ${statusBadge(p.status)}${p.reason ? ` ${p.reason}` : ""}</li>`)}</ul>
</section>
</div>
${caller.role === "admin" ? statusForm(caller, s) : ""}
<section class="card" aria-labelledby="timeline">
<h2 id="timeline">Timeline</h2>
${timeline(d.events)}
</section>
<section class="card" aria-labelledby="notifications">
<h2 id="notifications">Notifications</h2>
${notificationTable(caller, d.notifications, self, "Notifications about this shipment")}
</section>`,
  );
}
