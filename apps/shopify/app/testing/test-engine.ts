import { randomBytes } from "node:crypto";
import { type Engine, openEngine } from "@trackflow/engine";
import type { DatabaseKind } from "@trackflow/store";
import { startTestBackend, type TestBackend } from "@trackflow/store/testing";

/**
 * Engines on fresh databases of one kind (PGlite or the real PostgreSQL) for the app's tests,
 * opened the way the app opens its engine: migrated, with the queue, and a credential key.
 */
export async function testEngines(kind: DatabaseKind) {
  const backend: TestBackend = await startTestBackend(kind);
  const engines: Engine[] = [];
  const secretKey = randomBytes(32).toString("base64");
  return {
    async open(options: { now?: () => Date } = {}): Promise<Engine> {
      const engine = await openEngine({
        ...(await backend.persistentDatabaseOptions()),
        secretKey,
        now: options.now,
        queue: { maintenance: false },
      });
      engines.push(engine);
      return engine;
    },
    async stop() {
      await Promise.all(engines.map((engine) => engine.close().catch(() => undefined)));
      await backend.stop();
    },
  };
}
