import { describe, expect, it } from "vitest";
import { ahead } from "../../../training/ahead.js";

const tick = () => new Promise((r) => setTimeout(r, 1));

describe("ahead", () => {
  it("yields in order, with at most `depth` loads in flight", async () => {
    let inFlight = 0;
    let most = 0;
    const load = async (n: number) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      // Later items finish first: order must still hold.
      await new Promise((r) => setTimeout(r, 10 - n));
      inFlight -= 1;
      return n * 10;
    };
    const out: number[] = [];
    for await (const v of ahead([1, 2, 3, 4, 5, 6, 7], 3, load)) out.push(v);
    expect(out).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(most).toBe(3);
  });

  it("a depth below 1 loads one at a time; an empty input yields nothing", async () => {
    const started: number[] = [];
    const it = ahead([1, 2], 0, async (n) => (started.push(n), n))[Symbol.asyncIterator]();
    expect(await it.next()).toEqual({ value: 1, done: false });
    expect(started).toEqual([1, 2]);
    const none: number[] = [];
    for await (const v of ahead([], 4, async (n: number) => n)) none.push(v);
    expect(none).toEqual([]);
  });

  it("a failed load fails the iteration at its turn, after the items before it, and is never unhandled", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    try {
      const out: number[] = [];
      const run = async () => {
        for await (const v of ahead([1, 2, 3], 3, async (n) => {
          if (n === 3) throw new Error("three is corrupt");
          await tick();
          await tick();
          return n;
        }))
          out.push(v);
      };
      await expect(run()).rejects.toThrow("three is corrupt");
      expect(out).toEqual([1, 2]);
      await tick();
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
