import { parseArgs } from "node:util";
import { apiClient } from "./api-client.ts";
import { type CliIo, type ExitCode, UsageError, writeLine } from "./cli-io.ts";

export const notificationsUsage = `trackflow notifications dead [--url URL] [--key KEY]
trackflow notifications replay (ID… | --all-dead) [--url URL] [--key KEY]
  Lists the dead letters of a running server, or sends dead or failed notifications again with
  their original idempotency keys (a provider that accepted one before does not deliver it twice).`;

interface Listed {
  id: string;
  channel: string;
  status: string;
  attempts: number;
  lastError: string | null;
  recipient: { address: string };
  createdAt: string;
}

export async function notificationsCommand(argv: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      url: { type: "string" },
      key: { type: "string" },
      "all-dead": { type: "boolean", default: false },
    },
    allowPositionals: true,
  });
  const [action, ...ids] = positionals;
  const client = apiClient(values);
  const dead = async () =>
    (await client.request<{ notifications: Listed[] }>("GET", "/api/notifications?status=dead&limit=1000"))
      .body.notifications;

  if (action === "dead") {
    for (const n of await dead()) {
      writeLine(
        io.stdout,
        JSON.stringify({
          id: n.id,
          channel: n.channel,
          attempts: n.attempts,
          lastError: n.lastError,
          createdAt: n.createdAt,
        }),
      );
    }
    return 0;
  }
  if (action !== "replay") throw new UsageError("an action is required: dead or replay");
  const targets = values["all-dead"] ? (await dead()).map((n) => n.id) : ids;
  if (targets.length === 0)
    throw new UsageError(
      values["all-dead"] ? "there are no dead letters" : "give notification ids, or --all-dead",
    );
  let failed = 0;
  for (const id of targets) {
    const res = await client.request<{ error?: string }>(
      "POST",
      `/api/notifications/${encodeURIComponent(id)}/replay`,
    );
    if (res.status === 200) writeLine(io.stdout, `${id}: replayed`);
    else {
      failed++;
      writeLine(io.stderr, `${id}: ${res.status} ${res.body.error ?? ""}`);
    }
  }
  return failed > 0 ? 1 : 0;
}
