import { migrate, openDatabase, openQueue } from "@trackflow/store";
import { type Logger, pino } from "pino";
import { ensureQueues, type QueueSettings } from "./dispatch/dispatcher.ts";
import type { EngineContext } from "./engine-context.ts";
import { CredentialCipher } from "./security/credential-cipher.ts";

export interface EngineOptions {
  /** PostgreSQL connection string; embedded PGlite when absent */
  databaseUrl?: string | undefined;
  /** PGlite data folder (in memory when absent too) */
  dataDir?: string | undefined;
  /** base64 of 32 bytes: the key credentials are encrypted with */
  secretKey: string;
  log?: Logger;
  now?: () => Date;
  queue?: QueueSettings & { maintenance?: boolean };
  /** where recipients and providers reach this server from outside (links in messages) */
  publicUrl?: string | undefined;
}

export interface Engine {
  ctx: EngineContext;
  close(): Promise<void>;
}

/** Opens the database (migrated), the queue on it, and everything the engine's operations share. */
export async function openEngine(options: EngineOptions): Promise<Engine> {
  const log = options.log ?? pino({ level: "silent" });
  const db = await openDatabase({ databaseUrl: options.databaseUrl, dataDir: options.dataDir });
  try {
    await migrate(db);
    const boss = await openQueue(db, {
      supervise: options.queue?.maintenance ?? true,
      // pg-boss's cron (scheduled flows) runs where its maintenance does: worker processes
      schedule: options.queue?.maintenance ?? true,
      onError: (error) => log.error({ err: error }, "queue error"),
    });
    await ensureQueues(boss, options.queue);
    const ctx: EngineContext = {
      db,
      boss,
      cipher: CredentialCipher.fromBase64(options.secretKey),
      now: options.now ?? (() => new Date()),
      log,
      publicUrl: (options.publicUrl ?? "http://127.0.0.1:3000").replace(/\/+$/, ""),
    };
    return {
      ctx,
      async close() {
        await boss.stop({ graceful: true, timeout: 5000 });
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
