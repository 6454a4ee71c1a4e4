import { listFlows, upsertTenant } from "@trackflow/store";
import type { FastifyInstance } from "fastify";
import { writeAudit } from "../audit/audit-writer.ts";
import type { EngineContext } from "../engine-context.ts";
import { syncFlowSchedule } from "../notify/scheduled-flows.ts";
import { TenantSettingsSchema } from "../tenancy/tenant-settings.ts";
import { authenticate } from "./api-auth.ts";
import { parseBody } from "./http-error.ts";
import type { TenantRateLimiter } from "./tenant-rate-limiter.ts";

/**
 * The tenant's settings behind its API keys: time zone, default quiet hours, brand, staff lists,
 * stale-event age… `PUT` replaces the fields it names and keeps the others; a changed time zone
 * moves the tenant's scheduled flows with it.
 */
export function registerSettingsRoutes(
  app: FastifyInstance,
  ctx: EngineContext,
  limiter: TenantRateLimiter,
): void {
  app.get("/api/settings", async (request) => {
    const caller = await authenticate(ctx, request, limiter);
    return { name: caller.tenant.name, settings: caller.tenant.settings };
  });

  app.put("/api/settings", async (request) => {
    const caller = await authenticate(ctx, request, limiter);
    const body = parseBody(TenantSettingsSchema.partial(), request.body);
    const settings = { ...caller.tenant.settings, ...body };
    await ctx.db.transaction(async (tx) => {
      await upsertTenant(tx, caller.tenant.id, caller.tenant.name, settings);
      await writeAudit(tx, caller.tenant.id, ctx.now(), {
        actor: caller.actor,
        action: "tenant.settings_changed",
        subject: `tenant:${caller.tenant.id}`,
        data: { changed: Object.keys(body) },
      });
    });
    if (body.timeZone !== undefined) {
      for (const flow of await listFlows(ctx.db, caller.tenant.id))
        await syncFlowSchedule(ctx, caller.tenant.id, flow.definition, settings.timeZone);
    }
    return { name: caller.tenant.name, settings };
  });
}
