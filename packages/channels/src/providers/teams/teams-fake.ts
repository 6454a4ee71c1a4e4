import { isRecord } from "../../provider-answer.ts";
import type { LoopbackReply, LoopbackRequest, LoopbackServer } from "../../testing/loopback-server.ts";
import { ADAPTIVE_CARD_CONTENT_TYPE, TEAMS_MESSAGE_LIMIT_BYTES } from "./teams-provider.ts";

export interface FakeTeamsWebhook {
  /** the URL to configure: the loopback server's origin, the webhook path and (Workflows) its signed query */
  webhookUrl: string;
  /** the Adaptive Cards posted to the channel, in order */
  cards: Array<Record<string, unknown>>;
}

/** What is wrong with a Teams message envelope, or null when it is a `message` with one Adaptive Card. */
function envelopeProblem(body: unknown): string | null {
  if (!isRecord(body)) return "the body is not a JSON object";
  if (body.type !== "message") return "type must be 'message'";
  const attachments = body.attachments;
  if (!Array.isArray(attachments) || attachments.length === 0) return "attachments must be a non-empty array";
  for (const attachment of attachments) {
    if (!isRecord(attachment) || attachment.contentType !== ADAPTIVE_CARD_CONTENT_TYPE) {
      return `attachments[].contentType must be '${ADAPTIVE_CARD_CONTENT_TYPE}'`;
    }
    const card = attachment.content;
    if (!isRecord(card) || card.type !== "AdaptiveCard")
      return "attachments[].content.type must be 'AdaptiveCard'";
    if (typeof card.version !== "string") return "attachments[].content.version is required";
    if (card.body !== undefined && !Array.isArray(card.body))
      return "attachments[].content.body must be an array";
    if (card.actions !== undefined && !Array.isArray(card.actions)) {
      return "attachments[].content.actions must be an array";
    }
  }
  return null;
}

function cardsOf(body: unknown): Array<Record<string, unknown>> {
  const attachments = isRecord(body) && Array.isArray(body.attachments) ? body.attachments : [];
  return attachments.flatMap((attachment) =>
    isRecord(attachment) && isRecord(attachment.content) ? [attachment.content] : [],
  );
}

function isJson(request: LoopbackRequest): boolean {
  return (request.headers["content-type"] ?? "").toLowerCase().startsWith("application/json");
}

function workflowError(status: number, code: string, message: string): LoopbackReply {
  return { status, body: { error: { code, message } } };
}

/**
 * A Teams Workflows webhook ("When a Teams webhook request is received") on a loopback server:
 * `POST /powerautomate/automations/direct/workflows/{id}/triggers/manual/paths/invoke` with the
 * `api-version`, `sp`, `sv` and `sig` query of the copied URL. A missing signature is 401
 * `DirectApiAuthorizationRequired`, a wrong one 401 `DirectApiInvalidAuthorizationSignature`, an
 * unknown workflow 404 `WorkflowNotFound`, a body that is not JSON or not a `message` with
 * Adaptive Card attachments 400 `TriggerInputSchemaMismatch` (the template flow's schema);
 * accepted posts are answered 202 with no body.
 */
export function fakeTeamsWorkflow(
  server: LoopbackServer,
  options: { workflowId?: string; signature?: string } = {},
): FakeTeamsWebhook {
  const workflowId = options.workflowId ?? "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  const signature = options.signature ?? "Sig-0123456789abcdefABCDEF_secret";
  const path = `/powerautomate/automations/direct/workflows/${workflowId}/triggers/manual/paths/invoke`;
  const query = new URLSearchParams({
    "api-version": "1",
    sp: "/triggers/manual/run",
    sv: "1.0",
    sig: signature,
  });
  const fake: FakeTeamsWebhook = { webhookUrl: `${server.url}${path}?${query}`, cards: [] };
  server.route(
    "POST",
    "/powerautomate/automations/direct/workflows/:workflowId/triggers/manual/paths/invoke",
    (request) => {
      if (!request.query.sig) {
        return workflowError(
          401,
          "DirectApiAuthorizationRequired",
          "The request must be authenticated only by Shared Access scheme.",
        );
      }
      if (request.query.sig !== signature) {
        return workflowError(
          401,
          "DirectApiInvalidAuthorizationSignature",
          "The provided authentication token is not valid.",
        );
      }
      if (request.params.workflowId !== workflowId) {
        return workflowError(
          404,
          "WorkflowNotFound",
          `The workflow '${request.params.workflowId}' could not be found.`,
        );
      }
      if (!isJson(request) || request.json === undefined) {
        return workflowError(
          400,
          "TriggerInputSchemaMismatch",
          "The input body for trigger 'manual' of type 'Request' must be of type JSON, but was of type 'application/octet-stream'.",
        );
      }
      const problem = envelopeProblem(request.json);
      if (problem !== null) {
        return workflowError(
          400,
          "TriggerInputSchemaMismatch",
          `The input body for trigger 'manual' of type 'Request' did not match its schema definition: ${problem}`,
        );
      }
      fake.cards.push(...cardsOf(request.json));
      return { status: 202 };
    },
  );
  return fake;
}

function plain(status: number, text: string): LoopbackReply {
  return { status, headers: { "Content-Type": "text/plain; charset=utf-8" }, body: text };
}

/** How a connector reports Teams' refusal: in the body, under HTTP 200. */
export function teamsDeliveryFailedText(status: number): string {
  return `Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error ${status} with ContextId tcid=0,server=msgapi-production-fake,cv=AAAAAAAAAAAAAAAAAAAAAA.0..`;
}

/**
 * A legacy Office 365 connector incoming webhook on a loopback server:
 * `POST /webhookb2/{group}@{tenant}/IncomingWebhook/{id}/{owner}/{key}`. Answers 200 with the
 * text `1` when posted; 400 "Bad payload received by generic incoming webhook." for a body that
 * is not JSON; 410 when the webhook was removed (`removed`), 404 for an unknown path; and, as
 * Teams does behind the connector, HTTP 200 with "Webhook message delivery failed with error:
 * Microsoft Teams endpoint returned HTTP error 400 …" for a card Teams rejects and "… 413 …" for a
 * message over 28 KB.
 */
export function fakeTeamsIncomingWebhook(
  server: LoopbackServer,
  options: { path?: string; removed?: boolean } = {},
): FakeTeamsWebhook {
  const path =
    options.path ??
    "/webhookb2/11111111-2222-3333-4444-555555555555@66666666-7777-8888-9999-000000000000/IncomingWebhook/0123456789abcdef0123456789abcdef/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/V2secretKEY0123456789";
  const fake: FakeTeamsWebhook = { webhookUrl: `${server.url}${path}`, cards: [] };
  server.route("POST", "/webhookb2/:group/IncomingWebhook/:hook/:owner/:key", (request) => {
    if (request.path !== path) return plain(404, "Invalid webhook URL");
    if (options.removed) return plain(410, "");
    if (!isJson(request) || request.json === undefined) {
      return plain(400, "Bad payload received by generic incoming webhook.");
    }
    if (request.rawBody.length > TEAMS_MESSAGE_LIMIT_BYTES) return plain(200, teamsDeliveryFailedText(413));
    if (envelopeProblem(request.json) !== null) return plain(200, teamsDeliveryFailedText(400));
    fake.cards.push(...cardsOf(request.json));
    return plain(200, "1");
  });
  return fake;
}
