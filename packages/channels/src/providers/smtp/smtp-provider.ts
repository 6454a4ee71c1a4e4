import { createHash } from "node:crypto";
import { createTransport } from "nodemailer";
import { z } from "zod";
import type {
  ChannelProvider,
  OutboundMessage,
  ProviderFactory,
  SendResult,
} from "../../channel-provider.ts";
import { credentialField, timeoutMsField } from "../../config-fields.ts";
import { oneLine } from "../../provider-answer.ts";
import { finalResult, retryableResult, sentResult } from "../../send-result.ts";

const addressSchema = z.object({
  email: z.email(),
  name: z.string().min(1).optional(),
});

/** A host name or IP literal: no scheme, no path, no whitespace. */
const hostField = z
  .string()
  .min(1, "host is required")
  .regex(/^[A-Za-z0-9.:[\]-]+$/, "host must be a host name or IP address, without scheme or path");

export const smtpConfigSchema = z.object({
  /** the submission server (the relay of the tenant's mail provider, or its own MTA) */
  host: hostField,
  /** 465 with implicit TLS (`secure`), 587 for submission with STARTTLS, 25 for relay; default by `secure` */
  port: z.number().int().min(1).max(65_535).optional(),
  /** implicit TLS from the first byte (SMTPS, RFC 8314), usually port 465 */
  secure: z.boolean().default(false),
  /**
   * Without `secure`: refuse to go on unless the server upgrades the connection with STARTTLS,
   * so credentials and mail never cross the network in clear text. On by default; turn it off
   * only for a relay on a trusted network that offers no TLS.
   */
  requireTLS: z.boolean().default(true),
  /** AUTH PLAIN/LOGIN credentials; omitted for a relay that authorises by IP */
  auth: z
    .object({
      user: credentialField("auth.user"),
      pass: credentialField("auth.pass"),
    })
    .optional(),
  /**
   * PEM certificate(s) to trust for the server's certificate instead of the public CAs, for a
   * relay with a private or self-signed certificate
   */
  tlsCa: z
    .string()
    .includes("-----BEGIN CERTIFICATE-----", { error: "tlsCa must be PEM certificates" })
    .optional(),
  /** the header From and the envelope sender (MAIL FROM) */
  from: addressSchema,
  replyTo: addressSchema.optional(),
  timeoutMs: timeoutMsField,
});

export type SmtpConfig = z.output<typeof smtpConfigSchema>;

/** The header that carries our notification id, for the tenant's mailbox rules and bounce handling. */
export const SMTP_NOTIFICATION_ID_HEADER = "X-Trackflow-Notification-Id";

/**
 * The Message-ID of a notification, the same for every attempt of one idempotency key: a hash of
 * the key (which may hold characters a Message-ID cannot) at the sender's domain. Servers and
 * mail clients that collapse duplicates by Message-ID then see a resend as the same message.
 */
export function smtpMessageId(idempotencyKey: string, fromEmail: string): string {
  const hash = createHash("sha256").update(idempotencyKey, "utf8").digest("hex").slice(0, 32);
  const domain = fromEmail.slice(fromEmail.lastIndexOf("@") + 1).toLowerCase() || "trackflow.invalid";
  return `<trackflow.${hash}@${domain}>`;
}

/**
 * The queue id a server gives an accepted message in its final 250 reply, in the formats of the
 * common MTAs: Postfix "250 2.0.0 Ok: queued as 4XyZ1234", Exim "250 OK id=1abCDe-000Abc-12",
 * Sendmail "250 2.0.0 53AC0Bq8012345 Message accepted for delivery". Null when the reply names none.
 */
export function smtpQueueId(response: string): string | null {
  const reply = response.trim();
  const patterns = [
    /\bqueued as ([A-Za-z0-9._-]+)/i,
    /\bid=([A-Za-z0-9._-]+)/i,
    /^250[ -](?:\d\.\d\.\d+ )?([A-Za-z0-9]{8,}) Message accepted/i,
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(reply);
    if (match?.[1]) return match[1];
  }
  return null;
}

