import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { parseArgs } from "node:util";
import { SOURCE_IDS } from "@trackflow/carriers";
import { ClockTimeSchema, isTimeZone } from "@trackflow/core";
import { parse as parseYaml } from "yaml";
import { DEFAULT_FLOWS } from "../notify/default-flows.ts";
import {
  type SimulatedMessage,
  SimulationInputError,
  type SimulationTimeline,
  simulateFlows,
} from "../notify/simulate-flows.ts";
import { NAMED_TIMELINE_NAMES } from "../notify/synthetic-timelines.ts";
import { type CliIo, type ExitCode, UsageError, writeLine } from "./cli-io.ts";

export const flowsUsage = `trackflow flows simulate [--flow FILE.yaml|FILE.json …] (--timeline FILE.json … | --named <${NAMED_TIMELINE_NAMES.join("|")}>)
                        [--source <${SOURCE_IDS.join("|")}>] [--time-zone ZONE] [--quiet-hours HH:MM-HH:MM]
                        [--staff LIST=ADDRESS,…] [--now ISO-TIME] [--json]
  Dry-runs flows against a carrier timeline and prints every message they would send: time,
  flow/step, channel → recipient, subject (or first line), and why; --json prints the result as
  JSON. Nothing is stored or sent. Without --flow, the built-in default flows. A timeline file
  holds normalised events, synthetic events [{"at", "status", …}] or {"source", "payloads"};
  with --source, each --timeline FILE is one payload as that source sends it.`;

function parseFile(name: string, text: string): unknown {
  const ext = extname(name).toLowerCase();
  try {
    return ext === ".yaml" || ext === ".yml" ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new BadInput(
      `${name}: malformed ${ext === ".yaml" || ext === ".yml" ? "YAML" : "JSON"}: ${(error as Error).message.split("\n")[0]}`,
    );
  }
}

class BadInput extends Error {
  override name = "BadInput";
}

/** "21:00-08:00" */
function quietHours(value: string): { from: string; to: string } {
  const [from, to] = value.split("-");
  if (!ClockTimeSchema.safeParse(from).success || !ClockTimeSchema.safeParse(to).success)
    throw new UsageError(`--quiet-hours: "HH:MM-HH:MM", e.g. 21:00-08:00, not ${JSON.stringify(value)}`);
  return { from: from!, to: to! };
}

function staffLists(values: readonly string[]): Record<string, string[]> {
  const lists: Record<string, string[]> = {};
  for (const value of values) {
    const at = value.indexOf("=");
    if (at < 1)
      throw new UsageError(`--staff: LIST=ADDRESS,… e.g. ops=ops@example.com, not ${JSON.stringify(value)}`);
    lists[value.slice(0, at)] = value
      .slice(at + 1)
      .split(",")
      .map((a) => a.trim())
      .filter(Boolean);
  }
  return lists;
}

function clock(iso: string, timeZone: string): string {
  const parts: Record<string, string> = {};
  for (const p of new Intl.DateTimeFormat("en-CA", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    weekday: "short",
  }).formatToParts(new Date(iso)))
    parts[p.type] = p.value;
  return `${parts.weekday} ${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

function messageLines(m: SimulatedMessage, timeZone: string): string[] {
  const marks = [
    m.held && "HELD",
    m.suppressed && "NOT SENT",
    m.throttled && "THROTTLED",
    m.digested && "DIGEST",
  ].filter(Boolean);
  const headline = m.subject ?? m.text.split("\n").find((l) => l.trim() !== "") ?? "";
  const lines = [
    `${clock(m.at, timeZone)}  ${m.flowId}/${m.stepId}  ${m.channel} → ${m.to || "(nobody)"}${marks.length > 0 ? `  [${marks.join(", ")}]` : ""}`,
    `    ${headline}`,
    `    why: ${m.why}`,
  ];
  if (m.reason) lines.push(`    ${m.reason}`);
  return lines;
}

export async function flowsCommand(argv: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = argv;
  if (sub !== "simulate")
    throw new UsageError(
      sub === undefined ? "a subcommand is required: simulate" : `unknown subcommand ${JSON.stringify(sub)}`,
    );
  const { values } = parseArgs({
    args: rest,
    options: {
      flow: { type: "string", multiple: true, default: [] },
      timeline: { type: "string", multiple: true, default: [] },
      named: { type: "string" },
      source: { type: "string" },
      "time-zone": { type: "string" },
      "quiet-hours": { type: "string" },
      staff: { type: "string", multiple: true, default: [] },
      now: { type: "string" },
      json: { type: "boolean", default: false },
    },
    allowPositionals: false,
  });
  if (values.timeline.length > 0 === (values.named !== undefined))
    throw new UsageError("give either --timeline FILE or --named NAME");
  if (values.source !== undefined && values.timeline.length === 0)
    throw new UsageError("--source goes with --timeline FILE (one payload per file)");
  if (values.source !== undefined && !SOURCE_IDS.includes(values.source))
    throw new UsageError(`unknown source ${JSON.stringify(values.source)}; one of ${SOURCE_IDS.join(", ")}`);
  const timeZone = values["time-zone"] ?? "UTC";
  if (!isTimeZone(timeZone))
    throw new UsageError(`--time-zone: not an IANA time zone: ${JSON.stringify(timeZone)}`);
  const now = values.now === undefined ? undefined : new Date(values.now);
  if (now !== undefined && Number.isNaN(now.getTime()))
    throw new UsageError(`--now: not an ISO time: ${JSON.stringify(values.now)}`);

  try {
    const flows: unknown[] = [];
    for (const file of values.flow) {
      const parsed = parseFile(file, await readFile(file, "utf8"));
      flows.push(...(Array.isArray(parsed) ? parsed : [parsed]));
    }
    let timeline: SimulationTimeline;
    if (values.named !== undefined) timeline = { named: values.named };
    else {
      const files = await Promise.all(
        values.timeline.map(async (file) => parseFile(file, await readFile(file, "utf8"))),
      );
      if (values.source !== undefined) timeline = { source: values.source, payloads: files };
      else if (files.length === 1) timeline = files[0] as SimulationTimeline;
      else if (files.every(Array.isArray)) timeline = files.flat();
      else throw new UsageError("several --timeline files need --source, or must each hold a list of events");
    }
    const result = simulateFlows({
      flows: values.flow.length > 0 ? flows : DEFAULT_FLOWS.map((f) => f.definition),
      timeline,
      tenant: {
        settings: {
          timeZone,
          ...(values["quiet-hours"] ? { quietHours: quietHours(values["quiet-hours"]) } : {}),
          ...(values.staff.length > 0 ? { staffLists: staffLists(values.staff) } : {}),
        },
      },
      now,
    });
    if (values.json) {
      writeLine(io.stdout, JSON.stringify(result, null, 2));
      return 0;
    }
    const status = result.shipments.map((s) => `${s.carrier} ${s.trackingNumber}: ${s.status}`).join(", ");
    writeLine(
      io.stdout,
      `${result.messages.length} message${result.messages.length === 1 ? "" : "s"} from ${clock(result.from, timeZone)} to ${clock(result.until, timeZone)} (${timeZone}); ${status}`,
    );
    for (const m of result.messages) {
      writeLine(io.stdout, "");
      for (const line of messageLines(m, timeZone)) writeLine(io.stdout, line);
    }
    return 0;
  } catch (error) {
    if (error instanceof SimulationInputError || error instanceof BadInput) {
      writeLine(io.stderr, `trackflow flows simulate: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
