import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

/** A server running in a child process of the bench, its address read from its stdout. */
export interface ChildServer {
  url: string;
  pid: number;
  /** milliseconds from spawn to `READY` */
  startMs: number;
  /** the last lines the child printed other than READY (its log), for error reports */
  logTail(): string[];
  /** how many log lines the child printed */
  logLines(): number;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs` */
  stop(graceMs?: number): Promise<void>;
}

const TAIL = 20;

/**
 * The Node.js flags `pnpm start` runs the server with (the root package.json's start script,
 * say `--max-semi-space-size=4`), so the bench measures the server as users run it.
 */
export function serverNodeFlags(): string[] {
  const manifest = JSON.parse(readFileSync(join(import.meta.dirname, "../../../package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const words = manifest.scripts.start!.split(/\s+/).slice(1);
  const script = words.findIndex((word) => !word.startsWith("--"));
  return words.slice(0, script === -1 ? words.length : script);
}

/**
 * Spawns `node <script>` with `env` and waits (at most `timeoutMs`) for it to print
 * `READY <url>`. Everything else it prints is kept as its log (the last lines only).
 */
export async function startChildServer(
  script: string,
  env: NodeJS.ProcessEnv,
  { timeoutMs = 60_000, nodeArgs = [] as string[] } = {},
): Promise<ChildServer> {
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, script], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const tail: string[] = [];
  let lines = 0;
  const keep = (line: string) => {
    lines++;
    tail.push(line);
    if (tail.length > TAIL) tail.shift();
  };
  createInterface({ input: child.stderr! }).on("line", keep);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} printed no READY line within ${timeoutMs} ms:\n${tail.join("\n")}`));
    }, timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code ?? signal}) before it was ready:\n${tail.join("\n")}`));
    });
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const ready = /^READY (\S+)$/.exec(line);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]!);
      } else keep(line);
    });
  });
  const startMs = performance.now() - started;
  child.removeAllListeners("exit");
  return {
    url,
    pid: child.pid!,
    startMs,
    logTail: () => [...tail],
    logLines: () => lines,
    stop: (graceMs = 15_000) => stopChild(child, graceMs),
  };
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Peak resident memory of a process, sampled from /proc/<pid>/status. */
export interface RssSampler {
  /** the highest VmRSS seen since `reset` (bytes) */
  peakSinceReset(): number;
  reset(): void;
  /** VmHWM: the kernel's own peak resident set of the process's whole life (bytes) */
  highWaterMark(): number;
  /** the highest VmRSS of every sample (bytes) */
  peak(): number;
  stop(): void;
}

function statusField(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function sampleRss(pid: number, everyMs = 200): RssSampler {
  let peak = 0;
  let sincePhase = 0;
  let hwm = 0;
  const sample = () => {
    const rss = statusField(pid, "VmRSS");
    peak = Math.max(peak, rss);
    sincePhase = Math.max(sincePhase, rss);
    hwm = Math.max(hwm, statusField(pid, "VmHWM"));
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    peakSinceReset() {
      sample();
      return sincePhase;
    },
    reset: () => {
      sincePhase = 0;
    },
    highWaterMark() {
      sample();
      return hwm;
    },
    peak() {
      sample();
      return peak;
    },
    stop: () => clearInterval(timer),
  };
}
