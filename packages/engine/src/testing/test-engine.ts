import { randomBytes } from "node:crypto";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DatabaseKind, openPostgres } from "@trackflow/store";
import { startTestBackend, type TestBackend } from "@trackflow/store/testing";
import { type Engine, openEngine } from "../engine.ts";

/**
 * One backend per test file; a fresh engine (fresh database) per test. The first engine's
 * database, once migrated and with pg-boss's schema, becomes a template the others are copied
 * from (a data-folder copy on PGlite, CREATE DATABASE … TEMPLATE on PostgreSQL): each test gets
 * an empty database without paying for the schema again.
 */
export async function testEngineFactory(kind: DatabaseKind) {
  const backend: TestBackend = await startTestBackend(kind);
  const engines: Engine[] = [];
  const dirs: string[] = [];
  const secretKey = randomBytes(32).toString("base64");
  let template: { dataDir?: string; databaseUrl?: string } | null = null;
  let copies = 0;

  async function prepareTemplate() {
    const options = await backend.persistentDatabaseOptions();
    const engine = await openEngine({ ...options, secretKey, queue: { maintenance: false } });
    await engine.close();
    return options;
  }

  async function freshDatabase(): Promise<{ dataDir?: string; databaseUrl?: string }> {
    template ??= await prepareTemplate();
    if (template.dataDir) {
      const dir = await mkdtemp(join(tmpdir(), "trackflow-engine-"));
      dirs.push(dir);
      await cp(template.dataDir, dir, { recursive: true });
      return { dataDir: dir };
    }
    const url = new URL(template.databaseUrl!);
    const templateName = url.pathname.slice(1);
    const name = `${templateName}_copy${++copies}`;
    const admin = await openPostgres({
      url: Object.assign(new URL(url), { pathname: "/postgres" }).toString(),
    });
    try {
      await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${templateName}"`);
    } finally {
      await admin.close();
    }
    return { databaseUrl: Object.assign(new URL(url), { pathname: `/${name}` }).toString() };
  }

  return {
    kind,
    async open(options: { now?: () => Date; expireInSeconds?: number } = {}): Promise<Engine> {
      const engine = await openEngine({
        ...(await freshDatabase()),
        secretKey,
        now: options.now,
        queue: { expireInSeconds: options.expireInSeconds ?? 60, maintenance: false },
      });
      engines.push(engine);
      return engine;
    },
    async stop() {
      await Promise.all(engines.map((e) => e.close().catch(() => undefined)));
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
      await backend.stop();
    },
  };
}
