import { isRecord } from "../../provider-answer.ts";
import type { LoopbackReply, LoopbackServer } from "../../testing/loopback-server.ts";
import { headerValue } from "../../testing/request-credentials.ts";
import { MESSAGEBIRD_MESSAGES_PATH } from "./messagebird-provider.ts";

export interface FakeMessagebird {
  /** the JSON bodies MessageBird accepted, with the id it gave each */
  created: Array<{ id: string; body: Record<string, unknown> }>;
}

function messagebirdError(status: number, code: number, description: string, parameter: string | null) {
  return { status, body: { errors: [{ code, description, parameter }] } } satisfies LoopbackReply;
}

const ORIGINATOR = /^(\+?\d{1,17}|[A-Za-z0-9 ]{1,11})$/;
const MSISDN = /^\d{7,15}$/;

/** The error MessageBird answers to an invalid Create Message body, or null when it is valid. */
function messageError(body: Record<string, unknown>): LoopbackReply | null {
  const { originator, recipients, body: text, datacoding, reference } = body;
  if (typeof originator !== "string" || originator === "") {
    return messagebirdError(422, 9, "originator is required", "originator");
  }
  if (!ORIGINATOR.test(originator)) return messagebirdError(422, 10, "originator is invalid", "originator");
  if (
    !Array.isArray(recipients) ||
    recipients.length === 0 ||
    !recipients.every((recipient) => MSISDN.test(String(recipient)))
  ) {
    return messagebirdError(422, 9, "no (correct) recipients found", "recipients");
  }
  if (typeof text !== "string" || text === "") return messagebirdError(422, 9, "body is required", "body");
  if (datacoding !== undefined && !["plain", "unicode", "auto"].includes(String(datacoding))) {
    return messagebirdError(422, 10, "datacoding is invalid", "datacoding");
  }
  if (reference !== undefined && reference !== null && typeof reference !== "string") {
    return messagebirdError(422, 10, "reference is invalid", "reference");
  }
  return null;
}

/**
 * MessageBird's Create Message on a loopback server, as documented: `POST /messages`,
 * `Authorization: AccessKey <key>` (401 with error 2 "Request not allowed (incorrect
 * access_key)" otherwise), a JSON body with originator, recipients and body (422 with error 9
 * or 10 naming the parameter otherwise), error 25 when the balance is spent; 201 with the
 * Message object. No idempotency: the same body twice makes two messages.
 */
export function fakeMessagebird(
  server: LoopbackServer,
  options: {
    accessKey: string /** messages the balance pays for; unlimited when absent */;
    balance?: number;
  },
): FakeMessagebird {
  const fake: FakeMessagebird = { created: [] };
  server.route("POST", MESSAGEBIRD_MESSAGES_PATH, (request) => {
    if (headerValue(request, "authorization") !== `AccessKey ${options.accessKey}`) {
      return messagebirdError(401, 2, "Request not allowed (incorrect access_key)", "access_key");
    }
    if (!(request.headers["content-type"] ?? "").startsWith("application/json") || !isRecord(request.json)) {
      return messagebirdError(422, 21, "Bad request (the body is not JSON)", null);
    }
    const body = request.json;
    const error = messageError(body);
    if (error !== null) return error;
    if (options.balance !== undefined && fake.created.length >= options.balance) {
      return messagebirdError(422, 25, "Not enough balance", null);
    }
    const id = `${String(fake.created.length + 1).padStart(32, "0")}`;
    fake.created.push({ id, body });
    const recipients = (body.recipients as unknown[]).map((recipient) => Number(recipient));
    return {
      status: 201,
      body: {
        id,
        href: `https://rest.messagebird.com/messages/${id}`,
        direction: "mt",
        type: "sms",
        originator: body.originator,
        body: body.body,
        reference: body.reference ?? null,
        validity: null,
        gateway: 10,
        typeDetails: {},
        datacoding: body.datacoding === "unicode" ? "unicode" : "plain",
        mclass: 1,
        scheduledDatetime: null,
        createdDatetime: "2025-03-10T12:00:00+00:00",
        recipients: {
          totalCount: recipients.length,
          totalSentCount: recipients.length,
          totalDeliveredCount: 0,
          totalDeliveryFailedCount: 0,
          items: recipients.map((recipient) => ({
            recipient,
            status: "sent",
            statusDatetime: "2025-03-10T12:00:00+00:00",
            messagePartCount: 1,
          })),
        },
      },
    };
  });
  return fake;
}
