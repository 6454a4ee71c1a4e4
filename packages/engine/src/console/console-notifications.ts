import { listNotifications, type NotificationRow, type NotificationStatus } from "@trackflow/store";
import type { EngineContext } from "../engine-context.ts";
import { html } from "../tracking/html.ts";
import type { ConsoleCaller } from "./console-auth.ts";
import { statusLabel } from "./console-format.ts";
import { consolePage } from "./console-layout.ts";
import { notificationTable } from "./console-shipments.ts";

export const NOTIFICATION_STATUSES: readonly NotificationStatus[] = [
  "queued",
  "held",
  "sending",
  "sent",
  "failed",
  "dead",
];

export const parseNotificationStatus = (v: unknown): NotificationStatus | undefined =>
  NOTIFICATION_STATUSES.find((s) => s === v);

export async function loadNotifications(ctx: EngineContext, tenantId: string, status?: NotificationStatus) {
  const [log, dead] = await Promise.all([
    listNotifications(ctx.db, tenantId, { status, limit: 100 }),
    listNotifications(ctx.db, tenantId, { status: "dead", limit: 100 }),
  ]);
  return { log, dead };
}

const rows = (list: NotificationRow[]) => list.map((notification) => ({ notification }));

export function renderNotifications(
  caller: ConsoleCaller,
  status: NotificationStatus | undefined,
  data: { log: NotificationRow[]; dead: NotificationRow[] },
  notice?: string,
): string {
  const self = `/console/notifications${status ? `?status=${status}` : ""}`;
  return consolePage(
    caller,
    "notifications",
    "Notifications",
    html`<h1>Notifications</h1>
${notice ? html`<div class="notice" role="status"><p>${notice}</p></div>` : ""}
<section class="card" aria-labelledby="dead-letters">
<h2 id="dead-letters">Dead letters (${data.dead.length})</h2>
<p class="muted">Notifications that failed for good. Replaying one sends it again with the same idempotency key.</p>
${notificationTable(caller, rows(data.dead), self, "Dead letters")}
</section>
<section class="card" aria-labelledby="log">
<h2 id="log">Log</h2>
<form class="filters" method="get" action="/console/notifications" data-autosubmit="true" aria-label="Filter notifications">
<div><label for="n-status">Status</label><select id="n-status" name="status"><option value="">Any</option>${NOTIFICATION_STATUSES.map(
      (s) => html`<option value="${s}"${status === s ? html` selected` : ""}>${statusLabel(s)}</option>`,
    )}</select></div>
<div><button type="submit">Filter</button></div>
</form>
${notificationTable(caller, rows(data.log), self, "Notification log, newest first")}
</section>`,
  );
}
