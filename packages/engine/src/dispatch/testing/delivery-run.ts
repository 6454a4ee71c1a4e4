import {
  fakeSendgrid,
  fakeWebhookReceiver,
  headerValue,
  type LoopbackRequest,
  type LoopbackServer,
  startLoopbackServer,
} from "@trackflow/channels/testing";
import {
  type FlowDefinitionInput,
  parseTimestamp,
  type ShipmentEvent,
  ShipmentEventSchema,
} from "@trackflow/core";
import type { PostgresCluster } from "@trackflow/store/testing";
import { type Engine, openEngine } from "../../engine.ts";
import { ingest } from "../../ingest/ingest.ts";
import { provisionTenant, saveChannel, saveFlowDefinition } from "../../tenancy/provision.ts";
import { INTERRUPTED_ATTEMPT_ERROR } from "../deliver-notification.ts";
import { spawnWorker, stopWorkers, TEST_WORKER_HEADER, type WorkerHandle } from "./worker-pool.ts";

/**
 * One run of the multi-worker scenario: a fresh database, a tenant whose flow sends a message for
 * every delivered shipment through a fake provider on a loopback server, worker processes, and
 * `notifications` shipments ingested (a few sources at once, in batches) while the workers run.
 */
export interface DeliveryRunOptions {
  cluster: PostgresCluster;
  secretKey: string;
  /** `webhook` honours the idempotency key (its receiver dedupes on it); `sendgrid` takes none */
  provider: "webhook" | "sendgrid";
  notifications: number;
  workers: number;
  /** per worker process */
  concurrency: number;
  expireInSeconds: number;
  /** SIGKILL the first worker once this fraction of the notifications is sent */
  killAfterFraction: number | null;
  /** the run fails when not everything is sent this long after the first ingest */
  deadlineMs: number;
  /** each answer of the fake provider is held back a random time in this range (ms) */
  latencyMs: [number, number];
}

export interface NotificationSummary {
  id: string;
  key: string;
  status: string;
  attempts: number;
}

export interface DeliveryRunResult {
  /** from the first ingest until every notification was sent */
  durationMs: number;
  ingestMs: number;
  notifications: NotificationSummary[];
  /** requests the provider received per idempotency key, before any dedupe of its own */
  requestsPerKey: Map<string, number>;
  rawRequests: number;
  /** messages the provider accepted (after its dedupe, if it has one) */
  accepted: number;
  /** requests the provider received from each worker */
  requestsPerWorker: Map<string, number>;
  kill: {
    /** notifications sent when the worker was killed */
    atSent: number;
    /** the keys of the killed worker's requests the provider had received and not yet answered */
    victimInFlight: Set<string>;
    /** the keys of the notifications in `sending` once the killed process was gone */
    sendingAtKill: Set<string>;
    /** from the kill until none of those was `sending` any more */
    recoveredAfterMs: number | null;
  } | null;
  deliveryAttempts: number;
  /**
   * delivery attempts a worker started and never recorded because it died in between: closed by
   * the worker that resumed the notification ("the worker stopped during this attempt"), or
   * still open
   */
  interruptedAttempts: number;
  /** `notification.resumed_after_crash` audit records */
  resumedAudits: number;
  exits: Array<{ name: string; code: number | null; signal: NodeJS.Signals | null; forced: boolean }>;
  /** what the workers logged at error level or above (pino lines), or wrote to stderr otherwise */
  workerErrors: string[];
  handlerErrors: unknown[];
}

/** The lines of a worker's stderr that are not pino records below error level (50). */
function errorLines(stderr: string): string[] {
  return stderr
    .split("\n")
    .filter((line) => line.trim() !== "")
    .filter((line) => {
      try {
        return ((JSON.parse(line) as { level?: number }).level ?? 60) >= 50;
      } catch {
        return true;
      }
    });
}

const TENANT = "acme";
const WEBHOOK_SECRET = "whsec_multi_worker_0123456789";
const SENDGRID_KEY = "SG.multi-worker-test-key";
const INGEST_BATCH = 50;
const INGEST_STREAMS = 3;
const POLL_MS = 250;

/**
 * A loopback server whose routes answer after a random delay in `[min, max]` ms, keeping the
 * requests received and not yet answered in `inFlight`. The route handles a request whether or
 * not its client is still there, as a real provider does.
 */
function withLatency(
  server: LoopbackServer,
  [min, max]: [number, number],
  inFlight: Set<LoopbackRequest>,
): LoopbackServer {
  return {
    ...server,
    route(method, path, handler) {
      server.route(method, path, async (request) => {
        inFlight.add(request);
        try {
          await new Promise((resolve) => setTimeout(resolve, min + Math.random() * (max - min)));
          return await handler(request);
        } finally {
          inFlight.delete(request);
        }
      });
    },
  };
}

