import { z } from "zod";
import type { OutboundMessage, ProviderFactory } from "../../channel-provider.ts";
import { credentialField, httpUrlField, timeoutMsField } from "../../config-fields.ts";
import { httpSend } from "../../http-send.ts";
import { stringField } from "../../provider-answer.ts";
import { finalResult } from "../../send-result.ts";
import { signTrackflowPayload, TRACKFLOW_SIGNATURE_HEADER } from "./trackflow-signature.ts";

export const TRACKFLOW_EVENT_ID_HEADER = "Trackflow-Event-Id";
export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

export const webhookConfigSchema = z.object({
  /** the receiver: a Zapier, Power Automate or n8n catch hook, or any HTTPS endpoint */
  url: httpUrlField,
  /** the shared secret the receiver checks `Trackflow-Signature` with */
  secret: credentialField("secret").pipe(z.string().min(16, "secret must have at least 16 characters")),
  timeoutMs: timeoutMsField,
});

export type WebhookConfig = z.output<typeof webhookConfigSchema>;

/** The JSON body of a webhook: the channel-native structure when the template made one, else subject and text. */
export function webhookBody(message: OutboundMessage): string {
  const { content } = message;
  return JSON.stringify(content.structured ?? { subject: content.subject ?? null, text: content.text });
}

/**
 * Signed outbound webhook: POSTs the message as JSON with `Trackflow-Signature`
 * (`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`), `Trackflow-Event-Id` (the
 * notification id) and `Idempotency-Key`. Receivers are told to dedupe on the key, so a resend
 * after a crash is harmless. A 2xx answer is delivery; the receiver's JSON `id`, if any, is kept.
 */
export const webhookProviderFactory: ProviderFactory<typeof webhookConfigSchema> = {
  provider: "webhook",
  kind: "webhook",
  configSchema: webhookConfigSchema,
  create(config, deps) {
    return {
      provider: "webhook",
      kind: "webhook",
      honoursIdempotencyKey: true,
      async send(message, signal) {
        let body: string;
        try {
          body = webhookBody(message);
        } catch {
          return finalResult("webhook: content.structured cannot be serialised as JSON", null);
        }
        return httpSend(
          {
            url: config.url,
            headers: {
              "Content-Type": "application/json",
              "User-Agent": "Trackflow-Webhook/1",
              [TRACKFLOW_SIGNATURE_HEADER]: signTrackflowPayload(body, config.secret, deps.now()),
              [TRACKFLOW_EVENT_ID_HEADER]: message.notificationId,
              [IDEMPOTENCY_KEY_HEADER]: message.idempotencyKey,
            },
            body,
          },
          {
            provider: "webhook",
            fetch: deps.fetch,
            now: deps.now,
            signal,
            timeoutMs: config.timeoutMs,
            messageId: (answer) => stringField(answer.json, "id") ?? null,
          },
        );
      },
    };
  },
};
