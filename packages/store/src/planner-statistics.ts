import type { Database } from "./database.ts";

/**
 * ANALYZEs the tables the planner misjudges: a plan cached while a table was empty (a
 * foreign-key check's, for one) is only made again once its statistics change, and a planner
 * that thinks a grown table empty picks the wrong index.
 *
 * - On PostgreSQL, autovacuum keeps statistics current while its few workers are free; under a
 *   heavy write load they spend minutes on the large tables first. So the tables whose size the
 *   planner has wrong by half or more (50 rows plus half of what it last counted, either way)
 *   are analysed here, and nothing else: an ANALYZE reads up to 30,000 rows' pages, and by
 *   autovacuum's rule (10% of the rows changed) a busy inbox, whose rows are each updated
 *   twice, was analysed every few seconds for a sixth of PostgreSQL's time.
 * - Embedded PGlite has no autovacuum: its tables are analysed by autovacuum's own default rule
 *   (50 rows plus 10% of the table changed since the last time).
 *
 * Answers the tables analysed.
 */
export async function refreshPlannerStatistics(db: Database): Promise<string[]> {
  // this connection's own counts first (PGlite has no other), then a fresh look at everyone's
  await db.query("SELECT pg_stat_force_next_flush()");
  await db.query("SELECT pg_stat_clear_snapshot()");
  const misjudged =
    db.kind === "postgres"
      ? "abs(s.n_live_tup - greatest(c.reltuples, 0)) > 50 + 0.5 * greatest(c.reltuples, 0)"
      : "s.n_mod_since_analyze > 50 + 0.1 * greatest(s.n_live_tup, 0)";
  const { rows } = await db.query<{ name: string }>(
    `SELECT format('%I.%I', s.schemaname, s.relname) AS name
       FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
      WHERE ${misjudged}
      ORDER BY s.n_mod_since_analyze DESC`,
  );
  for (const { name } of rows) await db.query(`ANALYZE ${name}`);
  return rows.map((r) => r.name);
}
