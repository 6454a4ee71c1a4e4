import { z } from "zod";
import type {
  ChannelKind,
  ChannelProvider,
  OutboundMessage,
  ProviderFactory,
} from "../../channel-provider.ts";
import { oneLine } from "../../provider-answer.ts";
import { retryableResult, sentResult } from "../../send-result.ts";

/**
 * Where previewed messages go: the local outbox. It must be keyed on `message.idempotencyKey`,
 * answering the same id when the same key comes again, so a repeated send stores one message.
 */
export type PreviewSink = (message: OutboundMessage) => Promise<{ id: string }>;

/** No credentials, no settings. */
export const previewConfigSchema = z.object({});

export type PreviewConfig = z.output<typeof previewConfigSchema>;

/**
 * The preview provider, used when a channel has no real credentials: every message goes to the
 * sink (the local preview outbox) and counts as sent with the sink's id. A sink that throws
 * gives a retryable result.
 */
export function createPreviewProvider(sink: PreviewSink, kind: ChannelKind = "email"): ChannelProvider {
  return {
    provider: "preview",
    kind,
    honoursIdempotencyKey: true,
    async send(message, signal) {
      if (signal.aborted) return retryableResult("preview: send aborted before it started", null);
      try {
        const { id } = await sink(message);
        return sentResult(id, null);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return retryableResult(
          `preview: the outbox did not store the message: ${oneLine(reason, 200)}`,
          null,
        );
      }
    },
  };
}

/**
 * The preview provider's factory for one kind of channel, with its sink bound. The sink is the
 * engine's outbox, not a tenant's setting, so it is injected here rather than configured;
 * `PROVIDER_FACTORIES` therefore holds no preview factory.
 */
export function previewProviderFactory(
  sink: PreviewSink,
  kind: ChannelKind = "email",
): ProviderFactory<typeof previewConfigSchema> {
  return {
    provider: "preview",
    kind,
    configSchema: previewConfigSchema,
    create() {
      return createPreviewProvider(sink, kind);
    },
  };
}
