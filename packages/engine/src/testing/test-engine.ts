import { randomBytes } from "node:crypto";
import type { DatabaseKind } from "@trackflow/store";
import { startTestBackend, type TestBackend } from "@trackflow/store/testing";
import { type Engine, openEngine } from "../engine.ts";

/** One backend per test file; a fresh engine (fresh database) per test. */
export async function testEngineFactory(kind: DatabaseKind) {
  const backend: TestBackend = await startTestBackend(kind);
  const engines: Engine[] = [];
  return {
    kind,
    async open(options: { now?: () => Date; expireInSeconds?: number } = {}): Promise<Engine> {
      const engine = await openEngine({
        ...(await backend.persistentDatabaseOptions()),
        secretKey: randomBytes(32).toString("base64"),
        now: options.now,
        queue: { expireInSeconds: options.expireInSeconds ?? 60, maintenance: false },
      });
      engines.push(engine);
      return engine;
    },
    async stop() {
      await Promise.all(engines.map((e) => e.close().catch(() => undefined)));
      await backend.stop();
    },
  };
}
