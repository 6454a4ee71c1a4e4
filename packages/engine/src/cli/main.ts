#!/usr/bin/env node
import { PayloadError } from "@trackflow/carriers";
import { ApiError } from "./api-client.ts";
import { auditCommand, auditUsage } from "./audit-command.ts";
import { type CliIo, type ExitCode, processIo, UsageError, writeLine } from "./cli-io.ts";
import { deliveriesCommand } from "./deliveries-command.ts";
import { demoCommand, demoUsage } from "./demo-command.ts";
import { flowsCommand, flowsUsage } from "./flows-command.ts";
import { ingestCommand, ingestUsage } from "./ingest-command.ts";
import { normalizeCommand, normalizeUsage } from "./normalize-command.ts";
import { notificationsCommand } from "./notifications-command.ts";

/** One `trackflow <name>` command; host apps add theirs through `runCli`'s `extraCommands`. */
export interface CliCommand {
  usage: string;
  run(argv: string[], io: CliIo): Promise<ExitCode>;
}

const COMMANDS: Readonly<Record<string, CliCommand>> = {
  normalize: { usage: normalizeUsage, run: normalizeCommand },
  audit: { usage: auditUsage, run: auditCommand },
  ingest: { usage: ingestUsage, run: ingestCommand },
  demo: { usage: demoUsage, run: demoCommand },
  notifications: notificationsCommand,
  deliveries: deliveriesCommand,
  flows: { usage: flowsUsage, run: flowsCommand },
};

function usage(commands: Readonly<Record<string, CliCommand>>): string {
  return `usage: trackflow <command> [options]\n\n${Object.values(commands)
    .map((c) => c.usage)
    .join("\n\n")}`;
}

/**
 * Runs one CLI invocation; returns the exit code instead of exiting, for tests. `extraCommands`
 * are host apps' commands (apps/server adds `woo`), beside the engine's own.
 */
export async function runCli(
  argv: string[],
  io: CliIo = processIo,
  extraCommands: Readonly<Record<string, CliCommand>> = {},
): Promise<ExitCode> {
  const commands = { ...COMMANDS, ...extraCommands };
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    writeLine(name === undefined ? io.stderr : io.stdout, usage(commands));
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (command === undefined) {
    writeLine(io.stderr, `trackflow: unknown command ${JSON.stringify(name)}\n\n${usage(commands)}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION"
    ) {
      writeLine(io.stderr, `trackflow ${name}: ${(error as Error).message}\n\n${command.usage}`);
      return 2;
    }
    if (error instanceof ApiError) {
      writeLine(io.stderr, `trackflow ${name}: ${error.message}`);
      return 1;
    }
    if (error instanceof PayloadError) {
      writeLine(io.stderr, error.message);
      return 2;
    }
    if ((error as { code?: string }).code === "ENOENT") {
      writeLine(io.stderr, `trackflow ${name}: ${(error as Error).message}`);
      return 2;
    }
    writeLine(io.stderr, `trackflow ${name}: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}

if (import.meta.main) {
  process.exitCode = await runCli(process.argv.slice(2));
}
