import { sourceById } from "@trackflow/carriers";
import { type InboundDelivery, type Queryable, recordInboundDelivery } from "@trackflow/store";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { EngineContext } from "../engine-context.ts";
import { deliveryOutcome } from "../ingest/inbox-worker.ts";
import { createInboxWriter } from "../ingest/inbox-writer.ts";
import type { IngestOutcome } from "../ingest/ingest.ts";
import { sharedIngestBatcher } from "../ingest/ingest-batcher.ts";
import { checkDelivery, parseDelivery } from "../ingest/parse-delivery.ts";
import { cachedSourceSecret, cachedTenant } from "../tenancy/config-cache.ts";
import { httpBusy } from "./http-busy.ts";
import { receivedDelivery } from "./received-delivery.ts";
import type { TenantRateLimiter } from "./tenant-rate-limiter.ts";
import { noteWebhookAnswer } from "./webhook-answer-times.ts";

export const DEFAULT_WEBHOOK_RATE_PER_MINUTE = 6000;

export interface WebhookRouteOptions {
  /**
   * Deliveries this process may have waiting for their ingest before the next one is queued in
   * the inbox and acknowledged at once (202) instead of answered with its ingest's outcome (200).
   * Absent: never queued (a process with no inbox worker anywhere).
   */
  inboxFrom?: number | undefined;
}

/**
 * `POST /webhooks/:tenant/:source`: the raw body is verified with that tenant's secret for that
 * source before anything is parsed; then either parsed, normalised and ingested in one
 * transaction (shared with the deliveries arriving at the same moment: `IngestBatcher`) and
 * answered 200 with the outcome, or, while `inboxFrom` deliveries already wait for their ingest or
 * while the thread is busy answering (`httpBusy`), its shape checked, committed to the inbox and
 * answered 202 (the inbox worker normalises and ingests it: `startInboxWorker`; a value only
 * its events reveal, such as a timestamp that cannot be read, settles it failed there).
 * Every delivery, accepted or rejected, is recorded. Bad signature or stale timestamp 401,
 * malformed JSON or wrong shape 400 naming the field, unknown tenant or source 404, over the
 * body limit 413 (Fastify), over the tenant's rate 429 with Retry-After.
 */
export function registerWebhookRoutes(
  app: FastifyInstance,
  ctx: EngineContext,
  limiter: TenantRateLimiter,
  options: WebhookRouteOptions = {},
): void {
  const batcher = sharedIngestBatcher(ctx);
  const inbox = createInboxWriter(ctx);
  const inboxFrom = options.inboxFrom ?? Number.POSITIVE_INFINITY;
  app.addHook("onClose", async () => {
    await inbox.drain();
    await batcher.drain();
  });
  app.post<{ Params: { tenant: string; source: string }; Querystring: Record<string, string> }>(
    "/webhooks/:tenant/:source",
    {
      // only acknowledgements of queued deliveries: an answer that waited for its own ingest
      // is slow because of that ingest, and holding the workers back would not make it faster
      onResponse: async (_request, reply) => {
        if (reply.statusCode === 202) noteWebhookAnswer(ctx, reply.elapsedTime);
      },
    },
    async (request, reply) => {
      const { tenant: tenantId, source: sourceId } = request.params;
      const source = sourceById(sourceId);
      const tenant = source ? await cachedTenant(ctx, ctx.db, tenantId) : null;
      const secret = tenant && source ? await cachedSourceSecret(ctx, ctx.db, tenant.id, source.id) : null;
      if (!source || !tenant || secret === null) {
        return reply
          .code(404)
          .send({ error: `no source "${sourceId}" is configured for tenant "${tenantId}"` });
      }
      const wait = limiter.take(
        tenant.id,
        tenant.settings.rateLimitPerMinute ?? DEFAULT_WEBHOOK_RATE_PER_MINUTE,
      );
      if (wait > 0) {
        return reply
          .code(429)
          .header("retry-after", String(Math.ceil(wait / 1000)))
          .send({ error: "too many requests for this tenant" });
      }
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const delivery = (
        outcome: InboundDelivery["outcome"],
        httpStatus: number,
        verified: boolean,
        error: string | null,
      ) =>
        receivedDelivery(request, raw, {
          tenantId: tenant.id,
          source: source.id,
          outcome,
          httpStatus,
          verified,
          error,
        });
      const record = (
        outcome: InboundDelivery["outcome"],
        httpStatus: number,
        verified: boolean,
        error: string | null,
        db: Queryable = ctx.db,
      ) => recordInboundDelivery(db, delivery(outcome, httpStatus, verified, error));
      const reject = async (status: number, error: string, verified: boolean, reply_: FastifyReply) => {
        await record("rejected", status, verified, error);
        return reply_.code(status).send({ error });
      };

      const verdict = source.verify(
        { rawBody: raw, headers: request.headers, query: request.query, now: ctx.now() },
        { secret },
      );
      if (!verdict.ok) return await reject(401, `${verdict.failure}: ${verdict.message}`, false, reply);

      // queued while enough wait for their ingest, or while this thread is busy answering (an
      // inline ingest would take the CPU the acknowledgements need); its shape is checked first
      // (400 naming the field), its events made by the inbox worker
      if (batcher.pending() >= inboxFrom || (inboxFrom < Infinity && httpBusy(ctx))) {
        const checked = checkDelivery(source, raw);
        if (!checked.ok) return await reject(400, checked.error, true, reply);
        await inbox.queue(delivery("queued", 202, true, null));
        return reply.code(202).send({ queued: true });
      }
      const parsed = parseDelivery(source, raw);
      if (!parsed.ok) return await reject(400, parsed.error, true, reply);
      const { events } = parsed;
      // the delivery is recorded in the ingest's own transaction: one commit for both
      const recordOutcome = (db: Queryable, outcome: IngestOutcome) =>
        record(deliveryOutcome(outcome), 200, true, null, db);
      const nothing: IngestOutcome = { accepted: 0, duplicates: 0, shipments: [], notificationsPlanned: 0 };
      const outcome =
        events.length === 0
          ? await recordOutcome(ctx.db, nothing).then(() => nothing)
          : await batcher.ingest({
              request: { tenantId: tenant.id, actor: `source:${source.id}`, events },
              options: { withOutcome: recordOutcome },
            });
      return reply.code(200).send({
        accepted: outcome.accepted,
        duplicates: outcome.duplicates,
        shipments: outcome.shipments.map((s) => ({
          carrier: s.carrier,
          trackingNumber: s.trackingNumber,
          status: s.status,
        })),
      });
    },
  );
}
