import { describe, expect, it } from "vitest";
import { classifyReproTests, type HybridCandidate, hybridRank, keptCount } from "../../../../src/fix/hybrid.js";

function c(index: number, score: number | null, regressionPassed: number | null, repro: Record<string, boolean> = {}, changedLines = 10): HybridCandidate {
  return { id: `r${index}`, index, score, changedLines, regressionPassed, repro };
}

describe("keptCount", () => {
  it.each([
    [1, 1],
    [2, 2],
    [3, 3],
    [4, 3],
    [6, 3],
    [7, 4],
    [8, 4],
    [16, 8],
  ])("%i candidates keep %i", (n, kept) => expect(keptCount(n)).toBe(kept));
});

describe("classifyReproTests", () => {
  it("counts only tests that fail unpatched and pass somewhere", () => {
    const out = classifyReproTests({
      unpatched: { fixed: false, always: true, never: false, good: false },
      candidates: [c(0, 0.5, 1, { fixed: true, always: true, never: false }), c(1, 0.5, 1, { fixed: false, always: true, never: false, lonely: true })],
    });
    expect(out.counted).toEqual(["fixed"]);
    expect(out.ignored).toEqual([
      { id: "always", why: "passes on the unpatched tree too" },
      { id: "good", why: "fails with every candidate" },
      { id: "lonely", why: "did not run on the unpatched tree" },
      { id: "never", why: "fails with every candidate" },
    ]);
  });
});

describe("hybridRank", () => {
  const cases: { name: string; candidates: HybridCandidate[]; unpatched?: Record<string, boolean>; order: number[]; decidedBy: string[] }[] = [
    {
      name: "with no execution evidence it is the verifier's order",
      candidates: [c(0, 0.2, null), c(1, 0.9, null), c(2, 0.6, null)],
      order: [1, 2, 0],
      decidedBy: ["verifier score", "verifier score"],
    },
    {
      name: "more regression tests passing beats a higher score",
      candidates: [c(0, 0.95, 40), c(1, 0.7, 42), c(2, 0.5, 41)],
      order: [1, 2, 0],
      decidedBy: ["regression tests", "regression tests"],
    },
    {
      name: "reproduction tests break a regression tie; the verifier's pick loses",
      candidates: [c(0, 0.95, 42, { t1: false, t2: false }), c(1, 0.7, 42, { t1: true, t2: true }), c(2, 0.6, 42, { t1: true, t2: false }), c(3, 0.1, 42, { t1: true, t2: true })],
      unpatched: { t1: false, t2: false },
      order: [1, 2, 0, 3],
      decidedBy: ["reproduction tests", "reproduction tests", "top half"],
    },
    {
      name: "a test that passes unpatched counts for nothing",
      candidates: [c(0, 0.9, 5, { easy: true }), c(1, 0.8, 5, { easy: false }), c(2, 0.7, 5, { easy: true })],
      unpatched: { easy: true },
      order: [0, 1, 2],
      decidedBy: ["verifier score", "verifier score"],
    },
    {
      name: "a test that fails everywhere counts for nothing",
      candidates: [c(0, 0.6, 5, { hard: false }), c(1, 0.8, 5, { hard: false })],
      unpatched: { hard: false },
      order: [1, 0],
      decidedBy: ["verifier score"],
    },
    {
      name: "the bottom half is cut whatever its tests say, and stays in the verifier's order",
      candidates: [c(0, 0.9, 1), c(1, 0.8, 1), c(2, 0.7, 1), c(3, 0.6, 1), c(4, 0.5, 9), c(5, 0.4, 9, {}, 1), c(6, 0.3, 9), c(7, 0.2, 9)],
      order: [0, 1, 2, 3, 4, 5, 6, 7],
      decidedBy: ["verifier score", "verifier score", "verifier score", "top half", "verifier score", "verifier score", "verifier score"],
    },
    {
      name: "at least 3 are kept: the verifier's third can win on tests",
      candidates: [c(0, 0.9, 3), c(1, 0.8, 3), c(2, 0.1, 4), c(3, 0.05, 9)],
      order: [2, 0, 1, 3],
      decidedBy: ["regression tests", "verifier score", "top half"],
    },
    {
      name: "unscored candidates rank after scored ones in the cut",
      candidates: [c(0, null, 5), c(1, 0.3, 5), c(2, 0.2, 5), c(3, 0.1, 5)],
      order: [1, 2, 3, 0],
      decidedBy: ["verifier score", "verifier score", "top half"],
    },
    {
      name: "ties go to the smaller patch, then the lower index, whatever the input order",
      candidates: [c(3, 0.5, 5, {}, 10), c(1, 0.5, 5, {}, 10), c(2, 0.5, 5, {}, 3)],
      order: [2, 1, 3],
      decidedBy: ["smaller patch", "lower index"],
    },
    {
      name: "unknown regression results rank below any known count",
      candidates: [c(0, 0.9, null), c(1, 0.2, 0)],
      order: [1, 0],
      decidedBy: ["regression tests"],
    },
  ];
  for (const t of cases) {
    it(t.name, () => {
      const out = hybridRank({ candidates: t.candidates, unpatched: t.unpatched ?? {} });
      expect(out.rows.map((r) => r.index)).toEqual(t.order);
      expect(out.rows.map((r) => r.rank)).toEqual(t.order.map((_, i) => i + 1));
      expect(out.decidedBy).toEqual(t.decidedBy);
      const reversed = hybridRank({ candidates: [...t.candidates].reverse(), unpatched: t.unpatched ?? {} });
      expect(reversed.rows.map((r) => r.index)).toEqual(t.order);
    });
  }

  it("records every input and key", () => {
    const out = hybridRank({ candidates: [c(0, 0.9, 3, { t: false }), c(1, 0.4, 3, { t: true })], unpatched: { t: false } });
    expect(out.kept).toBe(2);
    expect(out.counted).toEqual(["t"]);
    expect(out.rows[0]).toEqual({ id: "r1", index: 1, score: 0.4, verifierRank: 2, topHalf: true, regressionPassed: 3, reproPassed: ["t"], rank: 1 });
    expect(out.rows[1]).toMatchObject({ index: 0, verifierRank: 1, reproPassed: [], rank: 2 });
  });

  it("an empty list ranks nothing", () => {
    expect(hybridRank({ candidates: [], unpatched: {} })).toEqual({ rows: [], kept: 0, counted: [], ignored: [], decidedBy: [] });
  });
});
