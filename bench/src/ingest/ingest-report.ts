import { formatRate } from "../measure.ts";
import type { CpuUse } from "./cpu-accounting.ts";
import type { BackendFigure, IngestFigures, Measured } from "./ingest-figures.ts";
import type { LoadFigure } from "./load-clients.ts";

const ms = (value: number) =>
  Number.isFinite(value) ? `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ms` : "-";
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const mark = (ok: boolean) => (ok ? "✓" : "✗");
const cores = (cpu: CpuUse, noDatabase: string) => {
  const g = cpu.groups;
  const db = g.postgres === undefined ? noDatabase : g.postgres.toFixed(2);
  return `${(g.server ?? 0).toFixed(2)} / ${db} / ${(g.bench ?? 0).toFixed(2)}`;
};

const maxUnderLoad = (b: BackendFigure) =>
  Math.max(
    ...Object.entries(b.memory.peakRssByPhase).flatMap(([phase, bytes]) =>
      phase === "start" ? [] : [bytes],
    ),
  );

const perRequest = (figure: Measured<LoadFigure>, noDatabase: string) => {
  const msOf = (cores: number | undefined) => ms(((cores ?? 0) * 1000) / figure.okPerSecond);
  const db = figure.cpu.groups.postgres === undefined ? noDatabase : msOf(figure.cpu.groups.postgres);
  return `${msOf(figure.cpu.groups.server)} / ${db}`;
};

/** Lines to print when other work on the machine may have skewed the figures. */
export function ingestWarnings(figures: IngestFigures, threshold = 0.15): string[] {
  const phases: [string, number][] = [
    ["ceiling, before", figures.ceiling.otherCoresBefore],
    ["ceiling, full load", figures.ceiling.fullLoad.cpu.otherCores],
    ...figures.backends.flatMap((b): [string, number][] => [
      [`${b.backend}, before`, b.otherCoresBefore],
      [`${b.backend}, fixed rate`, b.fixedRate.cpu.otherCores],
      [`${b.backend}, full load`, b.fullLoad.cpu.otherCores],
    ]),
  ];
  const busy = phases.filter(([, cores]) => cores >= threshold);
  if (busy.length === 0) return [];
  return [
    `WARNING: other processes used CPU during the bench (${busy.map(([p, c]) => `${p}: ${c.toFixed(2)} cores`).join(", ")}); ` +
      "figures from a busy machine are low and noisy: run again on a quiet one.",
  ];
}

