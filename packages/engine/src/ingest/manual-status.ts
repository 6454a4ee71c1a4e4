import { parseTimestamp, type ShipmentEvent } from "@trackflow/core";
import type { ShipmentRow } from "@trackflow/store";
import type { z } from "zod";
import { type EngineContext, newId } from "../engine-context.ts";
import type { ManualStatusSchema } from "../http/api-schemas.ts";
import { ingest } from "./ingest.ts";

/**
 * Sets a shipment's status by hand, as `POST /api/shipments/:carrier/:trackingNumber/status`
 * does: a "manual" event through ingest (timeline, roll-up, flows, audit). The API, the console
 * and the host apps all set a status by hand through here.
 */
export async function setManualStatus(
  ctx: EngineContext,
  caller: { tenantId: string; keyId: string; actor: string },
  s: Pick<ShipmentRow, "carrier" | "trackingNumber">,
  body: z.infer<typeof ManualStatusSchema>,
) {
  const at = body.occurredAt ?? ctx.now().toISOString();
  const event: ShipmentEvent = {
    source: "manual",
    carrier: s.carrier,
    trackingNumber: s.trackingNumber,
    pieceId: null,
    sourceEventId: `${caller.keyId}:${newId("man")}`,
    status: body.status,
    reason: body.reason ?? null,
    actionRequired: false,
    informational: false,
    rawCode: `manual:${body.status}`,
    rawStatus: null,
    message: body.message,
    location: null,
    occurredAt: parseTimestamp(at),
    estimatedDelivery: null,
    signedBy: null,
  };
  return await ingest(ctx, { tenantId: caller.tenantId, actor: caller.actor, events: [event] });
}
