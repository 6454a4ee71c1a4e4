import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { join } from "node:path";

const WORKER_SCRIPT = join(import.meta.dirname, "worker-process.ts");

/** The header a worker process puts on every provider request: its name. */
export const TEST_WORKER_HEADER = "X-Test-Worker";

export interface WorkerSettings {
  databaseUrl: string;
  secretKey: string;
  concurrency: number;
  /** the queue's expireInSeconds: how soon a job held by a dead worker goes to another */
  expireInSeconds: number;
}

export interface WorkerHandle {
  name: string;
  child: ChildProcessWithoutNullStreams;
  /** resolves when the worker said it is ready; rejects when it exited first */
  ready: Promise<void>;
  /** resolves when the process has exited, with how */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** whether the process has exited */
  readonly gone: boolean;
  /** what the worker wrote to stderr (its warnings and errors) */
  stderr(): string;
}

/** Every worker process this module started and that has not exited yet. */
const running = new Set<WorkerHandle>();

/** Starts a delivery worker in a process of its own (`worker-process.ts`). */
export function spawnWorker(name: string, settings: WorkerSettings): WorkerHandle {
  const child = spawn(
    process.execPath,
    [WORKER_SCRIPT, name, String(settings.concurrency), String(settings.expireInSeconds)],
    {
      env: {
        ...process.env,
        DATABASE_URL: settings.databaseUrl,
        TRACKFLOW_SECRET_KEY: settings.secretKey,
      },
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let stderr = "";
  let gone = false;
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => {
      gone = true;
      running.delete(handle);
      resolve({ code, signal });
    });
  });
  const ready = new Promise<void>((resolve, reject) => {
    let stdout = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      if (stdout.includes(`"ready":"${name}"`)) resolve();
    });
    void exited.then(({ code, signal }) =>
      reject(
        new Error(`worker ${name} exited (code ${code}, signal ${signal}) before it was ready:\n${stderr}`),
      ),
    );
  });
  ready.catch(() => undefined);
  const handle: WorkerHandle = {
    name,
    child,
    ready,
    exited,
    get gone() {
      return gone;
    },
    stderr: () => stderr,
  };
  running.add(handle);
  return handle;
}

/**
 * Stops workers the way an orchestrator does: SIGTERM, then SIGKILL for any still running after
 * `graceMs`. Resolves with each worker's exit.
 */
export async function stopWorkers(
  workers: readonly WorkerHandle[],
  graceMs = 15_000,
): Promise<Array<{ name: string; code: number | null; signal: NodeJS.Signals | null; forced: boolean }>> {
  return await Promise.all(
    workers.map(async (worker) => {
      if (worker.gone) return { name: worker.name, ...(await worker.exited), forced: false };
      worker.child.kill("SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), graceMs);
      });
      const first = await Promise.race([worker.exited, timedOut]);
      clearTimeout(timer);
      if (first !== "timeout") return { name: worker.name, ...first, forced: false };
      worker.child.kill("SIGKILL");
      return { name: worker.name, ...(await worker.exited), forced: true };
    }),
  );
}

/** Kills (SIGKILL) every worker process still running and waits for them to exit: for afterAll. */
export async function killAllWorkers(): Promise<void> {
  const left = [...running];
  for (const worker of left) worker.child.kill("SIGKILL");
  await Promise.all(left.map((worker) => worker.exited));
}
