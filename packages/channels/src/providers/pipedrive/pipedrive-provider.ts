import { z } from "zod";
import type { OutboundMessage, ProviderDeps, ProviderFactory, SendResult } from "../../channel-provider.ts";
import { credentialField, httpUrlField, timeoutMsField } from "../../config-fields.ts";
import { type HttpSendOptions, httpSend } from "../../http-send.ts";
import { isRecord, type ProviderAnswer, stringField } from "../../provider-answer.ts";
import { parseRetryAfter } from "../../retry-after.ts";
import { finalResult, withFinalHint } from "../../send-result.ts";

/** Pipedrive's generic API host; a company's own `https://<company>.pipedrive.com` is preferred. */
export const PIPEDRIVE_API_URL = "https://api.pipedrive.com";
/** API v2 person search (the v1 `/v1/persons/search` is deprecated in its favour). */
export const PIPEDRIVE_PERSON_SEARCH_PATH = "/api/v2/persons/search";
/** API v2 Add a person. */
export const PIPEDRIVE_PERSONS_PATH = "/api/v2/persons";
/** Notes have no v2 equivalent: Add a note is `POST /api/v1/notes`. */
export const PIPEDRIVE_NOTES_PATH = "/api/v1/notes";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const pipedriveConfigSchema = z
  .object({
    /** a user's personal API token, sent in the `x-api-token` header (never as `api_token` in the URL) */
    apiToken: credentialField("apiToken"),
    /** the company domain, "acme" for https://acme.pipedrive.com */
    companyDomain: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/i, "companyDomain is the <company> of https://<company>.pipedrive.com")
      .optional(),
    /**
     * The API origin, when not the company domain: a loopback server in tests. Without either,
     * Pipedrive's generic host https://api.pipedrive.com.
     */
    baseUrl: httpUrlField.optional(),
    /** add the person (named after the recipient) when no person has the recipient's email address */
    createMissingPerson: z.boolean().default(false),
    /** pin the note to the top of the person's timeline */
    pinToPerson: z.boolean().default(false),
    timeoutMs: timeoutMsField,
  })
  .transform(({ baseUrl, companyDomain, ...rest }) => ({
    ...rest,
    baseUrl: baseUrl ?? (companyDomain ? `https://${companyDomain}.pipedrive.com` : PIPEDRIVE_API_URL),
  }));

export type PipedriveConfig = z.output<typeof pipedriveConfigSchema>;

function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** The note's HTML: the subject in bold, then the HTML part, or the text with its line breaks kept. */
export function pipedriveNoteContent(message: OutboundMessage): string {
  const { subject, text, html } = message.content;
  const body = html?.trim() ? html : `<p>${escapeHtml(text).replaceAll(/\r?\n/g, "<br>")}</p>`;
  return subject?.trim() ? `<p><b>${escapeHtml(subject.trim())}</b></p>${body}` : body;
}

/**
 * Pipedrive's errors: `{"success":false,"error","error_info"}` (v1) or with a `code` (v2); the
 * `error`, or the `error_info` when there is no `error`.
 */
export function pipedriveErrorMessage(answer: ProviderAnswer): string | undefined {
  return stringField(answer.json, "error") ?? stringField(answer.json, "error_info");
}

function classifyPipedrive(_answer: ProviderAnswer, standard: SendResult): SendResult {
  return withFinalHint(standard, { 401: "check the API token" });
}

/** The id of `data.id` in a `{"success":true,"data":{…}}` answer, as a string. */
function dataId(answer: ProviderAnswer): string | null {
  const data = isRecord(answer.json) ? answer.json.data : undefined;
  const id = isRecord(data) ? data.id : undefined;
  return typeof id === "number" || (typeof id === "string" && id !== "") ? String(id) : null;
}

/** The id of the best match of a person search, or null when there is none. */
function firstPersonId(answer: ProviderAnswer): string | null {
  const data = isRecord(answer.json) ? answer.json.data : undefined;
  const items = isRecord(data) ? data.items : undefined;
  if (!Array.isArray(items)) return null;
  for (const entry of items) {
    const item = isRecord(entry) ? entry.item : undefined;
    if (isRecord(item) && (typeof item.id === "number" || typeof item.id === "string"))
      return String(item.id);
  }
  return null;
}

