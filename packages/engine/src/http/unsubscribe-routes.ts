import { getTenant, recipientId, savePreference } from "@trackflow/store";
import type { FastifyInstance, FastifyReply } from "fastify";
import { writeAudit } from "../audit/audit-writer.ts";
import type { EngineContext } from "../engine-context.ts";
import { UNSUBSCRIBE_KEY_PURPOSE } from "../notify/compose-message.ts";
import { UnsubscribeTokenError, verifyUnsubscribeToken } from "../notify/unsubscribe-link.ts";

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(reply: FastifyReply, status: number, title: string, body: string) {
  return reply
    .status(status)
    .header("content-type", "text/html; charset=utf-8")
    .header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
    .header("referrer-policy", "no-referrer")
    .header("x-frame-options", "DENY")
    .header("cache-control", "no-store")
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
        `<title>${escapeHtml(title)}</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1f2937}` +
        `button{font:inherit;padding:.6rem 1.2rem;border-radius:.4rem;border:0;background:#1f2937;color:#fff;cursor:pointer}</style></head>` +
        `<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`,
    );
}

/**
 * The signed unsubscribe link in every customer email. `GET` shows what the link is about and a
 * button (mail scanners that open links must not unsubscribe anyone); `POST` (the button, or a
 * mail client's RFC 8058 one-click request) records the opt-out for that address and channel
 * kind, audited. A tampered or garbled link changes nothing and says so.
 */
export function registerUnsubscribeRoutes(app: FastifyInstance, ctx: EngineContext): void {
  const key = ctx.cipher.deriveKey(UNSUBSCRIBE_KEY_PURPOSE);
  const read = (token: string) => {
    try {
      return verifyUnsubscribeToken(token, key);
    } catch (error) {
      if (error instanceof UnsubscribeTokenError) return error;
      throw error;
    }
  };

  app.get<{ Params: { token: string } }>("/u/:token", async (request, reply) => {
    const subject = read(request.params.token);
    if (subject instanceof UnsubscribeTokenError)
      return page(reply, 400, "This link does not work", `<p>${escapeHtml(subject.message)}.</p>`);
    const tenant = await getTenant(ctx.db, subject.tenantId);
    if (!tenant) return page(reply, 404, "This link does not work", "<p>The sender no longer exists.</p>");
    return page(
      reply,
      200,
      `Unsubscribe from ${tenant.name}`,
      `<p>Stop ${escapeHtml(subject.channel)} messages from ${escapeHtml(tenant.name)} to <strong>${escapeHtml(subject.address)}</strong>?</p>` +
        `<form method="post"><button type="submit">Unsubscribe</button></form>`,
    );
  });

  app.post<{ Params: { token: string } }>("/u/:token", async (request, reply) => {
    const subject = read(request.params.token);
    if (subject instanceof UnsubscribeTokenError)
      return page(reply, 400, "This link does not work", `<p>${escapeHtml(subject.message)}.</p>`);
    const tenant = await getTenant(ctx.db, subject.tenantId);
    if (!tenant) return page(reply, 404, "This link does not work", "<p>The sender no longer exists.</p>");
    await ctx.db.transaction(async (tx) => {
      await savePreference(tx, tenant.id, {
        address: subject.address,
        channel: subject.channel,
        optedOut: true,
        source: "unsubscribe_link",
      });
      await writeAudit(tx, tenant.id, ctx.now(), {
        actor: "recipient",
        action: "preference.changed",
        subject: `recipient:${recipientId(subject.address)}`,
        data: {
          address: subject.address,
          channel: subject.channel,
          optedOut: true,
          source: "unsubscribe_link",
        },
      });
    });
    return page(
      reply,
      200,
      "You are unsubscribed",
      `<p>${escapeHtml(tenant.name)} will send no more ${escapeHtml(subject.channel)} messages to <strong>${escapeHtml(subject.address)}</strong>. Messages you must receive by law may still come.</p>`,
    );
  });
}
