import { getShipment } from "@trackflow/store";
import { ManualStatusSchema } from "../http/api-schemas.ts";
import { setManualStatus } from "../ingest/manual-status.ts";
import type { ConsoleRouter } from "./console-router.ts";
import {
  loadShipmentDetail,
  loadShipmentList,
  parseShipmentListQuery,
  renderShipmentDetail,
  renderShipmentList,
} from "./console-shipments.ts";

const NOTICES: Record<string, string> = {
  status: "Status updated.",
  replayed: "Notification queued again.",
};

/**
 * `GET /console/shipments` (search and filters), `GET /console/shipments/:id` (timeline with the
 * carrier's raw messages, order, pieces, notifications with their attempts) and
 * `POST /console/shipments/:id/status` (a manual status, audited, through setManualStatus).
 */
export function registerShipmentRoutes(router: ConsoleRouter): void {
  const { ctx } = router;

  router.page("/console/shipments", async (caller, request, reply) => {
    const q = parseShipmentListQuery(request.query);
    return router.html(
      reply,
      200,
      renderShipmentList(caller, q, await loadShipmentList(ctx, caller.tenant.id, q)),
    );
  });

  router.page("/console/shipments/:id", async (caller, request, reply) => {
    const detail = await loadShipmentDetail(ctx, caller.tenant.id, request.params.id ?? "");
    if (!detail)
      return router.html(
        reply,
        404,
        renderShipmentList(
          caller,
          { page: 1 },
          { shipments: [], hasNext: false, carriers: [] },
          "There is no such shipment.",
        ),
      );
    return router.html(reply, 200, renderShipmentDetail(caller, detail, NOTICES[request.query.done ?? ""]));
  });

  router.action("/console/shipments/:id/status", async (caller, request, form, reply) => {
    const s = await getShipment(ctx.db, caller.tenant.id, (request.params.id ?? "").slice(0, 128));
    if (!s) return router.text(reply, 404, "no such shipment");
    const parsed = ManualStatusSchema.safeParse({
      status: form.get("status") ?? "",
      reason: form.get("reason") || undefined,
      message: form.get("message") || undefined,
    });
    if (!parsed.success) return router.text(reply, 400, parsed.error.message);
    await setManualStatus(
      ctx,
      { tenantId: caller.tenant.id, keyId: caller.keyId, actor: caller.actor },
      s,
      parsed.data,
    );
    return router.redirect(reply, `/console/shipments/${encodeURIComponent(s.id)}?done=status`);
  });
}
