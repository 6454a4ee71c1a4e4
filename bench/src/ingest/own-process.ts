/**
 * The ingest bench in a process of its own, so that its load client shares a process with
 * nothing the earlier parts left behind: measured in the same process after the dispatch part,
 * the client took half as much CPU again per request (0.11 ms against 0.07) and Trackflow's full
 * load was acknowledged 12% less often, the server and PostgreSQL no busier.
 *
 *   node bench/src/ingest/own-process.ts <figures.json>   (as `benchIngestInOwnProcess` runs it)
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchIngest, ingestSettingsFromEnv } from "../ingest-bench.ts";
import type { IngestFigures } from "./ingest-figures.ts";

/** `benchIngest` with the environment's settings, run in a child process; its progress goes to stderr. */
export async function benchIngestInOwnProcess(): Promise<IngestFigures> {
  const dir = await mkdtemp(join(tmpdir(), "trackflow-ingest-bench-"));
  const file = join(dir, "figures.json");
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [...process.execArgv, import.meta.filename, file], {
        stdio: ["ignore", "inherit", "inherit"],
      });
      child.once("error", reject);
      child.once("exit", (exitCode) => resolve(exitCode));
    });
    if (code !== 0) throw new Error(`the ingest bench's own process exited with ${code}`);
    return JSON.parse(await readFile(file, "utf8")) as IngestFigures;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  // autocannon's timeout timers (retimer) go negative when the event loop lags under load: harmless
  process.removeAllListeners("warning");
  process.on("warning", (warning) => {
    if (warning.name !== "TimeoutNegativeWarning") console.error(warning);
  });
  const file = process.argv[2];
  if (file === undefined) throw new Error("usage: own-process.ts <figures.json>");
  await writeFile(file, JSON.stringify(await benchIngest(ingestSettingsFromEnv())));
}
