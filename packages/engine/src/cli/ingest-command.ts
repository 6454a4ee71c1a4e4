import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SOURCE_IDS, sourceById } from "@trackflow/carriers";
import { apiClient } from "./api-client.ts";
import { type CliIo, type ExitCode, UsageError, writeLine } from "./cli-io.ts";
import { progressBar } from "./progress-bar.ts";

export const ingestUsage = `trackflow ingest --source <${SOURCE_IDS.join("|")}> [--url URL] [--key KEY] FILE|DIR
  Bulk-loads history into a running server: every .json file (a payload exactly as the source
  sends it) is posted to /api/ingest/<source> with the tenant's API key; a progress bar shows
  where it is. Files already loaded are counted as duplicates, so a run can be repeated.`;

async function payloadFiles(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { recursive: true });
  return entries
    .filter((e) => e.endsWith(".json"))
    .sort()
    .map((e) => join(path, e));
}

export async function ingestCommand(argv: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { source: { type: "string" }, url: { type: "string" }, key: { type: "string" } },
    allowPositionals: true,
  });
  if (!values.source || !sourceById(values.source)) {
    throw new UsageError(`--source must be one of ${SOURCE_IDS.join(", ")}`);
  }
  if (positionals.length !== 1) throw new UsageError("one FILE or DIR is required");
  const client = apiClient(values);
  const files = await payloadFiles(positionals[0]!);
  const bar = progressBar(io.stderr, files.length, "ingest");
  let accepted = 0;
  let duplicates = 0;
  const failures: string[] = [];
  for (const [i, file] of files.entries()) {
    const body = await readFile(file, "utf8");
    const res = await client.request<{ accepted?: number; duplicates?: number; error?: string }>(
      "POST",
      `/api/ingest/${values.source}`,
      body,
    );
    if (res.status === 200) {
      accepted += res.body.accepted ?? 0;
      duplicates += res.body.duplicates ?? 0;
    } else {
      failures.push(`${file}: ${res.status} ${res.body.error ?? ""}`);
    }
    bar.update(i + 1, `${accepted} events accepted, ${duplicates} duplicates, ${failures.length} failed`);
  }
  bar.finish();
  for (const failure of failures) writeLine(io.stderr, failure);
  writeLine(
    io.stdout,
    JSON.stringify({ files: files.length, accepted, duplicates, failed: failures.length }),
  );
  return failures.length > 0 ? 1 : 0;
}
