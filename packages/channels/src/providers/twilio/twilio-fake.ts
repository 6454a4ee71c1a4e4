import type { LoopbackReply, LoopbackServer } from "../../testing/loopback-server.ts";
import { basicCredentials } from "../../testing/request-credentials.ts";

export interface FakeTwilio {
  /** the form fields of every message Twilio created, with the sid it gave each */
  created: Array<{ sid: string; form: Record<string, string> }>;
}

function twilioError(status: number, code: number, message: string): LoopbackReply {
  return {
    status,
    body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  };
}

const E164 = /^\+[1-9]\d{1,14}$/;

/**
 * Twilio's Create Message on a loopback server, as documented:
 * `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP Basic with AccountSid:AuthToken
 * or an API key SID:secret (401, error 20003, otherwise), form-encoded To, From or
 * MessagingServiceSid, Body; 201 with the Message resource, errors as
 * `{"code","message","more_info","status"}`.
 */
export function fakeTwilio(
  server: LoopbackServer,
  options: { accountSid: string; authToken?: string; apiKey?: { sid: string; secret: string } },
): FakeTwilio {
  const fake: FakeTwilio = { created: [] };
  server.route("POST", "/2010-04-01/Accounts/:accountSid/Messages.json", (request) => {
    const credentials = basicCredentials(request);
    const byToken =
      options.authToken !== undefined &&
      credentials?.user === options.accountSid &&
      credentials.password === options.authToken;
    const byKey =
      options.apiKey !== undefined &&
      credentials?.user === options.apiKey.sid &&
      credentials.password === options.apiKey.secret;
    if (!byToken && !byKey) return twilioError(401, 20003, "Authenticate");
    if (request.params.accountSid !== options.accountSid) {
      return twilioError(404, 20404, `The requested resource ${request.path} was not found`);
    }
    const form = request.form;
    if (form === undefined)
      return twilioError(400, 20001, "Content-Type must be application/x-www-form-urlencoded");
    if (!form.To) return twilioError(400, 21604, "A 'To' phone number is required.");
    if (!E164.test(form.To))
      return twilioError(400, 21211, `Invalid 'To' Phone Number: ${form.To.slice(0, 4)}XXXX`);
    if (!form.From && !form.MessagingServiceSid)
      return twilioError(
        400,
        21603,
        "A 'From' or 'MessagingServiceSid' parameter is required to send a message",
      );
    if (!form.Body && !form.MediaUrl && !form.ContentSid)
      return twilioError(400, 21602, "Message body is required.");
    if (form.Body && form.Body.length > 1600)
      return twilioError(400, 21617, "The concatenated message body exceeds the 1600 character limit.");
    const sid = `SM${String(fake.created.length + 1).padStart(32, "0")}`;
    fake.created.push({ sid, form });
    return {
      status: 201,
      body: {
        account_sid: options.accountSid,
        api_version: "2010-04-01",
        body: form.Body,
        date_created: "Mon, 10 Mar 2025 12:00:00 +0000",
        date_sent: null,
        date_updated: "Mon, 10 Mar 2025 12:00:00 +0000",
        direction: "outbound-api",
        error_code: null,
        error_message: null,
        from: form.From ?? null,
        messaging_service_sid: form.MessagingServiceSid ?? null,
        num_media: "0",
        num_segments: "1",
        price: null,
        price_unit: null,
        sid,
        status: form.MessagingServiceSid ? "accepted" : "queued",
        subresource_uris: { media: `/2010-04-01/Accounts/${options.accountSid}/Messages/${sid}/Media.json` },
        to: form.To,
        uri: `/2010-04-01/Accounts/${options.accountSid}/Messages/${sid}.json`,
      },
    };
  });
  return fake;
}