/** `httpSend` performs POSTs; a search is a GET, so its fetch is asked for one, without a body. */
function asGet(fetch: typeof globalThis.fetch): typeof globalThis.fetch {
  return (input, init) => fetch(input, { ...init, method: "GET", body: undefined });
}

/**
 * Pipedrive, a note on the person the recipient's email address belongs to: the person is found
 * with `GET /api/v2/persons/search?term=<email>&fields=email&exact_match=true` (or added with
 * `POST /api/v2/persons` when configured), then `POST /api/v1/notes` adds `{content (HTML),
 * person_id}`. Every call carries the API token in the `x-api-token` header. Answers are
 * `{"success":true,"data":{"id",…}}` or `{"success":false,"error",…}` with a 4xx; 429 says when to
 * come back in `Retry-After` or `x-ratelimit-reset` (seconds). Pipedrive takes no idempotency
 * key, so a resend after a lost answer adds the note twice.
 */
export const pipedriveProviderFactory: ProviderFactory<typeof pipedriveConfigSchema> = {
  provider: "pipedrive",
  kind: "ticket",
  configSchema: pipedriveConfigSchema,
  create(config, deps: ProviderDeps) {
    const headers = {
      "x-api-token": config.apiToken,
      "Content-Type": "application/json",
      Accept: "application/json",
    };
    const options = (step: string, signal: AbortSignal): HttpSendOptions => ({
      provider: `Pipedrive (${step})`,
      fetch: deps.fetch,
      now: deps.now,
      signal,
      timeoutMs: config.timeoutMs,
      messageId: dataId,
      errorMessage: pipedriveErrorMessage,
      rateLimitDelayMs: (answer, now) => parseRetryAfter(answer.headers.get("x-ratelimit-reset"), now),
      classify: classifyPipedrive,
    });

    async function findOrAddPerson(
      message: OutboundMessage,
      email: string,
      signal: AbortSignal,
    ): Promise<SendResult> {
      const query = new URLSearchParams({ term: email, fields: "email", exact_match: "true", limit: "1" });
      const found = await httpSend(
        {
          url: `${config.baseUrl}${PIPEDRIVE_PERSON_SEARCH_PATH}?${query}`,
          headers: { "x-api-token": config.apiToken, Accept: "application/json" },
          body: "",
        },
        { ...options("person search", signal), fetch: asGet(deps.fetch), messageId: firstPersonId },
      );
      if (found.outcome !== "sent" || found.providerMessageId !== null) return found;
      if (!config.createMissingPerson) {
        return finalResult(
          "Pipedrive: no person has the recipient's email address (add the person, or set createMissingPerson)",
          found.statusCode,
        );
      }
      const name = message.recipient.name?.trim() || email;
      return httpSend(
        {
          url: `${config.baseUrl}${PIPEDRIVE_PERSONS_PATH}`,
          headers,
          body: JSON.stringify({ name, emails: [{ value: email, primary: true, label: "work" }] }),
        },
        options("add person", signal),
      );
    }

    return {
      provider: "pipedrive",
      kind: "ticket",
      honoursIdempotencyKey: false,
      async send(message, signal) {
        const email = message.recipient.address.trim();
        if (!EMAIL.test(email)) {
          return finalResult("Pipedrive: the recipient must be the person's email address", null);
        }
        const person = await findOrAddPerson(message, email, signal);
        if (person.outcome !== "sent") return person;
        const personId = Number(person.providerMessageId);
        if (!Number.isSafeInteger(personId)) {
          return finalResult("Pipedrive: the person's id in the answer is not a number", person.statusCode);
        }
        return httpSend(
          {
            url: `${config.baseUrl}${PIPEDRIVE_NOTES_PATH}`,
            headers,
            body: JSON.stringify({
              content: pipedriveNoteContent(message),
              person_id: personId,
              ...(config.pinToPerson ? { pinned_to_person_flag: 1 } : {}),
            }),
          },
          options("add note", signal),
        );
      },
    };
  },
};
