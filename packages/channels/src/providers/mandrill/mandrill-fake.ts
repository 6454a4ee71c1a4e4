import { isRecord } from "../../provider-answer.ts";
import type { LoopbackReply, LoopbackRequest, LoopbackServer } from "../../testing/loopback-server.ts";
import { MANDRILL_SEND_PATH } from "./mandrill-provider.ts";

/** A recipient result of messages/send, as Mandrill answers it. */
export interface MandrillRecipientResult {
  email: string;
  status: "sent" | "queued" | "scheduled" | "rejected" | "invalid";
  reject_reason: string | null;
  _id: string;
}

export interface FakeMandrill {
  /** the message of every call Mandrill took, with its answer for each recipient */
  accepted: Array<{ message: Record<string, unknown>; results: MandrillRecipientResult[] }>;
  /** from now on this recipient is on the rejection list, answered `rejected` with this reason */
  rejectRecipient(email: string, reason?: string): void;
}

/** Mandrill's error answer: always HTTP 500 with `{"status":"error","code","name","message"}`. */
export function mandrillErrorReply(name: string, message: string, code = -1): LoopbackReply {
  return { status: 500, body: { status: "error", code, name, message } };
}

function validationError(detail: unknown): LoopbackReply {
  return mandrillErrorReply(
    "ValidationError",
    `Validation error: ${JSON.stringify({ message: detail })}`,
    -2,
  );
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The ValidationError Mandrill answers to an invalid message struct, or null when it is valid. */
function messageError(message: unknown): LoopbackReply | null {
  if (!isRecord(message)) return validationError("Please enter an array");
  const { from_email: fromEmail, to, headers, tags, metadata } = message;
  if (typeof fromEmail !== "string" || fromEmail.split("@").length !== 2) {
    return validationError({ from_email: "An email address must contain a single @" });
  }
  if (!Array.isArray(to) || to.length === 0) return validationError({ to: "Please enter an array" });
  for (const recipient of to) {
    if (!isRecord(recipient) || typeof recipient.email !== "string") {
      return validationError({ to: [{ email: "Please enter a string" }] });
    }
    if (recipient.type !== undefined && !["to", "cc", "bcc"].includes(String(recipient.type))) {
      return validationError({ to: [{ type: "Please select one of to, cc, bcc" }] });
    }
  }
  if (
    headers !== undefined &&
    (!isRecord(headers) || Object.values(headers).some((v) => typeof v !== "string"))
  ) {
    return validationError({ headers: "Please enter a struct of string values" });
  }
  if (tags !== undefined) {
    if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== "string")) {
      return validationError({ tags: "Please enter an array of strings" });
    }
    if (tags.some((tag: string) => tag.startsWith("_"))) {
      return validationError({ tags: "Tags starting with an underscore are reserved for internal use" });
    }
  }
  if (metadata !== undefined && !isRecord(metadata))
    return validationError({ metadata: "Please enter a struct" });
  return null;
}

/**
 * Mandrill's messages/send on a loopback server, as documented: `POST /api/1.0/messages/send`
 * (or `.json`), a JSON body with the API `key` (Invalid_Key otherwise) and a `message` struct with
 * a from_email and a `to` array (ValidationError otherwise), errors as HTTP 500
 * `{"status":"error","code","name","message"}`, an unknown subaccount as Unknown_Subaccount.
 * HTTP 200 answers one `{email,status,reject_reason,_id}` per recipient: `invalid` for a
 * malformed address, `rejected` for one on the rejection list (or "unsigned" when the sender's
 * domain is not verified), `sent` otherwise. Like Mandrill it takes a repeated message again.
 */
export function fakeMandrill(
  server: LoopbackServer,
  options: { apiKey: string; verifiedDomains?: string[]; subaccounts?: string[] },
): FakeMandrill {
  const rejected = new Map<string, string>();
  let ids = 0;
  const fake: FakeMandrill = {
    accepted: [],
    rejectRecipient(email, reason = "hard-bounce") {
      rejected.set(email.toLowerCase(), reason);
    },
  };
  const handler = (request: LoopbackRequest): LoopbackReply => {
    const body = request.json;
    if (!isRecord(body) || typeof body.key !== "string" || body.key === "") {
      return validationError("You must specify a key value");
    }
    if (body.key !== options.apiKey) return mandrillErrorReply("Invalid_Key", "Invalid API key", -1);
    const error = messageError(body.message);
    if (error !== null || !isRecord(body.message)) return error ?? validationError("Please enter an array");
    const message = body.message;
    const subaccount = message.subaccount;
    if (subaccount !== undefined && !(options.subaccounts ?? []).includes(String(subaccount))) {
      return mandrillErrorReply(
        "Unknown_Subaccount",
        `No subaccount exists with the id '${String(subaccount)}'`,
        12,
      );
    }
    const fromDomain = String(message.from_email).split("@")[1]?.toLowerCase() ?? "";
    const signed = options.verifiedDomains === undefined || options.verifiedDomains.includes(fromDomain);
    const scheduled = typeof body.send_at === "string" && body.send_at !== "";
    const results = (message.to as Array<{ email: string }>).map((recipient): MandrillRecipientResult => {
      ids++;
      const _id = ids.toString(16).padStart(32, "0");
      const email = recipient.email;
      if (!EMAIL.test(email)) return { email, status: "invalid", reject_reason: null, _id };
      const reason = signed ? rejected.get(email.toLowerCase()) : "unsigned";
      if (reason !== undefined) return { email, status: "rejected", reject_reason: reason, _id };
      return { email, status: scheduled ? "scheduled" : "sent", reject_reason: null, _id };
    });
    fake.accepted.push({ message, results });
    return { status: 200, body: results };
  };
  server.route("POST", MANDRILL_SEND_PATH, handler);
  server.route("POST", `${MANDRILL_SEND_PATH}.json`, handler);
  return fake;
}
