import { z } from "zod";
import type { OutboundMessage, ProviderFactory, SendResult } from "../../channel-provider.ts";
import { baseUrlField, credentialField, timeoutMsField } from "../../config-fields.ts";
import { type HttpSendOptions, httpSend } from "../../http-send.ts";
import {
  commonErrorMessage,
  isRecord,
  oneLine,
  type ProviderAnswer,
  stringField,
} from "../../provider-answer.ts";
import { parseResetEpochSeconds } from "../../retry-after.ts";
import { finalResult, withFinalHint } from "../../send-result.ts";

/** The US workspace host; EU and AU workspaces use https://api.eu.intercom.io and https://api.au.intercom.io. */
export const INTERCOM_API_URL = "https://api.intercom.io";
export const INTERCOM_MESSAGES_PATH = "/messages";
export const INTERCOM_CONTACT_SEARCH_PATH = "/contacts/search";
export const INTERCOM_DEFAULT_VERSION = "2.11";

export const intercomConfigSchema = z.object({
  /** an access token of the workspace's app, sent as `Authorization: Bearer` */
  accessToken: credentialField("accessToken"),
  /** the admin (teammate) the message is sent from: its numeric Intercom id */
  adminId: z.union([
    z.number().int().positive(),
    z.string().regex(/^\d+$/, "adminId is a numeric Intercom admin id"),
  ]),
  /** `email` sends an email, `inapp` an in-app message in the Messenger */
  messageType: z.enum(["email", "inapp"]).default("email"),
  /** email style: `plain` (no header) or `personal` (with the admin's name and avatar) */
  template: z.enum(["plain", "personal"]).default("plain"),
  /**
   * What `recipient.address` holds. The API takes only an Intercom contact id in `to`:
   * `contactId` sends to it as is (with `contactRole`); `email` first looks the contact up by
   * email (`POST /contacts/search`) and sends to the one found, a user before a lead.
   */
  recipient: z.enum(["contactId", "email"]).default("contactId"),
  contactRole: z.enum(["user", "lead"]).default("user"),
  /** open a conversation in the inbox at once rather than when the contact replies */
  createConversation: z.boolean().default(false),
  /** the `Intercom-Version` header, e.g. "2.11" */
  apiVersion: z
    .string()
    .regex(/^(?:\d+\.\d+|Unstable)$/, 'apiVersion is like "2.11" (or "Unstable")')
    .default(INTERCOM_DEFAULT_VERSION),
  baseUrl: baseUrlField(INTERCOM_API_URL),
  timeoutMs: timeoutMsField,
});

export type IntercomConfig = z.output<typeof intercomConfigSchema>;

export interface IntercomRecipient {
  type: "user" | "lead";
  id: string;
}

/**
 * The Create Message body: an admin-initiated email (subject, body, template) or in-app message
 * (body) from the configured admin to one contact. The body is the HTML when there is some, else
 * the text (Intercom takes both).
 */
export function intercomMessageBody(
  message: OutboundMessage,
  config: IntercomConfig,
  to: IntercomRecipient,
): object {
  const { content } = message;
  const email = config.messageType === "email";
  return {
    message_type: config.messageType,
    ...(email ? { subject: content.subject?.trim() ?? "" } : {}),
    body: content.html?.trim() ? content.html : content.text,
    ...(email ? { template: config.template } : {}),
    from: { type: "admin", id: Number(config.adminId) },
    to,
    ...(config.createConversation ? { create_conversation_without_contact_reply: true } : {}),
  };
}

/** Intercom's errors: `{"type":"error.list","errors":[{"code","message"}]}`, shown as "<message> (<code>)". */
export function intercomErrorMessage(answer: ProviderAnswer): string | undefined {
  const errors = isRecord(answer.json) ? answer.json.errors : undefined;
  if (!Array.isArray(errors)) return commonErrorMessage(answer);
  const texts = errors.slice(0, 3).flatMap((error) => {
    const message = stringField(error, "message");
    const code = stringField(error, "code");
    if (message === undefined && code === undefined) return [];
    return [message && code ? `${message} (${code})` : (message ?? code ?? "")];
  });
  return texts.length > 0 ? oneLine(texts.join("; ")) : commonErrorMessage(answer);
}

