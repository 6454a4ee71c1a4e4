import { isRecord } from "../../provider-answer.ts";
import type { LoopbackReply, LoopbackServer } from "../../testing/loopback-server.ts";
import { bearerToken } from "../../testing/request-credentials.ts";
import {
  graphErrorReply,
  graphInvalidTokenReply,
  graphUnknownNodeReply,
  graphUnknownVersionReply,
} from "./graph-api-fake.ts";

export interface FakeWhatsapp {
  /** the JSON bodies the Cloud API accepted, with the wamid it gave each */
  sent: Array<{ id: string; body: Record<string, unknown> }>;
}

export interface FakeWhatsappOptions {
  accessToken: string;
  phoneNumberId: string;
  /** the approved templates: name, language and how many body parameters ({{1}}…) each has */
  templates: ReadonlyArray<{ name: string; language: string; bodyParameters: number }>;
  /** numbers that wrote within the last 24 hours: only they get free-form (non-template) messages */
  inServiceWindow?: readonly string[];
  /** numbers WhatsApp cannot deliver to (error 131026) */
  undeliverable?: readonly string[];
}

const invalidParameter = (details: string) =>
  graphErrorReply(400, { code: 100, message: "(#100) Invalid parameter", details });

/** The error the Cloud API answers to an invalid template object, or null when it is valid. */
function templateError(template: unknown, options: FakeWhatsappOptions): LoopbackReply | null {
  if (!isRecord(template) || typeof template.name !== "string") {
    return invalidParameter("The parameter template['name'] is required.");
  }
  const language = isRecord(template.language) ? template.language.code : undefined;
  if (typeof language !== "string") {
    return invalidParameter("The parameter template['language']['code'] is required.");
  }
  const approved = options.templates.find((t) => t.name === template.name && t.language === language);
  if (approved === undefined) {
    return graphErrorReply(404, {
      code: 132001,
      message: "(#132001) Template name does not exist in the translation",
      details: `template name (${template.name}) does not exist in ${language}`,
    });
  }
  const components = template.components ?? [];
  if (!Array.isArray(components))
    return invalidParameter("The parameter template['components'] must be an array.");
  const body = components.find((component) => isRecord(component) && component.type === "body");
  const parameters: unknown[] = isRecord(body) && Array.isArray(body.parameters) ? body.parameters : [];
  if (parameters.length !== approved.bodyParameters) {
    return graphErrorReply(400, {
      code: 132000,
      message: "(#132000) Number of parameters does not match the expected number of params",
      details: `body: number of localizable_params (${parameters.length}) does not match the expected number of params (${approved.bodyParameters})`,
    });
  }
  for (const parameter of parameters) {
    if (
      !isRecord(parameter) ||
      parameter.type !== "text" ||
      typeof parameter.text !== "string" ||
      parameter.text === ""
    ) {
      return invalidParameter("Parameter of type text is missing text value");
    }
    if (/[\n\t]/.test(parameter.text) || / {5,}/.test(parameter.text)) {
      return invalidParameter(
        "Param text cannot have new-line/tab characters or more than 4 consecutive spaces",
      );
    }
  }
  return null;
}

/**
 * The WhatsApp Business Cloud API's send-message endpoint on a loopback server, as documented:
 * `POST /{version}/{phone-number-id}/messages`, `Authorization: Bearer <token>` (401, code
 * 190, otherwise), a JSON body with messaging_product "whatsapp", `to` and a `template` that
 * must be approved in that language (404, 132001) with the right number of body parameters
 * (400, 132000) free of new lines; free-form `text` only to numbers in the 24-hour window
 * (400, 131047). 200 with `{"messaging_product","contacts","messages":[{"id"}]}`. No
 * idempotency: the same body twice makes two messages.
 */
export function fakeWhatsapp(server: LoopbackServer, options: FakeWhatsappOptions): FakeWhatsapp {
  const fake: FakeWhatsapp = { sent: [] };
  server.route("POST", "/:version/:phoneNumberId/messages", (request) => {
    const unknownVersion = graphUnknownVersionReply(request);
    if (unknownVersion !== null) return unknownVersion;
    if (bearerToken(request) !== options.accessToken) return graphInvalidTokenReply();
    if (request.params.phoneNumberId !== options.phoneNumberId) {
      return graphUnknownNodeReply(request.params.phoneNumberId ?? "");
    }
    if (!(request.headers["content-type"] ?? "").startsWith("application/json") || !isRecord(request.json)) {
      return invalidParameter("The request body must be JSON.");
    }
    const body = request.json;
    if (body.messaging_product !== "whatsapp") {
      return invalidParameter("The parameter messaging_product is required.");
    }
    const to = body.to;
    if (typeof to !== "string" || !/^\d{8,15}$/.test(to)) {
      return graphErrorReply(400, {
        code: 131009,
        message: "(#131009) Parameter value is not valid",
        details: "Recipient phone number not in allowed format",
      });
    }
    if (typeof body.biz_opaque_callback_data === "string" && body.biz_opaque_callback_data.length > 512) {
      return invalidParameter("biz_opaque_callback_data is limited to 512 characters");
    }
    if (body.type === "template") {
      const error = templateError(body.template, options);
      if (error !== null) return error;
    } else if (body.type === "text") {
      const text = isRecord(body.text) ? body.text.body : undefined;
      if (typeof text !== "string" || text === "")
        return invalidParameter("The parameter text['body'] is required.");
      if (text.length > 4096) return invalidParameter("text['body'] is limited to 4096 characters");
      if (!options.inServiceWindow?.includes(to)) {
        return graphErrorReply(400, {
          code: 131047,
          message: "(#131047) Re-engagement message",
          details:
            "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
        });
      }
    } else {
      return graphErrorReply(400, {
        code: 131051,
        message: "(#131051) Unsupported message type",
        details: `type ${String(body.type)} is not supported`,
      });
    }
    if (options.undeliverable?.includes(to)) {
      return graphErrorReply(400, {
        code: 131026,
        message: "(#131026) Message undeliverable",
        details: "Unable to deliver message. The recipient may not be a WhatsApp user.",
      });
    }
    const id = `wamid.HBgL${to}FQIAERgS${String(fake.sent.length + 1).padStart(16, "0")}`;
    fake.sent.push({ id, body });
    return {
      status: 200,
      body: {
        messaging_product: "whatsapp",
        contacts: [{ input: to, wa_id: to }],
        messages: [{ id, ...(body.type === "template" ? { message_status: "accepted" } : {}) }],
      },
    };
  });
  return fake;
}
