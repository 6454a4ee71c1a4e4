import { fakeWebhookReceiver, type LoopbackServer, startLoopbackServer } from "@trackflow/channels/testing";

/** The receiver of the tenant's outbound webhook, in the bench process, with arrival times. */
export interface BenchReceiver {
  url: string;
  /** notifications accepted (signature good, first time for their Idempotency-Key) */
  delivered(): number;
  /** when (performance.now()) the first notification for a tracking number arrived */
  arrivals: Map<string, number>;
  /** requests the receiver refused, or its handler failed on */
  problems(): number;
  close(): Promise<void>;
}

/** How many requests and deliveries the loopback server and fake keep before forgetting. */
const KEEP = 1000;

/**
 * `fakeWebhookReceiver` (checks `Trackflow-Signature`, the JSON body, the event id and the
 * idempotency key, dedupes) on a loopback server, with each accepted delivery timed. The webhook
 * body carries the change (`trackingNumber`, `to`), which ties an arrival to its POST. The
 * server's and the fake's logs are trimmed as they grow, so a long run stays small and fast.
 */
export async function startBenchReceiver(secret: string): Promise<BenchReceiver> {
  const server = await startLoopbackServer();
  const arrivals = new Map<string, number>();
  let delivered = 0;
  let problems = 0;
  const timed: LoopbackServer = {
    ...server,
    route(method, path, handler) {
      server.route(method, path, async (request) => {
        const reply = await handler(request);
        const accepted = reply.status === 200 && (reply.body as { status?: string }).status === "success";
        if (accepted) {
          delivered++;
          const tracking = (request.json as { trackingNumber?: unknown }).trackingNumber;
          if (typeof tracking === "string" && !arrivals.has(tracking))
            arrivals.set(tracking, performance.now());
        } else if (reply.status !== 200) problems++;
        if (server.requests.length > KEEP) server.requests.splice(0, server.requests.length - KEEP);
        if (fake.received.length > KEEP) fake.received.splice(0, fake.received.length - KEEP);
        return reply;
      });
    },
  };
  const fake = fakeWebhookReceiver(timed, { secret, now: () => new Date() });
  return {
    url: fake.url,
    delivered: () => delivered,
    arrivals,
    problems: () => problems + server.handlerErrors.length,
    close: () => server.close(),
  };
}
