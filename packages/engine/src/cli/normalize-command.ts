import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { SOURCE_IDS, sourceById } from "@trackflow/carriers";
import { foldEvents, formatEventTime, type ShipmentEvent } from "@trackflow/core";
import { type CliIo, type ExitCode, readAll, UsageError, writeLine } from "./cli-io.ts";

export const normalizeUsage = `trackflow normalize --source <${SOURCE_IDS.join("|")}> [--summary] [FILE]
  Reads one payload (FILE, or standard input) as the source sends it and prints each normalised
  event as a JSON line; with --summary, one JSON line per shipment after all its events.`;

function eventLine(e: ShipmentEvent): string {
  return JSON.stringify({
    trackingNumber: e.trackingNumber,
    pieceId: e.pieceId,
    carrier: e.carrier,
    status: e.status,
    reason: e.reason,
    actionRequired: e.actionRequired,
    informational: e.informational,
    occurredAt: formatEventTime(e.occurredAt),
    occurredAtUtc: e.occurredAt.utc,
    rawCode: e.rawCode,
    message: e.message,
    location: e.location,
  });
}

function summaryLines(events: readonly ShipmentEvent[]): string[] {
  const byShipment = new Map<string, ShipmentEvent[]>();
  for (const e of events) {
    const key = `${e.carrier}\u0000${e.trackingNumber}`;
    byShipment.set(key, [...(byShipment.get(key) ?? []), e]);
  }
  return [...byShipment.values()].map((group) => {
    const s = foldEvents(group);
    return JSON.stringify({
      trackingNumber: s.trackingNumber,
      carrier: s.carrier,
      status: s.status,
      reason: s.reason,
      actionRequired: s.actionRequired,
      events: s.timeline.length,
      pieces:
        s.pieces.length > 1
          ? s.pieces.map((p) => ({ pieceId: p.pieceId, status: p.status, reason: p.reason }))
          : undefined,
      estimatedDelivery: s.estimatedDelivery ? formatEventTime(s.estimatedDelivery) : null,
      lastEventAt: s.lastEventAt ? formatEventTime(s.lastEventAt) : null,
      unknownCodes: s.unknownCodes.length > 0 ? s.unknownCodes : undefined,
    });
  });
}

export async function normalizeCommand(argv: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { source: { type: "string" }, summary: { type: "boolean", default: false } },
    allowPositionals: true,
  });
  if (values.source === undefined) throw new UsageError("--source is required");
  const source = sourceById(values.source);
  if (source === undefined)
    throw new UsageError(`unknown source ${JSON.stringify(values.source)}; one of ${SOURCE_IDS.join(", ")}`);
  if (positionals.length > 1) throw new UsageError("at most one FILE");
  const file = positionals[0];
  const where = file ?? "standard input";
  const raw = file === undefined || file === "-" ? await readAll(io.stdin) : await readFile(file);

  let payload: unknown;
  try {
    payload = JSON.parse(raw.toString("utf8"));
  } catch (error) {
    writeLine(io.stderr, `${source.id}: malformed JSON in ${where}: ${(error as Error).message}`);
    return 2;
  }
  const events = source.parse(payload);
  const lines = values.summary ? summaryLines(events) : events.map(eventLine);
  for (const line of lines) writeLine(io.stdout, line);
  return 0;
}
