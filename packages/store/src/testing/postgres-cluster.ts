import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chown, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

const POSTGRES_ROOT = "/usr/lib/postgresql";
const INSTALL_HINT = "run .ci/install-postgres.sh (as root) to install the PostgreSQL server";

/** A throwaway PostgreSQL server for tests. */
export interface PostgresCluster {
  /** Superuser connection string of the `postgres` database, over loopback TCP. */
  url: string;
  /** Creates an empty database and resolves with its connection string. */
  createDatabase(name?: string): Promise<string>;
  /** A database's connection string over the server's Unix socket (cheaper than loopback TCP). */
  socketUrl(database: string): string;
  /** Shuts the server down at once and deletes its files. */
  stop(): Promise<void>;
}

export interface StartPostgresClusterOptions {
  /** Extra `-c name=value` server settings. */
  settings?: Readonly<Record<string, string | number>> | undefined;
}

/**
 * Starts a PostgreSQL server from the Debian packages (`/usr/lib/postgresql/<newest>/bin`) in a
 * fresh temporary directory: its own data directory, a free loopback port, the Unix socket inside
 * the directory, trust authentication, durability off. As root it runs as the `postgres` system
 * user (initdb refuses root). Fails, never skips, when the binaries are missing.
 */
export async function startPostgresCluster(
  options: StartPostgresClusterOptions = {},
): Promise<PostgresCluster> {
  const bin = await findPostgresBin();
  const dir = await mkdtemp(join(tmpdir(), "trackflow-pg-"));
  const dataDir = join(dir, "data");
  const socketDir = join(dir, "socket");
  const logFile = join(dir, "postgres.log");
  let started = false;
  const asOwner = await serverUser(dir);
  await mkdir(socketDir);
  await asOwner.fixOwnership(socketDir);

  try {
    await asOwner.exec(join(bin, "initdb"), [
      "--pgdata",
      dataDir,
      "--username",
      "postgres",
      "--auth",
      "trust",
      "--encoding",
      "UTF8",
      "--locale",
      "C",
      "--no-sync",
    ]);
    const port = await freePort();
    const settings: Record<string, string | number> = {
      listen_addresses: "127.0.0.1",
      port,
      unix_socket_directories: socketDir,
      fsync: "off",
      synchronous_commit: "off",
      full_page_writes: "off",
      max_connections: 200,
      ...options.settings,
    };
    const serverOptions = Object.entries(settings)
      .map(([name, value]) => `-c ${name}=${value}`)
      .join(" ");
    await asOwner.exec(join(bin, "pg_ctl"), [
      "start",
      "--pgdata",
      dataDir,
      "--log",
      logFile,
      "--wait",
      "--timeout",
      "60",
      "--options",
      serverOptions,
    ]);
    started = true;
    const pid = postmasterPid(dataDir);
    const killOnExit = () => {
      if (pid) {
        try {
          process.kill(pid, "SIGQUIT");
        } catch {
          // already gone
        }
      }
    };
    process.once("exit", killOnExit);

    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    let databases = 0;
    return {
      url,
      async createDatabase(name) {
        databases += 1;
        const database = name ?? `test_${process.pid}_${databases}`;
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
        } finally {
          await client.end();
        }
        return `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`;
      },
      socketUrl(database) {
        return `postgres://postgres@/${encodeURIComponent(database)}?host=${encodeURIComponent(socketDir)}&port=${port}`;
      },
      async stop() {
        process.removeListener("exit", killOnExit);
        await shutDown(asOwner, bin, dataDir, pid);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    const log = existsSync(logFile) ? `\n--- postgres.log ---\n${readFileSync(logFile, "utf8")}` : "";
    if (started) await shutDown(asOwner, bin, dataDir, postmasterPid(dataDir)).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw new Error(`could not start a PostgreSQL test cluster: ${(error as Error).message}${log}`, {
      cause: error,
    });
  }
}

/** `/usr/lib/postgresql/<version>/bin` of the newest installed server. */
export async function findPostgresBin(): Promise<string> {
  const versions = existsSync(POSTGRES_ROOT) ? await readdir(POSTGRES_ROOT) : [];
  const bins = versions
    .filter((version) => /^\d+(\.\d+)?$/.test(version))
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(POSTGRES_ROOT, version, "bin"))
    .filter((bin) => ["initdb", "pg_ctl", "postgres"].every((tool) => existsSync(join(bin, tool))));
  const newest = bins[0];
  if (!newest) {
    throw new Error(
      `PostgreSQL server binaries not found in ${POSTGRES_ROOT}/<version>/bin: ${INSTALL_HINT}`,
    );
  }
  return newest;
}

interface ServerUser {
  exec(file: string, args: string[]): Promise<void>;
  fixOwnership(path: string): Promise<void>;
}

/** Runs the server tools as the invoking user, or as `postgres` when that is root. */
async function serverUser(dir: string): Promise<ServerUser> {
  if (process.getuid?.() !== 0) {
    return {
      async exec(file, args) {
        await run(file, args, { cwd: dir });
      },
      async fixOwnership() {},
    };
  }
  const { stdout: uid } = await run("id", ["-u", "postgres"]).catch(() => {
    throw new Error(`running as root, but there is no 'postgres' system user: ${INSTALL_HINT}`);
  });
  const { stdout: gid } = await run("id", ["-g", "postgres"]);
  const owner = { uid: Number(uid.trim()), gid: Number(gid.trim()) };
  const fixOwnership = (path: string) => chown(path, owner.uid, owner.gid);
  await fixOwnership(dir);
  return {
    async exec(file, args) {
      await run("runuser", ["-u", "postgres", "--", file, ...args], { cwd: dir });
    },
    fixOwnership,
  };
}

async function shutDown(
  asOwner: ServerUser,
  bin: string,
  dataDir: string,
  pid: number | undefined,
): Promise<void> {
  try {
    await asOwner.exec(join(bin, "pg_ctl"), ["stop", "--pgdata", dataDir, "--mode", "immediate", "--wait"]);
  } catch (error) {
    if (!pid) throw error;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

function postmasterPid(dataDir: string): number | undefined {
  try {
    const first = readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0];
    const pid = Number(first);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no port assigned"));
      });
    });
  });
}
