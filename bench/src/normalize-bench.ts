import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SOURCE_IDS, sourceById } from "@trackflow/carriers";
import { formatRate, opsPerSecond } from "./measure.ts";

const CARRIERS_SRC = join(import.meta.dirname, "../../packages/carriers/src");

export interface NormalizeFigure {
  source: string;
  payloads: number;
  eventsPerPass: number;
  jsonParsePerSecond: number;
  normalizePerSecond: number;
  /** normalise time over JSON.parse time: 1.0 would be free */
  ratio: number;
}

/** The fixtures a source parses without error: the realistic payloads of its documentation. */
function validFixtures(sourceId: string): string[] {
  const source = sourceById(sourceId)!;
  const dir = join(CARRIERS_SRC, sourceId, "fixtures");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => readFileSync(join(dir, f), "utf8"))
    .filter((raw) => {
      try {
        return source.parse(JSON.parse(raw)).length > 0;
      } catch {
        return false;
      }
    });
}

/** Per source: JSON.parse of its payloads (the floor) against JSON.parse + parse + validate. */
export function benchNormalize(ms: number): NormalizeFigure[] {
  return SOURCE_IDS.map((id) => {
    const source = sourceById(id)!;
    const payloads = validFixtures(id);
    const eventsPerPass = payloads.reduce((n, raw) => n + source.parse(JSON.parse(raw)).length, 0);
    const jsonParse = opsPerSecond(() => {
      for (const raw of payloads) JSON.parse(raw);
    }, ms);
    const normalize = opsPerSecond(() => {
      for (const raw of payloads) source.parse(JSON.parse(raw));
    }, ms);
    return {
      source: id,
      payloads: payloads.length,
      eventsPerPass,
      jsonParsePerSecond: jsonParse * payloads.length,
      normalizePerSecond: normalize * payloads.length,
      ratio: jsonParse / normalize,
    };
  });
}

export function normalizeRows(figures: readonly NormalizeFigure[]): string[][] {
  return [
    ["source", "payloads", "events", "JSON.parse", "normalise+validate", "ratio"],
    ...figures.map((f) => [
      f.source,
      String(f.payloads),
      String(f.eventsPerPass),
      `${formatRate(f.jsonParsePerSecond)} payloads`,
      `${formatRate(f.normalizePerSecond)} payloads`,
      `${f.ratio.toFixed(2)}x`,
    ]),
  ];
}