/** The fields nodemailer composes the message from: text and HTML as multipart/alternative. */
export function smtpMailOptions(message: OutboundMessage, config: SmtpConfig, subject: string, date: Date) {
  const { recipient, content } = message;
  const address = (email: string, name?: string | null) => (name ? { name, address: email } : email);
  return {
    from: address(config.from.email, config.from.name),
    to: address(recipient.address, recipient.name),
    ...(config.replyTo ? { replyTo: address(config.replyTo.email, config.replyTo.name) } : {}),
    subject,
    text: content.text,
    ...(content.html ? { html: content.html } : {}),
    messageId: smtpMessageId(message.idempotencyKey, config.from.email),
    date,
    headers: { [SMTP_NOTIFICATION_ID_HEADER]: message.notificationId },
    // the envelope is exactly one sender and one recipient, whatever the headers say
    envelope: { from: config.from.email, to: recipient.address },
    // content is ours, never a path or URL nodemailer should fetch
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** Connection-level failures: nothing was refused, the conversation broke off. */
const RETRYABLE_ERROR_CODES: ReadonlySet<string> = new Set([
  "ECONNECTION",
  "ETIMEDOUT",
  "ESOCKET",
  "EDNS",
  "EPROXY",
  "EPROTOCOL",
]);

/** Local certificate errors: the server's certificate does not verify, and will not until someone acts. */
const CERTIFICATE_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/;

interface SmtpError {
  code?: unknown;
  originalCode?: unknown;
  responseCode?: unknown;
  response?: unknown;
  message?: unknown;
}

/**
 * How a failed SMTP conversation went, by RFC 5321 reply code when the server gave one: 4yz is a
 * transient negative completion (421 service closing, 450/451/452 try later, 454 temporary auth
 * failure), retryable; 5yz is permanent (550 mailbox unavailable, 553 bad address, 554 rejected,
 * 535 authentication failed), final. Without a reply: broken connections, timeouts and DNS
 * failures are retryable; a local refusal (invalid address, missing credentials, a certificate
 * that does not verify) is final.
 */
export function classifySmtpError(error: unknown, secrets: readonly string[] = []): SendResult {
  const failure = (typeof error === "object" && error !== null ? error : {}) as SmtpError;
  const code = typeof failure.code === "string" ? failure.code : "";
  const originalCode = typeof failure.originalCode === "string" ? failure.originalCode : "";
  const responseCode = typeof failure.responseCode === "number" ? failure.responseCode : null;
  const text = smtpErrorText(failure, secrets);
  if (responseCode !== null && responseCode >= 400 && responseCode <= 499) {
    return retryableResult(text, responseCode);
  }
  if (responseCode !== null && responseCode >= 500 && responseCode <= 599) {
    return finalResult(text, responseCode);
  }
  if (CERTIFICATE_ERROR.test(originalCode)) return finalResult(text, null);
  if (RETRYABLE_ERROR_CODES.has(code)) return retryableResult(text, null);
  return finalResult(text, null);
}

function smtpErrorText(failure: SmtpError, secrets: readonly string[]): string {
  const message = typeof failure.message === "string" ? failure.message : String(failure.message ?? "");
  let text = message || "unknown failure";
  // a secret this short would match ordinary words; real passwords are longer
  for (const secret of secrets) if (secret.length >= 4) text = text.split(secret).join("<redacted>");
  return `SMTP: ${oneLine(text, 280)}`;
}

/** An SMTP provider; `close()` lets go of the transport (it keeps no connection between sends). */
export interface SmtpChannelProvider extends ChannelProvider {
  close(): void;
}

/**
 * Email over SMTP (RFC 5321) with nodemailer: one connection per send (no pool, so nothing stays
 * open between sends), implicit TLS or STARTTLS, AUTH with the configured credentials, and a
 * multipart/alternative text + HTML message. A 250 reply to the end of DATA is acceptance; the
 * provider message id is the queue id in that reply when the server names one, else our
 * Message-ID. SMTP has no idempotency key: a message accepted just before the connection broke
 * is sent again on retry; its Message-ID, derived from the idempotency key, is the same.
 */
export const smtpProviderFactory: ProviderFactory<typeof smtpConfigSchema> = {
  provider: "smtp",
  kind: "email",
  configSchema: smtpConfigSchema,
  create(config, deps): SmtpChannelProvider {
    const transport = createTransport({
      host: config.host,
      port: config.port ?? (config.secure ? 465 : 587),
      secure: config.secure,
      requireTLS: !config.secure && config.requireTLS,
      ...(config.auth ? { auth: { user: config.auth.user, pass: config.auth.pass } } : {}),
      connectionTimeout: config.timeoutMs,
      greetingTimeout: config.timeoutMs,
      socketTimeout: config.timeoutMs,
      dnsTimeout: config.timeoutMs,
      ...(config.tlsCa ? { tls: { ca: config.tlsCa } } : {}),
      logger: false,
      debug: false,
    });
    const secrets = config.auth ? [config.auth.pass] : [];
    return {
      provider: "smtp",
      kind: "email",
      honoursIdempotencyKey: false,
      close() {
        transport.close();
      },
      async send(message, signal) {
        const subject = message.content.subject?.trim();
        if (!subject) return finalResult("SMTP: an email needs a subject and this message has none", null);
        if (signal.aborted) return retryableResult("SMTP: send aborted before it started", null);
        const timeout = new AbortController();
        const timer = setTimeout(() => timeout.abort(), config.timeoutMs);
        try {
          const info = await transport.sendMail({
            ...smtpMailOptions(message, config, subject, deps.now()),
            signal: AbortSignal.any([signal, timeout.signal]),
          });
          const queueId = info.serverMessageId ?? smtpQueueId(info.response ?? "");
          return sentResult(queueId ?? info.messageId, smtpReplyCode(info.response));
        } catch (error) {
          if (timeout.signal.aborted) {
            return retryableResult(`SMTP: no answer within ${config.timeoutMs} ms`, null);
          }
          if (signal.aborted) {
            return retryableResult("SMTP: send aborted by the caller before an answer came", null);
          }
          return classifySmtpError(error, secrets);
        } finally {
          clearTimeout(timer);
        }
      },
    };
  },
};

function smtpReplyCode(response: string | undefined): number | null {
  const match = /^(\d{3})/.exec(response ?? "");
  return match ? Number(match[1]) : null;
}
