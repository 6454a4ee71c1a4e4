import { describe, expect, it } from "vitest";
import { createGroupCommit } from "./group-commit.ts";

/** A write that records its batches and completes when told to. */
function heldWrites() {
  const batches: number[][] = [];
  const release: (() => void)[] = [];
  const write = async (batch: number[]) => {
    batches.push(batch);
    await new Promise<void>((resolve) => release.push(resolve));
    return batch.map(
      (n): PromiseSettledResult<number> =>
        n < 0
          ? { status: "rejected", reason: new Error(`bad ${n}`) }
          : { status: "fulfilled", value: n * 10 },
    );
  };
  const releaseNext = async () => {
    await new Promise((r) => setImmediate(r));
    release.shift()?.();
  };
  return { batches, write, releaseNext, open: () => release.length };
}

describe("group commit", () => {
  it("writes the first item at once and the ones that came meanwhile together, each with its answer", async () => {
    const w = heldWrites();
    const group = createGroupCommit(w.write, { maxBatch: 10, concurrency: 1 });
    const first = group.add(1);
    const rest = [2, -3, 4].map((n) => group.add(n).catch((error: Error) => error.message));
    expect(group.pending()).toBe(4);
    await w.releaseNext();
    expect(await first).toBe(10);
    await w.releaseNext();
    expect(await Promise.all(rest)).toEqual([20, "bad -3", 40]);
    expect(w.batches).toEqual([[1], [2, -3, 4]]);
    expect(group.pending()).toBe(0);
  });

  it("starts a second write beside a running one once enough items wait, never more than allowed", async () => {
    const w = heldWrites();
    const group = createGroupCommit(w.write, { maxBatch: 2, concurrency: 2, parallelFrom: 2 });
    const answers = [1, 2, 3, 4, 5].map((n) => group.add(n));
    // 1 alone; 2 and 3 beside it (two wait); 4 and 5 wait for a free write
    expect(w.batches).toEqual([[1], [2, 3]]);
    expect(w.open()).toBe(2);
    await w.releaseNext();
    await w.releaseNext();
    await new Promise((r) => setImmediate(r));
    expect(w.batches).toEqual([[1], [2, 3], [4, 5]]);
    await w.releaseNext();
    expect(await Promise.all(answers)).toEqual([10, 20, 30, 40, 50]);
  });

  it("fails every item of a write that throws, and goes on with the next", async () => {
    let calls = 0;
    const group = createGroupCommit(
      async (batch: number[]) => {
        calls += 1;
        if (calls === 1) throw new Error("connection lost");
        return batch.map((n): PromiseSettledResult<number> => ({ status: "fulfilled", value: n }));
      },
      { maxBatch: 10, concurrency: 1 },
    );
    await expect(group.add(1)).rejects.toThrow("connection lost");
    expect(await group.add(2)).toBe(2);
    await group.drain();
    expect(group.pending()).toBe(0);
  });
});
