import { parseArgs } from "node:util";
import { apiClient } from "./api-client.ts";
import { type CliIo, type ExitCode, UsageError, writeLine } from "./cli-io.ts";
import type { CliCommand } from "./main.ts";

/** What the server gave up on, and how the API lists and replays it. */
export interface DeadLetters<T extends { id: string }> {
  /** the command's name and the things it handles, plural ("notifications", "deliveries") */
  name: string;
  description: string;
  /** the API path listing the dead letters (up to 1,000), and the key of their array */
  listPath: string;
  listKey: string;
  /** the API path replaying one, given its id */
  replayPath: (id: string) => string;
  /** what a listed dead letter prints, as one JSON line */
  view: (item: T) => Record<string, unknown>;
}

/**
 * `trackflow <name> dead` lists a running server's dead letters, one JSON line each;
 * `trackflow <name> replay (ID… | --all-dead)` replays them, exiting 1 if any was refused.
 */
export function deadLetterCommand<T extends { id: string }>(letters: DeadLetters<T>): CliCommand {
  const usage = `trackflow ${letters.name} dead [--url URL] [--key KEY]
trackflow ${letters.name} replay (ID… | --all-dead) [--url URL] [--key KEY]
${letters.description}`;
  const run = async (argv: string[], io: CliIo): Promise<ExitCode> => {
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
      (await client.request<Record<string, T[]>>("GET", letters.listPath)).body[letters.listKey] ?? [];

    if (action === "dead") {
      for (const item of await dead()) writeLine(io.stdout, JSON.stringify(letters.view(item)));
      return 0;
    }
    if (action !== "replay") throw new UsageError("an action is required: dead or replay");
    const targets = values["all-dead"] ? (await dead()).map((item) => item.id) : ids;
    if (targets.length === 0)
      throw new UsageError(values["all-dead"] ? "there are no dead letters" : "give ids, or --all-dead");
    let failed = 0;
    for (const id of targets) {
      const res = await client.request<{ error?: string }>(
        "POST",
        letters.replayPath(encodeURIComponent(id)),
      );
      if (res.status === 200) writeLine(io.stdout, `${id}: replayed`);
      else {
        failed++;
        writeLine(io.stderr, `${id}: ${res.status} ${res.body.error ?? ""}`);
      }
    }
    return failed > 0 ? 1 : 0;
  };
  return { usage, run };
}
