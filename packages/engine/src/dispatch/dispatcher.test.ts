import { fakeWebhookReceiver, startLoopbackServer } from "@trackflow/channels/testing";
import { parseTimestamp, ShipmentEventSchema } from "@trackflow/core";
import { DATABASE_KINDS } from "@trackflow/store/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { EngineContext } from "../engine-context.ts";
import { ingest } from "../ingest/ingest.ts";
import { backgroundHold } from "../runtime/background-hold.ts";
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

  const delivered = (trackingNumber: string) =>
    ShipmentEventSchema.parse({
      source: "test",
      carrier: "ups",
      trackingNumber,
      status: "delivered",
      rawCode: "D",
      message: "Delivered",
      occurredAt: parseTimestamp(new Date().toISOString()),
    });

  /** A tenant whose flow calls a loopback webhook receiver on delivered; `run` gets both. */
  async function withDeliveredHook(
    run: (ctx: EngineContext, receiver: ReturnType<typeof fakeWebhookReceiver>) => Promise<void>,
  ): Promise<void> {
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
      await run(ctx, receiver);
    } finally {
      await server.close();
    }
  }

  it("fetches what this process just planned at once, not at its next poll", async () => {
    await withDeliveredHook(async (ctx, receiver) => {
      // a poll every 10 minutes: only the wake-up can deliver within the wait below
      const stop = await startDispatcher(ctx, { pollingIntervalSeconds: 600 });
      try {
        await vi.waitFor(async () => expect(receiver.received).toEqual([]), { timeout: 2_000 });
        await ingest(ctx, { tenantId: "acme", actor: "source:test", events: [delivered("1ZWAKE")] });
        await vi.waitFor(() => expect(receiver.received).toHaveLength(1), { timeout: 20_000, interval: 20 });
      } finally {
        await stop();
      }
    });
  }, 60_000);

  it("sends nothing while its hold holds, and sends once it lets go", async () => {
    await withDeliveredHook(async (ctx, receiver) => {
      let busy = true;
      const stop = await startDispatcher(ctx, { hold: backgroundHold(() => busy, 60_000, 10) });
      try {
        await ingest(ctx, { tenantId: "acme", actor: "source:test", events: [delivered("1ZHOLD")] });
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        expect(receiver.received).toEqual([]);
        busy = false;
        await vi.waitFor(() => expect(receiver.received).toHaveLength(1), { timeout: 20_000, interval: 20 });
      } finally {
        await stop();
      }
    });
  }, 60_000);
});
