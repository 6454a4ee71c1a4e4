import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Database, openDatabase, type Queryable } from "./database.ts";
import { DATABASE_KINDS, startTestBackend, type TestBackend, type TestDatabase } from "./testing/backends.ts";

describe.each(DATABASE_KINDS)("Database on %s", (kind) => {
  let backend: TestBackend;
  let test: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    backend = await startTestBackend(kind);
  });
  afterAll(async () => {
    await backend?.stop();
  });
  beforeEach(async () => {
    test = await backend.createDatabase();
    db = test.db;
    await db.query("CREATE TABLE items (id integer PRIMARY KEY, label text NOT NULL)");
  });
  afterEach(async () => {
    await test?.close();
  });

  const count = async (on: Queryable = db) =>
    (await on.query<{ n: number }>("SELECT count(*) AS n FROM items")).rows[0]?.n;

  it("reports its kind", () => {
    expect(db.kind).toBe(kind);
  });

  it("is what openDatabase opens for a data directory or URL, keeping data across opens", async () => {
    const options = await backend.persistentDatabaseOptions();
    expect(Object.keys(options)).toEqual([kind === "pglite" ? "dataDir" : "databaseUrl"]);
    const first = await openDatabase(options);
    expect(first.kind).toBe(kind);
    await first.query("CREATE TABLE kept (x int); INSERT INTO kept VALUES (7)");
    await first.close();
    const second = await openDatabase(options);
    expect((await second.query("SELECT x FROM kept")).rows).toEqual([{ x: 7 }]);
    await second.close();
  });

  it("runs parameterised statements with $n placeholders", async () => {
    const inserted = await db.query<{ id: number }>(
      "INSERT INTO items (id, label) VALUES ($1, $2), ($3, $2) RETURNING id",
      [1, "a", 2],
    );
    expect(inserted).toEqual({ rows: [{ id: 1 }, { id: 2 }], rowCount: 2 });
    const updated = await db.query("UPDATE items SET label = $1 WHERE id > $2", ["b", 0]);
    expect(updated).toEqual({ rows: [], rowCount: 2 });
    const selected = await db.query("SELECT id, label FROM items WHERE label = $1 ORDER BY id", ["b"]);
    expect(selected).toEqual({
      rows: [
        { id: 1, label: "b" },
        { id: 2, label: "b" },
      ],
      rowCount: 2,
    });
  });

  it("runs a script of several statements when given no parameters", async () => {
    const result = await db.query(
      "INSERT INTO items VALUES (1, 'a'); INSERT INTO items VALUES (2, 'b'); SELECT max(id) AS top FROM items",
    );
    expect(result.rows).toEqual([{ top: 2 }]);
    expect(await count()).toBe(2);
  });

  it("returns the same JavaScript values for each column type", async () => {
    const { rows } = await db.query(
      `SELECT 42::int4 AS int4, 7::int8 AS int8, 9007199254740993::int8 AS big, 1.50::numeric AS numeric,
              0.5::float8 AS float8, true AS bool, 'x'::text AS text, '2024-03-01'::date AS date,
              '2024-03-01T10:00:00+02:00'::timestamptz AS timestamptz, '{"a":[1,"b"]}'::jsonb AS jsonb,
              '\\x00ff'::bytea AS bytea, ARRAY['a','b'] AS text_array, ARRAY[1,2]::int8[] AS int8_array,
              ARRAY['2024-01-02']::date[] AS date_array,
              $1::jsonb AS json_param, $2::bytea AS bytea_param, NULL::text AS nothing`,
      [JSON.stringify({ z: 1 }), Buffer.from([1, 2])],
    );
    const row = rows[0]!;
    expect({ ...row, bytea: undefined, bytea_param: undefined }).toEqual({
      int4: 42,
      int8: 7,
      big: 9007199254740993n,
      numeric: "1.50",
      float8: 0.5,
      bool: true,
      text: "x",
      date: "2024-03-01",
      timestamptz: new Date("2024-03-01T08:00:00Z"),
      jsonb: { a: [1, "b"] },
      text_array: ["a", "b"],
      int8_array: [1, 2],
      date_array: ["2024-01-02"],
      json_param: { z: 1 },
      nothing: null,
      bytea: undefined,
      bytea_param: undefined,
    });
    expect(row.bytea).toBeInstanceOf(Uint8Array);
    expect([...(row.bytea as Uint8Array)]).toEqual([0, 255]);
    expect([...(row.bytea_param as Uint8Array)]).toEqual([1, 2]);
  });

  it("rejects with the PostgreSQL error code", async () => {
    await db.query("INSERT INTO items VALUES (1, 'a')");
    await expect(db.query("INSERT INTO items VALUES ($1, $2)", [1, "again"])).rejects.toMatchObject({
      code: "23505",
    });
  });

  it("commits a transaction whose callback resolves, and returns its value", async () => {
    const value = await db.transaction(async (tx) => {
      await tx.query("INSERT INTO items VALUES ($1, $2)", [1, "a"]);
      await tx.query("INSERT INTO items VALUES ($1, $2)", [2, "b"]);
      return "done";
    });
    expect(value).toBe("done");
    expect(await count()).toBe(2);
  });

  it("rolls a transaction back when its callback throws, and rethrows", async () => {
    const failure = new Error("boom");
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO items VALUES ($1, $2)", [1, "a"]);
        await tx.query("CREATE TABLE scratch (x int)");
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await count()).toBe(0);
    const scratch = await db.query("SELECT to_regclass('scratch') AS t");
    expect(scratch.rows).toEqual([{ t: null }]);
  });

  it("rolls back when a statement fails, leaving the database usable", async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO items VALUES ($1, $2)", [1, "a"]);
        await tx.query("INSERT INTO items VALUES ($1, $2)", [1, "duplicate"]);
      }),
    ).rejects.toMatchObject({ code: "23505" });
    expect(await count()).toBe(0);
    await db.query("INSERT INTO items VALUES (1, 'a')");
    expect(await count()).toBe(1);
  });

  it("refuses to commit when a failed statement's error was swallowed", async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO items VALUES ($1, $2)", [1, "a"]);
        await tx.query("SELECT 1 / 0").catch(() => undefined);
      }),
    ).rejects.toMatchObject({ code: "25P02", message: expect.stringContaining("rolled back at COMMIT") });
    expect(await count()).toBe(0);
  });

  it("reuses the open transaction for nested calls, so an outer rollback undoes inner work", async () => {
    const seen: Queryable[] = [];
    await expect(
      db.transaction(async (tx) => {
        await tx.transaction(async (inner) => {
          seen.push(inner);
          await inner.query("INSERT INTO items VALUES (1, 'a')");
        });
        await db.transaction(async (inner) => {
          seen.push(inner);
          await inner.query("INSERT INTO items VALUES (2, 'b')");
        });
        expect(seen).toEqual([tx, tx]);
        expect(await count(tx)).toBe(2);
        throw new Error("outer fails");
      }),
    ).rejects.toThrow("outer fails");
    expect(await count()).toBe(0);
  });

  it("runs statements issued on the database inside a transaction as part of it", async () => {
    await expect(
      db.transaction(async () => {
        await db.query("INSERT INTO items VALUES (1, 'a')");
        expect(await count()).toBe(1);
        throw new Error("undo");
      }),
    ).rejects.toThrow("undo");
    expect(await count()).toBe(0);
  });

  it("runs work registered with beforeCommit inside the transaction, after its callback", async () => {
    const order: string[] = [];
    await db.transaction(async (tx) => {
      tx.beforeCommit!(async () => {
        order.push("first hook");
        await tx.query("INSERT INTO items VALUES (2, 'hook')");
        tx.beforeCommit!(async () => {
          order.push("added by a hook");
        });
      });
      await tx.query("INSERT INTO items VALUES (1, 'body')");
      order.push("callback");
    });
    expect(order).toEqual(["callback", "first hook", "added by a hook"]);
    expect(await count()).toBe(2);
    expect(db.beforeCommit).toBeUndefined();
  });

  it("rolls the transaction back when beforeCommit work fails", async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO items VALUES (1, 'body')");
        tx.beforeCommit!(async () => {
          await tx.query("INSERT INTO items VALUES (1, 'again')");
        });
      }),
    ).rejects.toMatchObject({ code: "23505" });
    expect(await count()).toBe(0);
  });

  it("refuses a transaction handle used after its transaction ended", async () => {
    let leaked: Queryable | undefined;
    await db.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked!.query("SELECT 1")).rejects.toThrow("transaction already ended");
  });

  it("keeps concurrent transactions isolated and all of their writes", async () => {
    await db.query("CREATE TABLE counter (n integer NOT NULL); INSERT INTO counter VALUES (0)");
    const bumps = Array.from({ length: 20 }, (_, i) =>
      db.transaction(async (tx) => {
        const { rows } = await tx.query<{ n: number }>("SELECT n FROM counter FOR UPDATE");
        await tx.query("UPDATE counter SET n = $1", [rows[0]!.n + 1]);
        if (i % 5 === 0) throw new Error("rolled back");
      }),
    );
    const results = await Promise.allSettled(bumps);
    expect(results.filter((result) => result.status === "rejected")).toHaveLength(4);
    expect((await db.query("SELECT n FROM counter")).rows).toEqual([{ n: 16 }]);
  });

  it("does not leave a failed script's own transaction open", async () => {
    await expect(
      db.query("BEGIN; INSERT INTO items VALUES (1, 'a'); SELECT 1 / 0; COMMIT"),
    ).rejects.toMatchObject({
      code: "22012",
    });
    for (let i = 0; i < 3; i++) expect(await count()).toBe(0);
    await db.query("INSERT INTO items VALUES (2, 'b')");
    expect(await count()).toBe(1);
    if (kind === "postgres") {
      const stuck = await db.query(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
      );
      expect(stuck.rows).toEqual([{ n: 0 }]);
    }
  });

  it("makes uncommitted writes visible only inside their transaction", async () => {
    const other = await test.connect();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let written!: () => void;
    const wrote = new Promise<void>((resolve) => {
      written = resolve;
    });
    const open = db.transaction(async (tx) => {
      await tx.query("INSERT INTO items VALUES (1, 'a')");
      written();
      await gate;
    });
    await wrote;
    // Started while the transaction is open, from outside it.
    const outside = count(other);
    const early = await Promise.race([
      outside,
      new Promise((resolve) => setTimeout(resolve, 200, "waiting")),
    ]);
    release();
    await open;
    if (kind === "postgres") {
      // Another connection reads the last committed state at once.
      expect(early).toBe(0);
    } else {
      // PGlite's one connection belongs to the transaction: the read waits for it, then sees the commit.
      expect(early).toBe("waiting");
      expect(await outside).toBe(1);
    }
  });
});

describe("openDatabase", () => {
  it("opens PGlite in memory when given neither a URL nor a data directory", async () => {
    const db = await openDatabase();
    expect(db.kind).toBe("pglite");
    expect((await db.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    await db.close();
  });
});
