import { googleAuthFailure, googleErrorReply } from "../../oauth/google-api-fake.ts";
import type { FakeTokenEndpoint } from "../../oauth/token-endpoint-fake.ts";
import { isRecord } from "../../provider-answer.ts";
import type { LoopbackServer } from "../../testing/loopback-server.ts";
import { type MimeMessageFields, readMimeMessage } from "../../testing/mime-message.ts";
import { GMAIL_SEND_SCOPE } from "./gmail-provider.ts";

/** Scopes that allow users.messages.send (any one). */
const SEND_SCOPES = [
  GMAIL_SEND_SCOPE,
  "https://www.googleapis.com/auth/gmail.compose",
  "https://www.googleapis.com/auth/gmail.modify",
  "https://mail.google.com/",
];

/** A message Gmail accepted, as it arrived and as postal-mime reads it. */
export interface GmailSentMessage extends MimeMessageFields {
  id: string;
  threadId: string;
  userId: string;
  /** the decoded RFC 822 text */
  raw: string;
  /** the `raw` field as sent */
  rawField: string;
}

export interface FakeGmail {
  sent: GmailSentMessage[];
}

const INVALID = "invalidArgument";

/**
 * Gmail API users.messages.send on a loopback server, as documented:
 * `POST /gmail/v1/users/{userId}/messages/send` with a Bearer token from the fake token endpoint
 * carrying a send scope (401 `authError` when missing, unknown or expired, 403
 * `insufficientPermissions` without the scope); `userId` "me" or the mailbox's address (403
 * "Delegation denied" otherwise); a JSON body with `raw`, base64url RFC 822 (400
 * `invalidArgument` when missing or undecodable), with a From and at least one valid To (400
 * "Recipient address required" / "Invalid To header"). 200 `{"id","threadId","labelIds":["SENT"]}`.
 */
export function fakeGmail(
  server: LoopbackServer,
  options: { tokens: FakeTokenEndpoint; mailbox: string },
): FakeGmail {
  const fake: FakeGmail = { sent: [] };
  server.route("POST", "/gmail/v1/users/:userId/messages/send", async (request) => {
    const authFailure = googleAuthFailure(request, options.tokens, SEND_SCOPES);
    if (authFailure !== null) return authFailure;
    const userId = request.params.userId ?? "";
    if (userId !== "me" && userId.toLowerCase() !== options.mailbox.toLowerCase()) {
      return googleErrorReply(403, `Delegation denied for ${options.mailbox}`, { reason: "forbidden" });
    }
    if (!(request.headers["content-type"] ?? "").startsWith("application/json") || !isRecord(request.json)) {
      return googleErrorReply(400, "Invalid JSON payload received.", { reason: INVALID });
    }
    const rawField = request.json.raw;
    if (typeof rawField !== "string" || rawField === "") {
      return googleErrorReply(
        400,
        "'raw' RFC822 payload message string or uploading message via /upload/* URL required",
        { reason: INVALID },
      );
    }
    // Proto3 JSON bytes: base64url or base64, padding optional.
    if (!/^[A-Za-z0-9_\-+/]+={0,2}$/.test(rawField)) {
      return googleErrorReply(400, "Invalid value at 'message.raw' (TYPE_BYTES), Base64 decoding failed", {
        reason: INVALID,
      });
    }
    const raw = Buffer.from(rawField.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8");
    const mail = await readMimeMessage(raw);
    const { to } = mail;
    if (to.length === 0) return googleErrorReply(400, "Recipient address required", { reason: INVALID });
    if (to.some((recipient) => !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(recipient.address))) {
      return googleErrorReply(400, "Invalid To header", { reason: INVALID });
    }
    const id = (0x195805a0c00n + BigInt(fake.sent.length + 1)).toString(16);
    fake.sent.push({ id, threadId: id, userId, raw, rawField, ...mail });
    return { status: 200, body: { id, threadId: id, labelIds: ["SENT"] } };
  });
  return fake;
}
