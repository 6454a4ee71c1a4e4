import type { PgBoss } from "pg-boss";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "./database.ts";
import { migrate } from "./migrate.ts";
import { enqueueInTransaction, openQueue, QUEUE_SCHEMA } from "./queue.ts";
import { DATABASE_KINDS, startTestBackend, type TestBackend, type TestDatabase } from "./testing/backends.ts";

const QUEUE = "notify";

describe.each(DATABASE_KINDS)("pg-boss queue on %s", (kind) => {
  let backend: TestBackend;
  let test: TestDatabase;
  let db: Database;
  let boss: PgBoss;
  const started: PgBoss[] = [];
  const errors: Error[] = [];

  const start = async (on: Database) => {
    const instance = await openQueue(on, { onError: (error) => errors.push(error) });
    started.push(instance);
    return instance;
  };

  beforeAll(async () => {
    backend = await startTestBackend(kind);
  });
  afterAll(async () => {
    await backend?.stop();
  });
  beforeEach(async () => {
    test = await backend.createDatabase();
    db = test.db;
    await migrate(db);
    boss = await start(db);
    await boss.createQueue(QUEUE);
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((instance) => instance.stop({ graceful: false })));
    await test?.close();
    expect(errors.splice(0)).toEqual([]);
  });

  const jobCount = async () =>
    (await db.query<{ n: number }>(`SELECT count(*) AS n FROM ${QUEUE_SCHEMA}.job WHERE name = $1`, [QUEUE]))
      .rows[0]?.n;
  const tenantCount = async () =>
    (await db.query<{ n: number }>("SELECT count(*) AS n FROM tenants")).rows[0]?.n;

  it("keeps its tables in the pgboss schema", async () => {
    const { rows } = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1",
      [QUEUE_SCHEMA],
    );
    expect(rows.map((row) => row.table_name)).toEqual(expect.arrayContaining(["job", "queue", "version"]));
  });

  it("creates a job with the transaction that commits, claimable once", async () => {
    const id = await db.transaction(async (tx) => {
      await tx.query("INSERT INTO tenants (id, name) VALUES ($1, $2)", ["t1", "Tenant 1"]);
      return await enqueueInTransaction(boss, tx, QUEUE, { tenantId: "t1", notificationId: "n1" });
    });
    expect(id).toEqual(expect.any(String));
    expect(await tenantCount()).toBe(1);
    const [job, ...more] = await boss.fetch<{ tenantId: string }>(QUEUE, { batchSize: 5 });
    expect(more).toEqual([]);
    expect(job).toMatchObject({ id, name: QUEUE, data: { tenantId: "t1", notificationId: "n1" } });
    expect(await boss.fetch(QUEUE)).toEqual([]);
    await boss.complete(QUEUE, id!);
    expect(await boss.getJobById(QUEUE, id!)).toMatchObject({ state: "completed" });
  });

  it("creates no job when the transaction rolls back", async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO tenants (id, name) VALUES ($1, $2)", ["t1", "Tenant 1"]);
        const id = await enqueueInTransaction(boss, tx, QUEUE, { tenantId: "t1" });
        expect(id).toEqual(expect.any(String));
        throw new Error("ingest failed after planning the job");
      }),
    ).rejects.toThrow("ingest failed");
    expect(await tenantCount()).toBe(0);
    expect(await jobCount()).toBe(0);
    expect(await boss.fetch(QUEUE)).toEqual([]);
  });

  it("creates no job when a later statement in the transaction fails", async () => {
    await expect(
      db.transaction(async (tx) => {
        await enqueueInTransaction(boss, tx, QUEUE, { n: 1 });
        await tx.query("INSERT INTO tenants (id, name) VALUES ($1, NULL)", ["t1"]);
      }),
    ).rejects.toMatchObject({ code: "23502" });
    expect(await jobCount()).toBe(0);
  });

  it("does not let a worker claim a job before its transaction commits", async () => {
    const other = await start(await test.connect());
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let enqueued!: (id: string | null) => void;
    const created = new Promise<string | null>((resolve) => {
      enqueued = resolve;
    });
    const open = db.transaction(async (tx) => {
      enqueued(await enqueueInTransaction(boss, tx, QUEUE, { n: 1 }));
      await gate;
    });
    const id = await created;
    const early = other.fetch(QUEUE);
    const before = await Promise.race([early, new Promise((resolve) => setTimeout(resolve, 300, "waiting"))]);
    release();
    await open;
    if (kind === "postgres") {
      expect(before).toEqual([]);
      expect(await other.fetch(QUEUE)).toMatchObject([{ id }]);
    } else {
      // PGlite runs one statement at a time: the fetch waits for the commit, then claims the job.
      expect(before).toBe("waiting");
      expect(await early).toMatchObject([{ id }]);
    }
  });

  it("has work() handlers pick committed jobs up", async () => {
    const seen: unknown[] = [];
    const done = new Promise<void>((resolve) => {
      void boss.work<{ n: number }>(QUEUE, { pollingIntervalSeconds: 0.5 }, async (jobs) => {
        seen.push(...jobs.map((job) => job.data.n));
        if (seen.length === 3) resolve();
      });
    });
    await db.transaction(async (tx) => {
      for (const n of [1, 2, 3]) await enqueueInTransaction(boss, tx, QUEUE, { n });
    });
    await done;
    expect(seen.sort()).toEqual([1, 2, 3]);
  });

  it("gives each job to exactly one of several consumers", async () => {
    const jobs = 40;
    // Three pg-boss instances, as three processes would run them (PGlite: one process, shared connection).
    const consumers = [boss, await start(await test.connect()), await start(await test.connect())];
    const claims = new Map<number, string[]>();
    let finish!: () => void;
    const allDone = new Promise<void>((resolve) => {
      finish = resolve;
    });
    let handled = 0;
    await Promise.all(
      consumers.map((consumer, index) =>
        consumer.work<{ n: number }>(
          QUEUE,
          { pollingIntervalSeconds: 0.5, localConcurrency: 2, batchSize: 3 },
          async (batch) => {
            for (const job of batch) {
              claims.set(job.data.n, [...(claims.get(job.data.n) ?? []), `consumer ${index}`]);
            }
            await new Promise((resolve) => setTimeout(resolve, 40));
            handled += batch.length;
            if (handled === jobs) finish();
          },
        ),
      ),
    );
    await db.transaction(async (tx) => {
      for (let n = 0; n < jobs; n++) await enqueueInTransaction(boss, tx, QUEUE, { n });
    });
    await allDone;
    // Let any duplicate delivery surface before checking.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect([...claims.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: jobs }, (_, n) => n));
    expect([...claims.values()].filter((by) => by.length !== 1)).toEqual([]);
    // The work really was shared out (each consumer polls on its own schedule).
    expect(new Set([...claims.values()].flat()).size).toBeGreaterThan(1);
    const states = await db.query<{ state: string; n: number }>(
      `SELECT state::text AS state, count(*) AS n FROM ${QUEUE_SCHEMA}.job WHERE name = $1 GROUP BY 1`,
      [QUEUE],
    );
    expect(states.rows).toEqual([{ state: "completed", n: jobs }]);
  });

  it("hands concurrent fetches distinct jobs", async () => {
    const consumers = [boss, await start(await test.connect()), await start(await test.connect())];
    await db.transaction(async (tx) => {
      for (let n = 0; n < 30; n++) await enqueueInTransaction(boss, tx, QUEUE, { n });
    });
    const batches = await Promise.all(
      Array.from({ length: 12 }, (_, i) => consumers[i % consumers.length]!.fetch(QUEUE, { batchSize: 3 })),
    );
    const ids = batches.flat().map((job) => job.id);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
  });
});
