import { isRecord } from "../../provider-answer.ts";
import type { LoopbackReply, LoopbackServer } from "../../testing/loopback-server.ts";
import { bearerToken } from "../../testing/request-credentials.ts";
import { SLACK_POST_MESSAGE_PATH } from "./slack-provider.ts";

export interface FakeSlack {
  /** the JSON bodies chat.postMessage posted, with the ts it gave each */
  posted: Array<{ ts: string; body: Record<string, unknown> }>;
}

function slackFailure(error: string, extra: Record<string, unknown> = {}): LoopbackReply {
  return { status: 200, body: { ok: false, error, ...extra } };
}

/**
 * Slack's chat.postMessage on a loopback server, as documented: `POST /api/chat.postMessage`,
 * `Authorization: Bearer <bot token>` (HTTP 200 `not_authed` / `invalid_auth` otherwise), a
 * JSON body with `channel` and `text` or `blocks`; HTTP 200 `{"ok":true,"channel","ts","message"}`
 * or `{"ok":false,"error"}`.
 */
export function fakeSlack(
  server: LoopbackServer,
  options: {
    botToken: string;
    channels: readonly string[];
    notInChannel?: readonly string[];
    archived?: readonly string[];
  },
): FakeSlack {
  const fake: FakeSlack = { posted: [] };
  server.route("POST", SLACK_POST_MESSAGE_PATH, (request) => {
    const token = bearerToken(request);
    if (token === null) return slackFailure("not_authed");
    if (token !== options.botToken) return slackFailure("invalid_auth");
    if (!(request.headers["content-type"] ?? "").startsWith("application/json")) {
      return slackFailure("invalid_arguments");
    }
    const body = request.json;
    if (!isRecord(body)) return slackFailure("invalid_json");
    const channel = body.channel;
    if (typeof channel !== "string" || channel === "") return slackFailure("channel_not_found");
    if (!options.channels.includes(channel)) return slackFailure("channel_not_found");
    if (options.archived?.includes(channel)) return slackFailure("is_archived");
    if (options.notInChannel?.includes(channel)) return slackFailure("not_in_channel");
    if (body.blocks !== undefined && !Array.isArray(body.blocks)) return slackFailure("invalid_blocks");
    const text = typeof body.text === "string" ? body.text : "";
    if (text === "" && !Array.isArray(body.blocks)) return slackFailure("no_text");
    if (text.length > 40_000) return slackFailure("msg_too_long");
    const ts = `1741608000.${String(fake.posted.length + 1).padStart(6, "0")}`;
    fake.posted.push({ ts, body });
    return {
      status: 200,
      body: { ok: true, channel, ts, message: { type: "message", subtype: "bot_message", text, ts } },
    };
  });
  return fake;
}
