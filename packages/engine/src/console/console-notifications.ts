import {
  getNotification,
  listDeliveryAttempts,
  listNotificationChannels,
  listNotifications,
  type NotificationRow,
  type NotificationStatus,
  searchNotificationIds,
} from "@trackflow/store";
import { replayNotification } from "../dispatch/replay-notification.ts";
import type { EngineContext } from "../engine-context.ts";
import { html } from "../tracking/html.ts";
import type { ConsoleCaller } from "./console-auth.ts";
import { statusLabel } from "./console-format.ts";
import { consolePage, noticeBox } from "./console-layout.ts";
import { type ConsoleRouter, safeBack, withDone } from "./console-router.ts";
import { notificationTable } from "./console-shipments.ts";

export const NOTIFICATION_STATUSES: readonly NotificationStatus[] = [
  "queued",
  "held",
  "sending",
  "sent",
  "failed",
  "dead",
];
const PER_PAGE = 50;

export const parseNotificationStatus = (v: unknown): NotificationStatus | undefined =>
  NOTIFICATION_STATUSES.find((s) => s === v);

export interface NotificationQuery {
  status?: NotificationStatus | undefined;
  channel?: string | undefined;
  to?: string | undefined;
  page: number;
}

export function parseNotificationQuery(query: Record<string, string | undefined>): NotificationQuery {
  const str = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v.trim().slice(0, 200) : undefined);
  const page = Number.parseInt(str(query.page) ?? "1", 10);
  return {
    status: parseNotificationStatus(query.status),
    channel: str(query.channel),
    to: str(query.to),
    page: Number.isFinite(page) && page >= 1 ? Math.min(page, 10_000) : 1,
  };
}

export async function loadNotifications(ctx: EngineContext, tenantId: string, q: NotificationQuery) {
  const [ids, dead, channels] = await Promise.all([
    searchNotificationIds(ctx.db, tenantId, { ...q, offset: (q.page - 1) * PER_PAGE, limit: PER_PAGE + 1 }),
    listNotifications(ctx.db, tenantId, { status: "dead", limit: 100 }),
    listNotificationChannels(ctx.db, tenantId),
  ]);
  const withAttempts = (n: NotificationRow) =>
    listDeliveryAttempts(ctx.db, tenantId, n.id).then((attempts) => ({ notification: n, attempts }));
  const log = (
    await Promise.all(ids.slice(0, PER_PAGE).map((id) => getNotification(ctx.db, tenantId, id)))
  ).filter((n): n is NotificationRow => n !== null);
  return {
    log: await Promise.all(log.map(withAttempts)),
    dead: await Promise.all(dead.map(withAttempts)),
    channels,
    hasNext: ids.length > PER_PAGE,
  };
}

function queryString(q: NotificationQuery, page = q.page): string {
  const p = new URLSearchParams();
  if (q.status) p.set("status", q.status);
  if (q.channel) p.set("channel", q.channel);
  if (q.to) p.set("to", q.to);
  if (page > 1) p.set("page", String(page));
  const s = p.toString();
  return `/console/notifications${s ? `?${s}` : ""}`;
}

const option = (value: string, label: string, selected: boolean) =>
  html`<option value="${value}"${selected ? html` selected` : ""}>${label}</option>`;

export function renderNotifications(
  caller: ConsoleCaller,
  q: NotificationQuery,
  data: Awaited<ReturnType<typeof loadNotifications>>,
  notice?: string,
): string {
  const self = queryString(q);
  return consolePage(
    caller,
    "notifications",
    "Notifications",
    html`<h1>Notifications</h1>
${noticeBox(notice)}
<section class="card" aria-labelledby="dead-letters">
<h2 id="dead-letters">Dead letters (${data.dead.length})</h2>
<p class="muted">Notifications that failed for good. Replaying one sends it again with the same idempotency key.</p>
${notificationTable(caller, data.dead, self, "Dead letters")}
</section>
<section class="card" aria-labelledby="log">
<h2 id="log">Log</h2>
<form class="filters" method="get" action="/console/notifications" role="search" aria-label="Filter notifications">
<div><label for="n-status">Status</label><select id="n-status" name="status">${option("", "Any", !q.status)}${NOTIFICATION_STATUSES.map(
      (s) => option(s, statusLabel(s), q.status === s),
    )}</select></div>
<div><label for="n-channel">Channel</label><select id="n-channel" name="channel">${option("", "Any", !q.channel)}${data.channels.map(
      (c) => option(c, c, q.channel === c),
    )}</select></div>
<div><label for="n-to">Recipient</label><input id="n-to" name="to" type="search" value="${q.to ?? ""}"></div>
<div><button type="submit">Filter</button></div>
</form>
${notificationTable(caller, data.log, self, "Notification log, newest first")}
<nav class="pager" aria-label="Pages">
${q.page > 1 ? html`<a href="${queryString(q, q.page - 1)}" rel="prev">Previous page</a>` : ""}
<span>Page ${q.page}</span>
${data.hasNext ? html`<a href="${queryString(q, q.page + 1)}" rel="next">Next page</a>` : ""}
</nav>
</section>`,
  );
}

/** `GET /console/notifications` (log with filters, dead letters), `POST …/:id/replay`. */
export function registerNotificationRoutes(router: ConsoleRouter): void {
  const { ctx } = router;
  router.page("/console/notifications", async (caller, request, reply) => {
    const q = parseNotificationQuery(request.query);
    const notice =
      request.query.done === "replayed"
        ? "Notification queued again."
        : request.query.done === "tested"
          ? "Test message queued: it is sent through the provider, and its attempts show below."
          : undefined;
    return router.html(
      reply,
      200,
      renderNotifications(caller, q, await loadNotifications(ctx, caller.tenant.id, q), notice),
    );
  });

  router.action("/console/notifications/:id/replay", async (caller, request, form, reply) => {
    const outcome = await replayNotification(
      ctx,
      caller.tenant.id,
      (request.params.id ?? "").slice(0, 128),
      caller.actor,
    );
    if (outcome === "not_found") return router.text(reply, 404, "no such notification");
    if (outcome === "not_replayable")
      return router.text(reply, 409, "only dead or failed notifications can be replayed");
    return router.redirect(reply, withDone(safeBack(form.get("back"), "/console/notifications"), "replayed"));
  });
}
