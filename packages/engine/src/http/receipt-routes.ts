import { timingSafeEqual } from "node:crypto";
import {
  DEFAULT_RECEIPT_TOLERANCE_SECONDS,
  providerFactory,
  type ReceiptProvider,
  type ReceiptVerification,
  TWILIO_SIGNATURE_HEADER,
  twilioSignature,
  twilioUrlVariants,
  verifyMailgunWebhook,
  verifySendgridEventWebhook,
  verifyTwilioStatusCallback,
} from "@trackflow/channels";
import {
  findCredentialByName,
  getTenant,
  receiptTokenSeen,
  recipientId,
  recordInboundDelivery,
  savePreference,
  type TenantRow,
} from "@trackflow/store";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { writeAudit } from "../audit/audit-writer.ts";
import type { EngineContext } from "../engine-context.ts";
import { CHANNEL_KIND_PREFIX } from "../notify/channel-connections.ts";
import { recordReceipts } from "../notify/record-receipts.ts";
import { receivedDelivery } from "./received-delivery.ts";
import type { TenantRateLimiter } from "./tenant-rate-limiter.ts";
import { DEFAULT_WEBHOOK_RATE_PER_MINUTE } from "./webhook-routes.ts";

export interface ReceiptRouteOptions {
  /**
   * The origin (and path prefix) the engine is reached at from outside, e.g.
   * "https://track.example.com": Twilio signs the URL it called, which behind a proxy is not
   * the one this process sees. Without it, the URL is rebuilt from the request itself.
   */
  publicUrl?: string | undefined;
}

/** A tenant's channel connection, with its decrypted configuration. */
interface ReceiptChannel {
  tenant: TenantRow;
  name: string;
  provider: string;
  config: Record<string, unknown>;
}

function configText(config: Record<string, unknown>, key: string): string | null {
  const value = config[key];
  return typeof value === "string" && value !== "" ? value : null;
}

/** Twilio signs with the account's Auth Token: the one for webhooks, else the one the channel sends with. */
function twilioTokens(config: Record<string, unknown>): string[] {
  return [configText(config, "webhookAuthToken"), configText(config, "authToken")].filter(
    (token): token is string => token !== null,
  );
}

/** The URL the caller used, as seen from outside: the configured public URL, else the request's own. */
export function publicRequestUrl(request: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return `${publicUrl.replace(/\/+$/, "")}${request.url}`;
  return `${request.protocol}://${request.host}${request.url}`;
}

/** Whether a request was shown to come from the provider before it was refused as unreadable. */
function verifiedBeforeRefusal(provider: ReceiptProvider, verdict: ReceiptVerification): boolean {
  if (verdict.ok) return true;
  if (verdict.status !== 400) return false;
  if (provider === "twilio") return !/x-www-form-urlencoded/.test(verdict.reason);
  if (provider === "mailgun") return !/not JSON|not a JSON object/.test(verdict.reason);
  return true;
}

const RECEIPT_PROVIDERS: ReadonlySet<string> = new Set<ReceiptProvider>(["twilio", "sendgrid", "mailgun"]);

/**
 * Opt-out and opt-in keywords of Twilio's standard SMS STOP filtering (the CTIA keywords, plus
 * REVOKE and OPTOUT, which Twilio added in 2025): a single word, any case, nothing else in the
 * message. HELP and INFO change nothing.
 */
export const SMS_OPT_OUT_KEYWORDS: ReadonlySet<string> = new Set([
  "STOP",
  "STOPALL",
  "UNSUBSCRIBE",
  "CANCEL",
  "END",
  "QUIT",
  "REVOKE",
  "OPTOUT",
]);
export const SMS_OPT_IN_KEYWORDS: ReadonlySet<string> = new Set(["START", "UNSTOP", "YES"]);

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/**
 * `POST /receipts/:tenant/:channel`: a provider's delivery receipts for messages sent through
 * that channel (Twilio status callbacks, the SendGrid Event Webhook, Mailgun webhooks), the
 * parser chosen by the channel's provider. The raw body is verified with the channel's key
 * before anything is read: bad, missing, stale or replayed signature 401, unreadable 400,
 * unknown tenant or channel, or a channel that takes no receipts 404, over the body limit 413.
 * `POST /inbound/:tenant/:channel`: a Twilio channel's incoming messages; STOP and START set the
 * sender's SMS preference. Every request to a known channel is recorded, accepted or not.
 */