function deliveredEvent(i: number): ShipmentEvent {
  return ShipmentEventSchema.parse({
    source: "test",
    carrier: "ups",
    trackingNumber: `1ZMW${String(i).padStart(8, "0")}`,
    status: "delivered",
    rawCode: "D",
    message: "Delivered, front door",
    occurredAt: parseTimestamp("2024-03-09T10:00:00Z"),
  });
}

interface Target {
  /** the idempotency key a request to the provider carried; undefined for any other request */
  keyOf(request: LoopbackRequest): string | undefined;
  accepted(): number;
}

async function setUpProvider(
  engine: Engine,
  server: LoopbackServer,
  provider: DeliveryRunOptions["provider"],
  latencyMs: [number, number],
  inFlight: Set<LoopbackRequest>,
): Promise<Target> {
  const { ctx } = engine;
  const slow = withLatency(server, latencyMs, inFlight);
  const trigger: FlowDefinitionInput["trigger"] = { type: "shipment_status", statuses: ["delivered"] };
  if (provider === "webhook") {
    const receiver = fakeWebhookReceiver(slow, { secret: WEBHOOK_SECRET, now: () => new Date() });
    await saveChannel(ctx, TENANT, {
      name: "zap",
      provider: "webhook",
      config: { url: receiver.url, secret: WEBHOOK_SECRET },
    });
    await saveFlowDefinition(ctx, TENANT, {
      id: "delivered-hook",
      name: "Tell the warehouse system about deliveries",
      trigger,
      steps: [{ id: "hook", type: "webhook", channel: "zap" }],
    });
    const path = new URL(receiver.url).pathname;
    return {
      keyOf: (request) => (request.path === path ? headerValue(request, "Idempotency-Key") : undefined),
      accepted: () => receiver.received.length,
    };
  }
  const sendgrid = fakeSendgrid(slow, { apiKey: SENDGRID_KEY });
  await saveChannel(ctx, TENANT, {
    name: "mail",
    provider: "sendgrid",
    config: { apiKey: SENDGRID_KEY, from: { email: "shipping@acme.test" }, baseUrl: server.url },
  });
  await saveFlowDefinition(ctx, TENANT, {
    id: "delivered-mail",
    name: "Tell the ops desk about deliveries",
    trigger,
    steps: [
      {
        id: "mail",
        type: "notify",
        channel: "mail",
        to: { address: "ops@acme.test" },
        template: "shipment_delivered",
      },
    ],
  });
  return {
    keyOf(request) {
      if (request.path !== "/v3/mail/send") return undefined;
      const body = request.json as { custom_args?: { trackflow_idempotency_key?: string } } | undefined;
      return body?.custom_args?.trackflow_idempotency_key;
    },
    accepted: () => sendgrid.accepted.length,
  };
}

async function count(engine: Engine, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await engine.ctx.db.query<{ count: number }>(sql, [TENANT, ...params]);
  return Number(rows[0]?.count ?? 0);
}

async function statusCounts(engine: Engine): Promise<Record<string, number>> {
  const { rows } = await engine.ctx.db.query<{ status: string; count: number }>(
    "SELECT status, count(*)::int AS count FROM notifications WHERE tenant_id = $1 GROUP BY status",
    [TENANT],
  );
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
}

