import { fakeWebhookReceiver, startLoopbackServer } from "@trackflow/channels/testing";
import { parseTimestamp, ShipmentEventSchema } from "@trackflow/core";
import { DATABASE_KINDS } from "@trackflow/store/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ingest } from "../ingest/ingest.ts";
import { provisionTenant, saveChannel, saveFlowDefinition } from "../tenancy/provision.ts";
import { testEngineFactory } from "../testing/test-engine.ts";
import { startDispatcher } from "./dispatcher.ts";

const SECRET = "whsec_test_0123456789abcdef";

describe.each(DATABASE_KINDS)("startDispatcher on %s", (kind) => {
  let factory: Awaited<ReturnType<typeof testEngineFactory>>;
  beforeAll(async () => {
    factory = await testEngineFactory(kind);
  }, 120_000);
  afterAll(async () => {
    await factory.stop();
  });

  it("fetches what this process just planned at once, not at its next poll", async () => {
    const { ctx } = await factory.open();
    const server = await startLoopbackServer();
    const receiver = fakeWebhookReceiver(server, { secret: SECRET, now: () => new Date() });
    try {
      await provisionTenant(ctx, "acme", "Acme Goods");
      await saveChannel(ctx, "acme", {
        name: "zap",
        provider: "webhook",
        config: { url: receiver.url, secret: SECRET },
      });
      await saveFlowDefinition(ctx, "acme", {
        id: "delivered-hook",
        name: "Tell Zapier about deliveries",
        trigger: { type: "shipment_status", statuses: ["delivered"] },
        steps: [{ id: "hook", type: "webhook", channel: "zap" }],
      });
      // a poll every 10 minutes: only the wake-up can deliver within the wait below
      const stop = await startDispatcher(ctx, { pollingIntervalSeconds: 600 });
      try {
        await vi.waitFor(async () => expect(receiver.received).toEqual([]), { timeout: 2_000 });
        await ingest(ctx, {
          tenantId: "acme",
          actor: "source:test",
          events: [
            ShipmentEventSchema.parse({
              source: "test",
              carrier: "ups",
              trackingNumber: "1ZWAKE",
              status: "delivered",
              rawCode: "D",
              message: "Delivered",
              occurredAt: parseTimestamp(new Date().toISOString()),
            }),
          ],
        });
        await vi.waitFor(() => expect(receiver.received).toHaveLength(1), { timeout: 20_000, interval: 20 });
      } finally {
        await stop();
      }
    } finally {
      await server.close();
    }
  }, 60_000);
});
