import { QuietHoursSchema, TimeZoneSchema } from "@trackflow/core";
import { listPreferences, type PreferenceRow, recipientId, savePreference } from "@trackflow/store";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { writeAudit } from "../audit/audit-writer.ts";
import type { EngineContext } from "../engine-context.ts";
import { authenticate } from "./api-auth.ts";
import { HttpError, parseBody } from "./http-error.ts";
import type { TenantRateLimiter } from "./tenant-rate-limiter.ts";

/** The channel kinds a recipient can set preferences for; "*" is every kind at once. */
export const PREFERENCE_CHANNELS = ["*", "email", "sms", "chat", "push", "ticket"] as const;

export const PreferenceSchema = z
  .object({
    /** the recipient does not want messages of this kind */
    optedOut: z.boolean().optional(),
    /** no messages between these times in the recipient's time zone (held until they end); null clears */
    quietHours: QuietHoursSchema.nullable().optional(),
    /** the recipient's IANA time zone, for quiet hours */
    timeZone: TimeZoneSchema.optional(),
  })
  .strict()
  .refine(
    (p) => p.optedOut !== undefined || p.quietHours !== undefined || p.timeZone !== undefined,
    "give optedOut, quietHours or timeZone",
  );

function preferenceView(p: PreferenceRow) {
  return {
    channel: p.channel,
    optedOut: p.optedOut,
    quietHours: p.quietHours,
    timeZone: p.timeZone,
    source: p.source,
    updatedAt: p.updatedAt.toISOString(),
  };
}

function addressOf(params: { address?: string }): string {
  const address = (params.address ?? "").trim();
  if (address === "" || address.length > 320)
    throw new HttpError(400, "address: an email address or phone number");
  return address;
}

/**
 * A recipient's preferences per channel kind, behind the tenant's API keys: read them, set one
 * (opt out or back in, quiet hours, time zone). Changes are audited; the delivery gate applies
 * them to every message planned afterwards.
 */
export function registerPreferenceRoutes(
  app: FastifyInstance,
  ctx: EngineContext,
  limiter: TenantRateLimiter,
): void {
  app.get<{ Params: { address: string } }>("/api/recipients/:address/preferences", async (request) => {
    const caller = await authenticate(ctx, request, limiter);
    const address = addressOf(request.params);
    const rows = await listPreferences(ctx.db, caller.tenant.id, address);
    return { address, preferences: rows.map(preferenceView) };
  });

  app.put<{ Params: { address: string; channel: string } }>(
    "/api/recipients/:address/preferences/:channel",
    async (request) => {
      const caller = await authenticate(ctx, request, limiter);
      const address = addressOf(request.params);
      const channel = request.params.channel;
      if (!(PREFERENCE_CHANNELS as readonly string[]).includes(channel)) {
        throw new HttpError(400, `channel: one of ${PREFERENCE_CHANNELS.join(", ")}`, "channel");
      }
      const body = parseBody(PreferenceSchema, request.body);
      await ctx.db.transaction(async (tx) => {
        await savePreference(tx, caller.tenant.id, {
          address,
          channel,
          ...(body.optedOut !== undefined ? { optedOut: body.optedOut } : {}),
          ...(body.quietHours !== undefined ? { quietHours: body.quietHours } : {}),
          ...(body.timeZone !== undefined ? { timeZone: body.timeZone } : {}),
          source: "api",
        });
        await writeAudit(tx, caller.tenant.id, ctx.now(), {
          actor: caller.actor,
          action: "preference.changed",
          subject: `recipient:${recipientId(address)}`,
          data: { address, channel, ...body, source: "api" },
        });
      });
      const saved = (await listPreferences(ctx.db, caller.tenant.id, address)).find(
        (p) => p.channel === channel,
      );
      return { address, ...(saved ? preferenceView(saved) : { channel }) };
    },
  );
}
