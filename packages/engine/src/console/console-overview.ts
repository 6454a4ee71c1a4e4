import {
  countExceptionQueue,
  countShipmentsByStatus,
  exceptionsPerDay,
  getShipment,
  listExceptionQueue,
  notificationsByChannel,
  onTimeByCarrier,
  type ShipmentRow,
} from "@trackflow/store";
import type { EngineContext } from "../engine-context.ts";
import { html, type SafeHtml } from "../tracking/html.ts";
import type { ConsoleCaller } from "./console-auth.ts";
import { barChart, columnChart, groupedBarChart } from "./console-charts.ts";
import { formatWhen, statusBadge, statusLabel } from "./console-format.ts";
import { consolePage } from "./console-layout.ts";

const DAYS = 14;

/** The overview's figures, read through the store. */
export async function loadOverview(ctx: EngineContext, tenantId: string) {
  const now = ctx.now();
  const [byStatus, exceptionCount, queue, onTime, perDay, byChannel] = await Promise.all([
    countShipmentsByStatus(ctx.db, tenantId),
    countExceptionQueue(ctx.db, tenantId),
    listExceptionQueue(ctx.db, tenantId, { limit: 10 }),
    onTimeByCarrier(ctx.db, tenantId),
    exceptionsPerDay(ctx.db, tenantId, now, DAYS),
    notificationsByChannel(ctx.db, tenantId, new Date(now.getTime() - DAYS * 86_400_000)),
  ]);
  const exceptionIds = queue.map((e) => e.shipmentId);
  const exceptions = (await Promise.all(exceptionIds.map((id) => getShipment(ctx.db, tenantId, id)))).filter(
    (s): s is ShipmentRow => s !== null,
  );
  return { byStatus, exceptionCount, exceptions, onTime, perDay, byChannel };
}

export type OverviewFigures = Awaited<ReturnType<typeof loadOverview>>;

function exceptionList(f: OverviewFigures): SafeHtml {
  if (f.exceptions.length === 0) return html`<p>No shipment needs action.</p>`;
  return html`<table><caption class="visually-hidden">Shipments needing action, oldest first</caption>
<thead><tr><th scope="col">Shipment</th><th scope="col">Status</th><th scope="col">Last event</th></tr></thead>
<tbody>${f.exceptions.map(
    (
      s,
    ) => html`<tr><td><a href="/console/shipments/${encodeURIComponent(s.id)}">${s.carrier.toUpperCase()} ${s.trackingNumber}</a></td>
<td>${statusBadge(s.status)}${s.reason ? html` <span class="muted">${s.reason}</span>` : ""}</td>
<td>${formatWhen(s.state.lastEventAt)}</td></tr>`,
  )}</tbody></table>`;
}

export function renderOverview(caller: ConsoleCaller, f: OverviewFigures): string {
  const total = f.byStatus.reduce((sum, r) => sum + r.count, 0);
  return consolePage(
    caller,
    "overview",
    "Overview",
    html`<h1>Overview</h1>
<div class="grid">
<section class="card" aria-labelledby="needs-action">
  <h2 id="needs-action">Exceptions needing action</h2>
  <p class="figure-number">${f.exceptionCount}</p>
  ${exceptionList(f)}
  <p><a href="/console/exceptions">The exceptions queue</a>, oldest first, to notify customers and resolve.</p>
</section>
<section class="card" aria-label="Shipments by status">
${barChart({
  id: "chart-status",
  title: `Shipments by status (${total})`,
  bars: f.byStatus.map((r) => ({ label: statusLabel(r.status), value: r.count })),
  labelHeader: "Status",
  valueHeader: "Shipments",
  emptyText: "No shipments yet.",
})}
</section>
<section class="card" aria-label="On-time delivery rate by carrier">
${barChart({
  id: "chart-on-time",
  title: "On-time delivery rate by carrier",
  bars: f.onTime.map((r) => ({
    label: `${r.carrier.toUpperCase()} (${r.delivered})`,
    value: r.delivered === 0 ? 0 : (100 * r.onTime) / r.delivered,
    text: `${Math.round((100 * r.onTime) / Math.max(1, r.delivered))}%`,
  })),
  max: 100,
  tone: "ok",
  labelHeader: "Carrier",
  valueHeader: "On time",
  emptyText: "No delivered shipment with a delivery estimate yet.",
})}
</section>
<section class="card" aria-label="Exceptions over time">
${columnChart({
  id: "chart-exceptions",
  title: `Exceptions per day, last ${DAYS} days`,
  bars: f.perDay.map((d) => ({ label: d.day.slice(5), value: d.count })),
  valueHeader: "Exception events",
  tone: "bad",
})}
</section>
<section class="card" aria-label="Notifications by channel">
${groupedBarChart({
  id: "chart-notifications",
  title: `Notifications by channel, last ${DAYS} days`,
  series: [
    { name: "sent", tone: "ok" },
    { name: "failed", tone: "bad" },
  ],
  labelHeader: "Channel",
  groups: f.byChannel.map((c) => ({ label: c.channel, values: [c.sent, c.failed] })),
  emptyText: "No notifications yet.",
})}
</section>
</div>`,
  );
}