/** The contact to message among search results: the first user, else the first lead. */
function pickContact(body: unknown): IntercomRecipient | null {
  const data = isRecord(body) && Array.isArray(body.data) ? body.data : [];
  const contacts = data.flatMap((contact): IntercomRecipient[] => {
    const id = stringField(contact, "id");
    const role = stringField(contact, "role");
    return id !== undefined && (role === "user" || role === "lead") ? [{ type: role, id }] : [];
  });
  return contacts.find((contact) => contact.type === "user") ?? contacts[0] ?? null;
}

/**
 * Intercom, Create a message (admin-initiated): `POST https://api.intercom.io/messages` with a
 * Bearer access token and `Intercom-Version`, JSON `{message_type, subject, body, template,
 * from:{type:"admin",id}, to:{type:"user"|"lead",id}}`. 200 with the Message (`id`,
 * `conversation_id`). Errors are `{"type":"error.list","errors":[{"code","message"}]}`: 400
 * `parameter_invalid`, 401 `unauthorized`, 403 `api_plan_restricted`, 404 `not_found` (no such
 * contact; Intercom notes a just-created contact can answer 404 for a short while), 422 (final);
 * 429 `rate_limit_exceeded` with `X-RateLimit-Reset` (Unix seconds), 5xx (retryable). The `to`
 * object takes a contact id only, so recipients given by email are looked up first. Intercom
 * takes no idempotency key: a resend after a lost answer can repeat the message.
 */
export const intercomProviderFactory: ProviderFactory<typeof intercomConfigSchema> = {
  provider: "intercom",
  kind: "chat",
  configSchema: intercomConfigSchema,
  create(config, deps) {
    const headers = {
      Authorization: `Bearer ${config.accessToken}`,
      "Content-Type": "application/json",
      Accept: "application/json",
      "Intercom-Version": config.apiVersion,
    };
    const options = (signal: AbortSignal, provider: string): HttpSendOptions => ({
      provider,
      fetch: deps.fetch,
      now: deps.now,
      signal,
      timeoutMs: config.timeoutMs,
      errorMessage: intercomErrorMessage,
      rateLimitDelayMs: (answer, now) => parseResetEpochSeconds(answer.headers.get("x-ratelimit-reset"), now),
      classify: (_answer, standard) => withFinalHint(standard, { 401: "check the access token" }),
    });

    /** The contact with this email, found with `POST /contacts/search`; a SendResult when there is none or the search failed. */
    async function findContact(email: string, signal: AbortSignal): Promise<IntercomRecipient | SendResult> {
      const lookup: { contact: IntercomRecipient | null } = { contact: null };
      const result = await httpSend(
        {
          url: `${config.baseUrl}${INTERCOM_CONTACT_SEARCH_PATH}`,
          headers,
          body: JSON.stringify({ query: { field: "email", operator: "=", value: email } }),
        },
        {
          ...options(signal, "Intercom contact search"),
          messageId: (answer) => {
            lookup.contact = pickContact(answer.json);
            return lookup.contact?.id ?? null;
          },
        },
      );
      if (result.outcome !== "sent") return result;
      return lookup.contact ?? finalResult("Intercom: no user or lead has this email address", null);
    }

    return {
      provider: "intercom",
      kind: "chat",
      honoursIdempotencyKey: false,
      async send(message, signal) {
        if (config.messageType === "email" && !message.content.subject?.trim()) {
          return finalResult("Intercom: an email message needs a subject and this message has none", null);
        }
        const address = message.recipient.address.trim();
        if (!address) return finalResult("Intercom: the recipient has no contact id or email", null);
        let to: IntercomRecipient;
        if (config.recipient === "email") {
          const contact = await findContact(address, signal);
          if ("outcome" in contact) return contact;
          to = contact;
        } else {
          to = { type: config.contactRole, id: address };
        }
        return httpSend(
          {
            url: `${config.baseUrl}${INTERCOM_MESSAGES_PATH}`,
            headers,
            body: JSON.stringify(intercomMessageBody(message, config, to)),
          },
          { ...options(signal, "Intercom"), messageId: (answer) => stringField(answer.json, "id") ?? null },
        );
      },
    };
  },
};
