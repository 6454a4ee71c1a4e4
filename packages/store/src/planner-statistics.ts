import type { Queryable } from "./database.ts";

/**
 * ANALYZEs the tables whose rows changed enough since their statistics were last gathered, by
 * autovacuum's own default rule (50 rows plus 10% of the table). Embedded PGlite has no
 * autovacuum, so without this its planner would keep judging grown tables by their empty first
 * days; PostgreSQL's does it in time only while its few workers are free (under a heavy write
 * load they spend minutes on the large tables first). It matters beyond estimates: a plan cached
 * while a table was empty (a foreign-key check's, for one) is only made again once its
 * statistics change. Answers the tables analysed.
 */
export async function refreshPlannerStatistics(db: Queryable): Promise<string[]> {
  // this connection's own counts first (PGlite has no other), then a fresh look at everyone's
  await db.query("SELECT pg_stat_force_next_flush()");
  await db.query("SELECT pg_stat_clear_snapshot()");
  const { rows } = await db.query<{ name: string }>(
    `SELECT format('%I.%I', schemaname, relname) AS name FROM pg_stat_user_tables
      WHERE n_mod_since_analyze > 50 + 0.1 * greatest(n_live_tup, 0)
      ORDER BY n_mod_since_analyze DESC`,
  );
  for (const { name } of rows) await db.query(`ANALYZE ${name}`);
  return rows.map((r) => r.name);
}