export async function runDeliveries(options: DeliveryRunOptions): Promise<DeliveryRunResult> {
  const total = options.notifications;
  const databaseUrl = await options.cluster.createDatabase();
  const engine = await openEngine({
    databaseUrl,
    secretKey: options.secretKey,
    queue: { expireInSeconds: options.expireInSeconds, maintenance: false },
  });
  const server = await startLoopbackServer();
  const workers: WorkerHandle[] = [];
  try {
    await provisionTenant(engine.ctx, TENANT, "Acme Goods");
    const inFlight = new Set<LoopbackRequest>();
    const target = await setUpProvider(engine, server, options.provider, options.latencyMs, inFlight);
    for (let w = 1; w <= options.workers; w++) {
      workers.push(
        spawnWorker(`w${w}`, {
          databaseUrl,
          secretKey: options.secretKey,
          concurrency: options.concurrency,
          expireInSeconds: options.expireInSeconds,
        }),
      );
    }
    await Promise.all(workers.map((w) => w.ready));

    const started = performance.now();
    let planned = 0;
    let ingestMs = 0;
    let ingestError: unknown = null;
    // a few sources at once, each ingesting batches of shipments of its own
    const ingesting = Promise.all(
      Array.from({ length: INGEST_STREAMS }, async (_, stream) => {
        for (let from = stream * INGEST_BATCH; from < total; from += INGEST_STREAMS * INGEST_BATCH) {
          const events = Array.from({ length: Math.min(INGEST_BATCH, total - from) }, (_, i) =>
            deliveredEvent(from + i),
          );
          const outcome = await ingest(engine.ctx, { tenantId: TENANT, actor: "source:test", events });
          planned += outcome.notificationsPlanned;
        }
      }),
    ).then(
      () => {
        ingestMs = performance.now() - started;
      },
      (error: unknown) => {
        ingestError = error;
      },
    );

    let kill: DeliveryRunResult["kill"] = null;
    let killedAt = 0;
    for (;;) {
      if (ingestError) throw ingestError;
      const counts = await statusCounts(engine);
      const sent = counts.sent ?? 0;
      if (options.killAfterFraction !== null && kill === null && sent >= total * options.killAfterFraction) {
        const victim = workers[0]!;
        // at a moment the provider is holding requests of the victim: they were made, and the
        // victim will never record their answers
        const victimRequests = () =>
          [...inFlight].filter((request) => headerValue(request, TEST_WORKER_HEADER) === victim.name);
        const waitUntil = performance.now() + 10_000;
        while (victimRequests().length === 0 && performance.now() < waitUntil) {
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
        victim.child.kill("SIGKILL");
        const victimInFlight = new Set(victimRequests().map((request) => target.keyOf(request)!));
        await victim.exited;
        killedAt = performance.now();
        const { rows } = await engine.ctx.db.query<{ key: string }>(
          "SELECT idempotency_key AS key FROM notifications WHERE tenant_id = $1 AND status = 'sending'",
          [TENANT],
        );
        kill = {
          atSent: sent,
          victimInFlight,
          sendingAtKill: new Set(rows.map((row) => row.key)),
          recoveredAfterMs: null,
        };
      }
      if (kill !== null && kill.recoveredAfterMs === null) {
        const stuck = await count(
          engine,
          "SELECT count(*)::int AS count FROM notifications WHERE tenant_id = $1 AND status = 'sending' AND idempotency_key = ANY($2::text[])",
          [[...kill.sendingAtKill]],
        );
        if (stuck === 0) kill.recoveredAfterMs = performance.now() - killedAt;
      }
      if (sent >= total && planned === total) break;
      if (performance.now() - started > options.deadlineMs) {
        throw new Error(
          `not all sent within ${options.deadlineMs / 1000} s: planned ${planned}, statuses ${JSON.stringify(counts)}\n` +
            workers.map((w) => `--- ${w.name} stderr ---\n${w.stderr()}`).join("\n"),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    await ingesting;
    const durationMs = performance.now() - started;

    const { rows } = await engine.ctx.db.query<NotificationSummary>(
      "SELECT id, idempotency_key AS key, status, attempts FROM notifications WHERE tenant_id = $1",
      [TENANT],
    );
    const requestsPerKey = new Map<string, number>();
    const requestsPerWorker = new Map<string, number>();
    let rawRequests = 0;
    for (const request of server.requests) {
      const key = target.keyOf(request);
      if (key === undefined) continue;
      rawRequests++;
      requestsPerKey.set(key, (requestsPerKey.get(key) ?? 0) + 1);
      const worker = headerValue(request, TEST_WORKER_HEADER) ?? "?";
      requestsPerWorker.set(worker, (requestsPerWorker.get(worker) ?? 0) + 1);
    }
    const result: Omit<DeliveryRunResult, "exits" | "workerErrors"> = {
      durationMs,
      ingestMs,
      notifications: rows.map((row) => ({ ...row, attempts: Number(row.attempts) })),
      requestsPerKey,
      requestsPerWorker,
      rawRequests,
      accepted: target.accepted(),
      kill,
      deliveryAttempts: await count(
        engine,
        "SELECT count(*)::int AS count FROM delivery_attempts WHERE tenant_id = $1",
      ),
      interruptedAttempts: await count(
        engine,
        `SELECT count(*)::int AS count FROM delivery_attempts
          WHERE tenant_id = $1 AND (finished_at IS NULL OR error = '${INTERRUPTED_ATTEMPT_ERROR}')`,
      ),
      resumedAudits: await count(
        engine,
        "SELECT count(*)::int AS count FROM audit_log WHERE tenant_id = $1 AND action = 'notification.resumed_after_crash'",
      ),
      handlerErrors: server.handlerErrors,
    };
    const exits = await stopWorkers(workers);
    const workerErrors = workers.flatMap((w) => errorLines(w.stderr()).map((line) => `${w.name}: ${line}`));
    return { ...result, exits, workerErrors };
  } finally {
    await stopWorkers(workers, 5_000);
    await server.close();
    await engine.close();
  }
}
