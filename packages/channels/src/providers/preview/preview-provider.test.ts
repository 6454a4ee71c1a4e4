import { describe, expect, it } from "vitest";
import type { OutboundMessage } from "../../channel-provider.ts";
import { outboundMessage } from "../../testing/outbound-message.ts";
import { testSignal } from "../../testing/provider-contract.ts";
import {
  createPreviewProvider,
  type PreviewSink,
  previewConfigSchema,
  previewProviderFactory,
} from "./preview-provider.ts";

/** An outbox keyed on the idempotency key, as the sink contract asks. */
function memoryOutbox(): {
  sink: PreviewSink;
  stored: Map<string, { id: string; message: OutboundMessage }>;
} {
  const stored = new Map<string, { id: string; message: OutboundMessage }>();
  const sink: PreviewSink = async (message) => {
    const existing = stored.get(message.idempotencyKey);
    if (existing) return { id: existing.id };
    const id = `preview_${stored.size + 1}`;
    stored.set(message.idempotencyKey, { id, message });
    return { id };
  };
  return { sink, stored };
}

describe("preview provider", () => {
  it("hands the message to the sink and is sent with the sink's id", async () => {
    const outbox = memoryOutbox();
    const preview = createPreviewProvider(outbox.sink, "sms");
    expect(preview).toMatchObject({ provider: "preview", kind: "sms", honoursIdempotencyKey: true });
    const message = outboundMessage();
    expect(await preview.send(message, testSignal())).toEqual({
      outcome: "sent",
      providerMessageId: "preview_1",
      statusCode: null,
    });
    expect(outbox.stored.get(message.idempotencyKey)?.message).toEqual(message);
  });

  it("stores a repeated send once", async () => {
    const outbox = memoryOutbox();
    const preview = createPreviewProvider(outbox.sink);
    const message = outboundMessage();
    await preview.send(message, testSignal());
    expect(await preview.send(message, testSignal())).toMatchObject({ providerMessageId: "preview_1" });
    expect(outbox.stored.size).toBe(1);
  });

  it("makes a failing sink retryable", async () => {
    const preview = createPreviewProvider(async () => {
      throw new Error("database is locked");
    });
    expect(await preview.send(outboundMessage(), testSignal())).toEqual({
      outcome: "retryable",
      error: "preview: the outbox did not store the message: database is locked",
      statusCode: null,
      retryAfterMs: null,
    });
  });

  it("does not call the sink when already aborted", async () => {
    let calls = 0;
    const preview = createPreviewProvider(async () => {
      calls++;
      return { id: "x" };
    });
    const controller = new AbortController();
    controller.abort();
    expect((await preview.send(outboundMessage(), controller.signal)).outcome).toBe("retryable");
    expect(calls).toBe(0);
  });

  it("has a factory with no credentials and the sink bound", async () => {
    const outbox = memoryOutbox();
    const factory = previewProviderFactory(outbox.sink, "chat");
    expect(factory).toMatchObject({ provider: "preview", kind: "chat" });
    const config = previewConfigSchema.parse({});
    const preview = factory.create(config, { fetch: globalThis.fetch, now: () => new Date() });
    expect(preview.kind).toBe("chat");
    expect((await preview.send(outboundMessage(), testSignal())).outcome).toBe("sent");
  });
});
