import type { z } from "zod";

/** What kind of message a provider carries. */
export type ChannelKind = "email" | "sms" | "chat" | "push" | "webhook" | "ticket" | "event" | "record";

/** Who a message goes to, in the terms of its channel. */
export interface MessageRecipient {
  /** email address, E.164 phone number, chat channel or user id, push player id, URL… */
  address: string;
  name?: string | null;
  locale?: string | null;
  timeZone?: string | null;
}

/** A message rendered and ready to hand to a provider. */
export interface RenderedContent {
  subject?: string | null;
  /** plain text: SMS body, email text part, chat fallback text */
  text: string;
  html?: string | null;
  /** channel-native structure: Slack blocks, a Teams Adaptive Card, a webhook's JSON body… */
  structured?: unknown;
}

export interface OutboundMessage {
  /** the notification's idempotency key, derived from (tenant, flow version, step, subject, change) */
  idempotencyKey: string;
  recipient: MessageRecipient;
  content: RenderedContent;
  /** for logs, receipts and the provider's metadata fields */
  tenantId: string;
  notificationId: string;
}

/** How one attempt went, as the provider's real answer says. */
export type SendResult =
  | { outcome: "sent"; providerMessageId: string | null; statusCode: number | null }
  /** worth trying again: network error, timeout, 408, 429 (with Retry-After), 5xx */
  | { outcome: "retryable"; error: string; statusCode: number | null; retryAfterMs: number | null }
  /** trying again cannot help: bad credentials, invalid recipient, rejected content (4xx) */
  | { outcome: "final"; error: string; statusCode: number | null };

/** One configured provider instance (a tenant's SendGrid account, its Slack webhook…). */
export interface ChannelProvider {
  /** provider id: "sendgrid", "twilio", "webhook", "preview", … */
  readonly provider: string;
  readonly kind: ChannelKind;
  /**
   * The provider deduplicates on the idempotency key we pass, so a send repeated after a crash
   * reaches the recipient once. Where false, a crash between the provider's acceptance and our
   * record of it can repeat a message: the dispatcher counts such repeats.
   */
  readonly honoursIdempotencyKey: boolean;
  send(message: OutboundMessage, signal: AbortSignal): Promise<SendResult>;
}

/** What every provider factory gets besides its config: the clock and fetch, so tests can steer them. */
export interface ProviderDeps {
  fetch: typeof globalThis.fetch;
  now: () => Date;
}

/** How a provider is described, validated and built from a tenant's channel configuration. */
export interface ProviderFactory<Schema extends z.ZodType = z.ZodType> {
  readonly provider: string;
  readonly kind: ChannelKind;
  /** the configuration (credentials included), validated once when the channel is saved */
  readonly configSchema: Schema;
  create(config: z.output<Schema>, deps: ProviderDeps): ChannelProvider;
}