export function registerReceiptRoutes(
  app: FastifyInstance,
  ctx: EngineContext,
  limiter: TenantRateLimiter,
  options: ReceiptRouteOptions = {},
): void {
  const loadChannel = async (tenantId: string, name: string): Promise<ReceiptChannel | null> => {
    const tenant = await getTenant(ctx.db, tenantId);
    if (!tenant) return null;
    const row = await findCredentialByName(ctx.db, tenant.id, CHANNEL_KIND_PREFIX, name);
    if (!row) return null;
    const provider = row.kind.slice(CHANNEL_KIND_PREFIX.length);
    const factory = providerFactory(provider);
    if (!factory) return null;
    const config = JSON.parse(ctx.cipher.decrypt(row.ciphertext, `${tenant.id}:${row.kind}:${row.name}`));
    const parsed = factory.configSchema.safeParse(config);
    if (!parsed.success) return null;
    return { tenant, name: row.name, provider, config: parsed.data as Record<string, unknown> };
  };

  /** Resolves the channel, applies the rate limit and prepares the recorder; null when answered. */
  const prepare = async (
    request: FastifyRequest<{ Params: { tenant: string; channel: string } }>,
    reply: FastifyReply,
    source: string,
    wanted: (channel: ReceiptChannel) => string | null,
  ) => {
    const { tenant: tenantId, channel: channelName } = request.params;
    const channel = await loadChannel(tenantId, channelName);
    const refusal = channel
      ? wanted(channel)
      : `no channel "${channelName}" is configured for tenant "${tenantId}"`;
    if (!channel || refusal !== null) {
      await reply.code(404).send({ error: refusal });
      return null;
    }
    const wait = limiter.take(
      channel.tenant.id,
      channel.tenant.settings.rateLimitPerMinute ?? DEFAULT_WEBHOOK_RATE_PER_MINUTE,
    );
    if (wait > 0) {
      await reply
        .code(429)
        .header("retry-after", String(Math.ceil(wait / 1000)))
        .send({ error: "too many requests for this tenant" });
      return null;
    }
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const record = (
      outcome: "accepted" | "duplicate" | "rejected",
      httpStatus: number,
      verified: boolean,
      error: string | null,
    ) =>
      recordInboundDelivery(
        ctx.db,
        receivedDelivery(request, raw, {
          tenantId: channel.tenant.id,
          source: `${source}:${channel.name}`,
          outcome,
          httpStatus,
          verified,
          error,
        }),
      );
    const reject = async (status: number, error: string, verified: boolean) => {
      await record("rejected", status, verified, error);
      return reply.code(status).send({ error });
    };
    return { channel, raw, record, reject };
  };

  app.post<{ Params: { tenant: string; channel: string } }>(
    "/receipts/:tenant/:channel",
    async (request, reply) => {
      const prepared = await prepare(request, reply, "receipts", (channel) => {
        if (!RECEIPT_PROVIDERS.has(channel.provider))
          return `channel "${channel.name}" (${channel.provider}) has no delivery receipts`;
        const keyed =
          channel.provider === "twilio"
            ? twilioTokens(channel.config).length > 0
            : channel.provider === "sendgrid"
              ? configText(channel.config, "eventWebhookPublicKey") !== null
              : configText(channel.config, "webhookSigningKey") !== null;
        if (keyed) return null;
        const field =
          channel.provider === "twilio"
            ? "authToken or webhookAuthToken"
            : channel.provider === "sendgrid"
              ? "eventWebhookPublicKey"
              : "webhookSigningKey";
        return `channel "${channel.name}" takes no delivery receipts until its ${field} is set`;
      });
      if (!prepared) return reply;
      const { channel, raw, record, reject } = prepared;
      const provider = channel.provider as ReceiptProvider;
      const base = { rawBody: raw, headers: request.headers, now: ctx.now() };

      let seenToken: string | null = null;
      let verdict: ReceiptVerification;
      if (provider === "twilio") {
        verdict = verifyTwilioStatusCallback(
          { ...base, url: publicRequestUrl(request, options.publicUrl) },
          { authToken: twilioTokens(channel.config) },
        );
      } else if (provider === "sendgrid") {
        verdict = verifySendgridEventWebhook(base, {
          publicKey: configText(channel.config, "eventWebhookPublicKey")!,
        });
      } else {
        verdict = await verifyMailgunWebhook(base, {
          signingKey: configText(channel.config, "webhookSigningKey")!,
          seenToken: async (token) => {
            seenToken = token;
            return await receiptTokenSeen(ctx.db, channel.tenant.id, "mailgun", token);
          },
        });
      }
      if (!verdict.ok) {
        return await reject(
          verdict.status,
          `${verdict.failure}: ${verdict.reason}`,
          verifiedBeforeRefusal(provider, verdict),
        );
      }

      const outcome = await recordReceipts(ctx, {
        tenant: channel.tenant,
        channel: channel.name,
        actor: `receipts:${channel.name}`,
        receipts: verdict.receipts,
        token:
          seenToken === null
            ? null
            : {
                provider,
                value: seenToken,
                // twice the signature tolerance: an older token fails the timestamp check anyway
                forgetBefore: new Date(ctx.now().getTime() - 2 * DEFAULT_RECEIPT_TOLERANCE_SECONDS * 1000),
              },
      });
      if (verdict.skipped > 0)
        request.log.debug({ reasons: verdict.skippedReasons }, "receipt events skipped");
      const duplicate = outcome.received > 0 && outcome.duplicates === outcome.received;
      await record(duplicate ? "duplicate" : "accepted", 200, true, null);
      return reply.code(200).send({
        received: outcome.received,
        matched: outcome.matched,
        duplicates: outcome.duplicates,
        skipped: verdict.skipped,
      });
    },
  );

  app.post<{ Params: { tenant: string; channel: string } }>(
    "/inbound/:tenant/:channel",
    async (request, reply) => {
      const prepared = await prepare(request, reply, "inbound", (channel) => {
        if (channel.provider !== "twilio")
          return `channel "${channel.name}" (${channel.provider}) takes no incoming messages`;
        return twilioTokens(channel.config).length > 0
          ? null
          : `channel "${channel.name}" takes no incoming messages until its authToken or webhookAuthToken is set`;
      });
      if (!prepared) return reply;
      const { channel, raw, record, reject } = prepared;

      const signature = request.headers[TWILIO_SIGNATURE_HEADER.toLowerCase()];
      const given = (Array.isArray(signature) ? signature[0] : signature)?.trim();
      if (!given) return await reject(401, `missing_signature: no ${TWILIO_SIGNATURE_HEADER} header`, false);
      const contentType = request.headers["content-type"];
      if (contentType !== undefined && !/^\s*application\/x-www-form-urlencoded\b/i.test(contentType)) {
        return await reject(
          400,
          `malformed_body: an incoming message is application/x-www-form-urlencoded, not ${contentType}`,
          false,
        );
      }
      const params = new URLSearchParams(raw.toString("utf8"));
      const url = publicRequestUrl(request, options.publicUrl);
      const expected = twilioUrlVariants(url).flatMap((variant) =>
        twilioTokens(channel.config).map((token) => twilioSignature(variant, params, token)),
      );
      if (!anyEqual(given, expected)) {
        return await reject(
          401,
          `bad_signature: ${TWILIO_SIGNATURE_HEADER} does not match the URL, parameters and Auth Token`,
          false,
        );
      }
      const from = params.get("From")?.trim();
      if (!from) return await reject(400, "malformed_body: an incoming message needs From", true);

      const keyword = (params.get("Body") ?? "").trim().toUpperCase();
      const optedOut = SMS_OPT_OUT_KEYWORDS.has(keyword)
        ? true
        : SMS_OPT_IN_KEYWORDS.has(keyword)
          ? false
          : null;
      if (optedOut !== null) {
        const now = ctx.now();
        await ctx.db.transaction(async (tx) => {
          const source = optedOut ? "sms_stop" : "sms_start";
          await savePreference(tx, channel.tenant.id, { address: from, channel: "sms", optedOut, source });
          await writeAudit(tx, channel.tenant.id, now, {
            actor: `inbound:${channel.name}`,
            action: "preference.changed",
            subject: `recipient:${recipientId(from)}`,
            data: { address: from, channel: "sms", optedOut, source, keyword, via: channel.name },
          });
        });
      }
      await record("accepted", 200, true, null);
      // Twilio itself answers the standard keywords with the carrier-mandated reply
      return reply.code(200).header("content-type", "text/xml; charset=utf-8").send(EMPTY_TWIML);
    },
  );
}

/** True when the given signature equals any expected one; every candidate compared in constant time. */
function anyEqual(given: string, candidates: readonly string[]): boolean {
  const left = Buffer.from(given, "utf8");
  let matched = false;
  for (const candidate of candidates) {
    const right = Buffer.from(candidate, "utf8");
    const equal =
      left.length === right.length ? timingSafeEqual(left, right) : timingSafeEqual(right, right) && false;
    matched = equal || matched;
  }
  return matched;
}