/** One column per system, one row per figure; the aims in the last column (checked on PostgreSQL). */
export function ingestRows(figures: IngestFigures): string[][] {
  const { ceiling, backends, aims, settings } = figures;
  const pg = backends.find((b) => b.backend === "postgres");
  const check = (ok: (b: BackendFigure) => boolean, aim: string) => (pg ? `${aim} ${mark(ok(pg))}` : aim);
  const cell = (f: (b: BackendFigure) => string) => backends.map(f);
  return [
    ["", "ceiling (bare node:http)", ...backends.map((b) => `Trackflow on ${b.backend}`), "aim (PostgreSQL)"],
    [
      `full load, ${settings.connections} conn: acknowledged/s`,
      formatRate(ceiling.fullLoad.okPerSecond),
      ...cell((b) => formatRate(b.fullLoad.okPerSecond)),
      "",
    ],
    [
      "  of which queued in the inbox (202)",
      "",
      ...cell((b) => `${b.fullLoadInbox.queued} of ${b.fullLoad.ok}`),
      "",
    ],
    [
      "  ingested/s, over the load and emptying the inbox",
      "",
      ...cell((b) =>
        b.fullLoadInbox.ingestedPerSecond === null
          ? "inbox never emptied"
          : `${formatRate(b.fullLoadInbox.ingestedPerSecond)} (${b.fullLoadInbox.queuedAtEnd} queued at the end, empty ${b.fullLoadInbox.emptiedAfterSeconds?.toFixed(0)} s after)`,
      ),
      check(
        (b) => (b.fullLoadInbox.ingestedPerSecond ?? 0) >= aims.postgresIngestsPerSecond,
        `≥ ${aims.postgresIngestsPerSecond}/s`,
      ),
    ],
    [
      "  share of the ceiling: ingested / acknowledged",
      "100%",
      ...cell(
        (b) =>
          `${(b.fullLoadInbox.shareOfCeiling * 100).toFixed(1)}% / ${(b.fullLoad.shareOfCeiling * 100).toFixed(1)}%`,
      ),
      check((b) => b.fullLoadInbox.shareOfCeiling >= aims.shareOfCeiling, `≥ ${aims.shareOfCeiling * 100}%`),
    ],
    [
      "  ack p50 / p99",
      `${ms(ceiling.fullLoad.latency.p50Ms)} / ${ms(ceiling.fullLoad.latency.p99Ms)}`,
      ...cell((b) => `${ms(b.fullLoad.latency.p50Ms)} / ${ms(b.fullLoad.latency.p99Ms)}`),
      "",
    ],
    [
      "  refused / errors",
      `${ceiling.fullLoad.rejected} / ${ceiling.fullLoad.errors}`,
      ...cell((b) => `${b.fullLoad.rejected} / ${b.fullLoad.errors}`),
      "",
    ],
    [
      "  CPU cores: server / database / client",
      cores(ceiling.fullLoad.cpu, "-"),
      ...cell((b) => cores(b.fullLoad.cpu, b.backend === "pglite" ? "in server" : "-")),
      "",
    ],
    [
      "  CPU per request: server / database",
      perRequest(ceiling.fullLoad, "-"),
      ...cell((b) => perRequest(b.fullLoad, b.backend === "pglite" ? "in server" : "-")),
      "",
    ],
    [
      "  other processes' CPU (not ours)",
      `${ceiling.fullLoad.cpu.otherCores.toFixed(2)} cores`,
      ...cell((b) => `${b.fullLoad.cpu.otherCores.toFixed(2)} cores`),
      "",
    ],
    [
      `${settings.fixedRate}/s for ${settings.fixedSeconds} s: ack p50 / p99`,
      "",
      ...cell((b) => `${ms(b.fixedRate.latency.p50Ms)} / ${ms(b.fixedRate.latency.p99Ms)}`),
      check(
        (b) => b.fixedRate.latency.p99Ms < aims.fixedRateP99Ms && b.fixedRate.notSent === 0,
        `p99 < ${aims.fixedRateP99Ms} ms`,
      ),
    ],
    [
      "  acked / not sent / refused+errors",
      "",
      ...cell(
        (b) => `${b.fixedRate.ok} / ${b.fixedRate.notSent} / ${b.fixedRate.rejected + b.fixedRate.errors}`,
      ),
      "",
    ],
    [
      "  queued in the inbox (202); inbox empty after",
      "",
      ...cell(
        (b) =>
          `${b.fixedRateInbox.queued}; ${b.fixedRateInbox.emptiedAfterSeconds === null ? "over 300 s" : `${b.fixedRateInbox.emptiedAfterSeconds.toFixed(0)} s`}`,
      ),
      "",
    ],
    [
      "  CPU cores: server / database / client",
      "",
      ...cell((b) => cores(b.fixedRate.cpu, b.backend === "pglite" ? "in server" : "-")),
      "",
    ],
    [
      `end to end, ${settings.endToEndCount} at ${settings.endToEndRate}/s: p50 / p99`,
      "",
      ...cell((b) => `${ms(b.endToEnd.p50Ms)} / ${ms(b.endToEnd.p99Ms)}`),
      "",
    ],
    [
      "  notifications arrived",
      "",
      ...cell((b) => `${b.endToEnd.arrived} of ${b.endToEnd.acknowledged}`),
      "",
    ],
    [
      "notifications delivered during full load",
      "",
      ...cell(
        (b) =>
          `${formatRate(b.notificationsPerSecondUnderFullLoad)} (≥ ${b.notificationBacklogAtEnd} queued at end)`,
      ),
      "",
    ],
    [
      "server peak RSS: whole life (VmHWM) / under load",
      "",
      ...cell((b) => `${mb(b.memory.highWaterMarkBytes)} / ${mb(maxUnderLoad(b))}`),
      check((b) => b.memory.highWaterMarkBytes < aims.peakRssBytes, `< ${mb(aims.peakRssBytes)}`),
    ],
    ["server ready in", "", ...cell((b) => `${(b.serverStartMs / 1000).toFixed(1)} s`), ""],
  ];
}
