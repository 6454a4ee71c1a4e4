import { isRecord } from "../../provider-answer.ts";
import type { LoopbackReply, LoopbackServer } from "../../testing/loopback-server.ts";

export interface FakeSlackWebhook {
  /** the URL to configure: the loopback server's origin and the webhook path */
  webhookUrl: string;
  /** the JSON bodies posted */
  posted: Array<Record<string, unknown>>;
}

function plain(status: number, text: string): LoopbackReply {
  return { status, headers: { "Content-Type": "text/html" }, body: text };
}

/**
 * A Slack incoming webhook on a loopback server, as documented: POST JSON to the webhook URL;
 * HTTP 200 with the plain-text `ok`; 400 `invalid_payload` (body not JSON) or
 * `missing_text_or_fallback_or_attachments`; 404 `no_service` for an unknown or removed hook;
 * 410 `channel_is_archived` when the channel was archived.
 */
export function fakeSlackWebhook(
  server: LoopbackServer,
  options: { path?: string; archived?: boolean } = {},
): FakeSlackWebhook {
  const path = options.path ?? "/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";
  const fake: FakeSlackWebhook = { webhookUrl: `${server.url}${path}`, posted: [] };
  server.route("POST", "/services/:team/:hook/:token", (request) => {
    if (request.path !== path) return plain(404, "no_service");
    if (!(request.headers["content-type"] ?? "").startsWith("application/json"))
      return plain(400, "invalid_payload");
    const body = request.json;
    if (!isRecord(body)) return plain(400, "invalid_payload");
    if (body.blocks !== undefined && !Array.isArray(body.blocks)) return plain(400, "invalid_blocks");
    if ((typeof body.text !== "string" || body.text === "") && !Array.isArray(body.blocks)) {
      return plain(400, "missing_text_or_fallback_or_attachments");
    }
    if (options.archived) return plain(410, "channel_is_archived");
    fake.posted.push(body);
    return plain(200, "ok");
  });
  return fake;
}
