import { createHash } from "node:crypto";
import { z } from "zod";
import type { OutboundMessage, ProviderFactory } from "../../channel-provider.ts";
import { baseUrlField, credentialField, timeoutMsField } from "../../config-fields.ts";
import { createAccessTokenCache, httpSendWithAccessToken } from "../../oauth/access-token-cache.ts";
import { clientCredentialsGrant } from "../../oauth/token-grants.ts";
import { isRecord, oneLine, type ProviderAnswer, stringField } from "../../provider-answer.ts";
import { finalResult } from "../../send-result.ts";

export const MSGRAPH_API_URL = "https://graph.microsoft.com";
export const MICROSOFT_AUTHORITY_URL = "https://login.microsoftonline.com";
/** Client credentials get the application permissions an admin granted (Mail.Send) through `.default`. */
export const MSGRAPH_DEFAULT_SCOPE = "https://graph.microsoft.com/.default";
/** Our notification id, as an Internet message header (Graph takes only custom `x-` headers, five at most). */
export const MSGRAPH_NOTIFICATION_ID_HEADER = "X-Trackflow-Notification-Id";

export function msgraphSendMailPath(user: string): string {
  return `/v1.0/users/${encodeURIComponent(user)}/sendMail`;
}

export function microsoftTokenUrl(authorityUrl: string, tenantId: string): string {
  return `${authorityUrl}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
}

const addressSchema = z.object({
  email: z.email(),
  name: z.string().min(1).optional(),
});

export const msgraphConfigSchema = z.object({
  /** the directory (tenant) id or a verified domain (contoso.onmicrosoft.com) */
  tenantId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, "tenantId must be a tenant GUID or domain"),
  /** the app registration's application (client) id */
  clientId: credentialField("clientId"),
  /** a client secret of the app; the app needs the Mail.Send application permission, admin-consented */
  clientSecret: credentialField("clientSecret"),
  /** the mailbox that sends: its user id or userPrincipalName */
  sender: z.string().min(1, "sender is required"),
  replyTo: addressSchema.optional(),
  /** keep a copy in the sender's Sent Items (Graph's default is true; notifications rarely need it) */
  saveToSentItems: z.boolean().default(false),
  /** the identity platform host (a national cloud, a loopback fake) */
  authorityUrl: baseUrlField(MICROSOFT_AUTHORITY_URL),
  baseUrl: baseUrlField(MSGRAPH_API_URL),
  timeoutMs: timeoutMsField,
});

export type MsgraphConfig = z.output<typeof msgraphConfigSchema>;

function recipient(email: string, name?: string | null) {
  return { emailAddress: name ? { address: email, name } : { address: email } };
}

/**
 * The sendMail body: the message (subject, one body: HTML when there is HTML, Text otherwise,
 * the recipient, our notification id as an `X-` Internet message header) and `saveToSentItems`.
 */
export function msgraphSendMailBody(
  message: OutboundMessage,
  config: MsgraphConfig,
  subject: string,
): object {
  const { content } = message;
  return {
    message: {
      subject,
      body: content.html
        ? { contentType: "HTML", content: content.html }
        : { contentType: "Text", content: content.text },
      toRecipients: [recipient(message.recipient.address, message.recipient.name)],
      ...(config.replyTo ? { replyTo: [recipient(config.replyTo.email, config.replyTo.name)] } : {}),
      internetMessageHeaders: [{ name: MSGRAPH_NOTIFICATION_ID_HEADER, value: message.notificationId }],
    },
    saveToSentItems: config.saveToSentItems,
  };
}

/** A GUID-shaped `client-request-id` derived from the idempotency key, so every attempt of a notification correlates. */
export function msgraphClientRequestId(idempotencyKey: string): string {
  const hex = createHash("sha256").update(idempotencyKey).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Graph's error: `{"error":{"code","message"}}` as "<code>: <message>". */
export function msgraphErrorMessage(answer: ProviderAnswer): string | undefined {
  const error = isRecord(answer.json) ? answer.json.error : undefined;
  const code = stringField(error, "code");
  const message = stringField(error, "message");
  if (code === undefined) return message === undefined ? undefined : oneLine(message, 220);
  return message === undefined ? code : `${code}: ${oneLine(message, 220)}`;
}

/**
 * Microsoft Graph user: sendMail, `POST /v1.0/users/{id | userPrincipalName}/sendMail`, with an
 * app-only token (client-credentials grant, scope `https://graph.microsoft.com/.default`, the
 * Mail.Send application permission). 202 Accepted with an empty body: Exchange has the message;
 * there is no message id, so the `request-id` header (what Microsoft support asks for) is kept
 * as the provider's reference. Errors are `{"error":{"code","message"}}`: 429 and 503/504
 * (throttling, with `Retry-After`) are retryable; `ErrorInvalidRecipients` (400),
 * `ErrorAccessDenied` (403), `ErrorInvalidUser` (404) are final. A 401
 * (`InvalidAuthenticationToken`) drops the cached token. Graph takes no idempotency key.
 */
export const msgraphProviderFactory: ProviderFactory<typeof msgraphConfigSchema> = {
  provider: "msgraph",
  kind: "email",
  configSchema: msgraphConfigSchema,
  create(config, deps) {
    const tokens = createAccessTokenCache(
      clientCredentialsGrant({
        name: "Microsoft token endpoint",
        tokenUrl: microsoftTokenUrl(config.authorityUrl, config.tenantId),
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        scope: MSGRAPH_DEFAULT_SCOPE,
      }),
      { fetch: deps.fetch, now: deps.now, timeoutMs: config.timeoutMs },
    );
    const url = `${config.baseUrl}${msgraphSendMailPath(config.sender)}`;
    return {
      provider: "msgraph",
      kind: "email",
      honoursIdempotencyKey: false,
      async send(message, signal) {
        const subject = message.content.subject?.trim();
        if (!subject)
          return finalResult("Microsoft Graph: an email needs a subject and this message has none", null);
        const body = JSON.stringify(msgraphSendMailBody(message, config, subject));
        return httpSendWithAccessToken(
          tokens,
          {
            url,
            headers: {
              "Content-Type": "application/json",
              "client-request-id": msgraphClientRequestId(message.idempotencyKey),
              "return-client-request-id": "true",
            },
            body,
          },
          {
            provider: "Microsoft Graph",
            fetch: deps.fetch,
            now: deps.now,
            signal,
            timeoutMs: config.timeoutMs,
            messageId: (answer) => answer.headers.get("request-id"),
            errorMessage: msgraphErrorMessage,
          },
        );
      },
    };
  },
};
