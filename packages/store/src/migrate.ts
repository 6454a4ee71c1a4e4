import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import type { Queryable } from "./database.ts";

/** One schema change: `src/migrations/NNNN_name.sql`. */
export interface Migration {
  /** The NNNN of the file name; migrations apply in this order. */
  version: number;
  /** The file name without `.sql`, e.g. `0001_init`. */
  name: string;
  sql: string;
}

export interface MigrateOptions {
  /** The migrations to apply; the files in src/migrations when absent. */
  migrations?: readonly Migration[] | undefined;
}

export interface MigrateResult {
  /** Names of the migrations this call applied (empty when the schema was up to date). */
  applied: string[];
}

const MIGRATIONS_DIR = new URL("./migrations/", import.meta.url);
const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;
/** Key of the advisory lock every migration run takes; any fixed number unique to this purpose. */
const LOCK_KEY = "7365902183154011937";

/** Reads src/migrations, ordered by version. Fails on a malformed name or a repeated version. */
export async function loadMigrations(directory: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(directory)).filter((file) => file.endsWith(".sql")).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_NAME.exec(file);
    if (!match) throw new Error(`migration file ${file} is not named NNNN_lower_snake_name.sql`);
    const version = Number(match[1]);
    if (migrations.some((migration) => migration.version === version)) {
      throw new Error(`two migration files have version ${match[1]}`);
    }
    migrations.push({
      version,
      name: file.slice(0, -4),
      sql: await readFile(new URL(file, directory), "utf8"),
    });
  }
  return migrations;
}

/**
 * Brings the schema up to date: applies each pending migration once, in version order, each in its
 * own transaction together with its row in `trackflow_migrations`. Every transaction first takes
 * an advisory lock, so processes starting at the same moment queue up behind each other and a
 * migration another process applied meanwhile is seen and skipped. A migration whose file changed
 * after it was applied is an error: add a new migration instead of editing an applied one.
 */
export async function migrate(db: Queryable, options: MigrateOptions = {}): Promise<MigrateResult> {
  const migrations = [...(options.migrations ?? (await loadMigrations()))].sort(
    (a, b) => a.version - b.version,
  );
  const applied: string[] = [];
  for (const migration of migrations) {
    const checksum = sha256(migration.sql);
    const ran = await db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1::bigint)", [LOCK_KEY]);
      await tx.query(`CREATE TABLE IF NOT EXISTS trackflow_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const { rows } = await tx.query<{ name: string; checksum: string }>(
        "SELECT name, checksum FROM trackflow_migrations WHERE version = $1",
        [migration.version],
      );
      const previous = rows[0];
      if (previous) {
        if (previous.checksum !== checksum) {
          throw new Error(
            `migration ${migration.name} changed after it was applied (as ${previous.name}); ` +
              "add a new migration instead, or recreate the database",
          );
        }
        return false;
      }
      await tx.query(migration.sql);
      await tx.query("INSERT INTO trackflow_migrations (version, name, checksum) VALUES ($1, $2, $3)", [
        migration.version,
        migration.name,
        checksum,
      ]);
      return true;
    });
    if (ran) applied.push(migration.name);
  }
  return { applied };
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
