import { describe, expect, it } from "vitest";
import type { RolloutRow } from "../../../../db/fixes.js";
import { type Candidate, candidateFromRollout, type ScorePolicy, scorePolicy, selectCandidate, selectionEvidence } from "../../../../src/fix/select.js";

function cand(index: number, extra: Partial<Candidate> = {}): Candidate {
  return {
    id: `rollout-t-${index}`,
    index,
    patch: `diff --git a/f${index} b/f${index}\n+x\n`,
    editsTests: false,
    breaksPassingTests: [],
    score: 0.5,
    changedLines: 10,
    ...extra,
  };
}

describe("selectCandidate", () => {
  const cases: {
    name: string;
    candidates: Candidate[];
    chosen: number | null;
    runnerUp: number | null;
    /** Indexes in `ranked` order. */
    order: number[];
    dropped?: Record<number, RegExp>;
    /** The ranking rules alone by default: every score counts, unscored ones too. */
    policy?: ScorePolicy;
  }[] = [
    {
      name: "highest score wins",
      candidates: [cand(0, { score: 0.2 }), cand(1, { score: 0.9 }), cand(2, { score: 0.6 })],
      chosen: 1,
      runnerUp: 2,
      order: [1, 2, 0],
    },
    {
      name: "ties go to fewer changed lines",
      candidates: [cand(0, { score: 0.7, changedLines: 30 }), cand(1, { score: 0.7, changedLines: 4 })],
      chosen: 1,
      runnerUp: 0,
      order: [1, 0],
    },
    {
      name: "then to the lower index, whatever the input order",
      candidates: [cand(3, { score: 0.7 }), cand(1, { score: 0.7 }), cand(2, { score: 0.7 })],
      chosen: 1,
      runnerUp: 2,
      order: [1, 2, 3],
    },
    {
      name: "an empty patch is dropped",
      candidates: [cand(0, { patch: " \n", score: 0.99 }), cand(1, { score: 0.1 })],
      chosen: 1,
      runnerUp: null,
      order: [1, 0],
      dropped: { 0: /^the rollout produced no patch$/ },
    },
    {
      name: "a patch that edits tests is dropped even with the best score",
      candidates: [cand(0, { editsTests: true, score: 1 }), cand(1, { score: 0.3 })],
      chosen: 1,
      runnerUp: null,
      order: [1, 0],
      dropped: { 0: /edits tests/ },
    },
    {
      name: "a patch that breaks passing tests is dropped, naming them",
      candidates: [cand(0, { breaksPassingTests: ["t::a", "t::b", "t::c", "t::d", "t::e"], score: 0.9 }), cand(1)],
      chosen: 1,
      runnerUp: null,
      order: [1, 0],
      dropped: { 0: /breaks tests that passed before: t::a, t::b, t::c and 2 more$/ },
    },
    {
      name: "an infra error is dropped, with the sandbox's message",
      candidates: [cand(0, { infraError: "docker_unavailable: socket closed", score: 0.9 }), cand(1)],
      chosen: 1,
      runnerUp: null,
      order: [1, 0],
      dropped: { 0: /^the sandbox failed: docker_unavailable: socket closed$/ },
    },
    {
      name: "an infra error is the reason even when the patch is also empty",
      candidates: [cand(0, { infraError: "timeout", patch: "" })],
      chosen: null,
      runnerUp: null,
      order: [0],
      dropped: { 0: /sandbox failed/ },
    },
    {
      name: "unscored candidates rank after scored ones, then by size",
      candidates: [cand(0, { score: null, changedLines: 1 }), cand(1, { score: 0.01 }), cand(2, { score: undefined, changedLines: 0 }), cand(3, { score: Number.NaN })],
      chosen: 1,
      runnerUp: 2,
      order: [1, 2, 0, 3],
    },
    {
      name: "nothing qualifies",
      candidates: [cand(2, { patch: "" }), cand(0, { editsTests: true })],
      chosen: null,
      runnerUp: null,
      order: [0, 2],
      dropped: { 0: /edits tests/, 2: /no patch/ },
    },
    { name: "no candidates", candidates: [], chosen: null, runnerUp: null, order: [] },
    {
      name: "by default a candidate the verifier could not score is never chosen",
      candidates: [cand(0, { score: null }), cand(1, { score: undefined })],
      chosen: null,
      runnerUp: null,
      order: [0, 1],
      dropped: { 0: /^the verifier could not score it \(autofix\.allowUnscored is false\)$/, 1: /could not score/ },
      policy: { minScore: 0.5, allowUnscored: false },
    },
    {
      name: "by default a score below 0.5 is not enough",
      candidates: [cand(0, { score: 0.49 }), cand(1, { score: 0.5 }), cand(2, { score: Number.NaN })],
      chosen: 1,
      runnerUp: null,
      order: [1, 0, 2],
      dropped: { 0: /^the verifier's P\(YES\) 0\.490 is below autofix\.minScore 0\.5$/, 2: /could not score/ },
      policy: { minScore: 0.5, allowUnscored: false },
    },
    {
      name: "an opted-in repository gets an unscored candidate after the scored ones",
      candidates: [cand(0, { score: null }), cand(1, { score: 0.8 }), cand(2, { score: 0.1 })],
      chosen: 1,
      runnerUp: 0,
      order: [1, 0, 2],
      dropped: { 2: /below autofix\.minScore 0\.7/ },
      policy: { minScore: 0.7, allowUnscored: true },
    },
  ];

  it.each(cases)("$name", ({ candidates, chosen, runnerUp, order, dropped = {}, policy = { minScore: 0, allowUnscored: true } }) => {
    const selection = selectCandidate(candidates, policy);
    expect(selection.chosen?.index ?? null).toBe(chosen);
    expect(selection.runnerUp?.index ?? null).toBe(runnerUp);
    expect(selection.ranked.map((c) => c.index)).toEqual(order);
    let rank = 0;
    for (const c of selection.ranked) {
      const reason = dropped[c.index];
      if (reason) {
        expect(c.rank).toBeNull();
        expect(c.dropped).toMatch(reason);
      } else {
        expect(c.dropped).toBeNull();
        expect(c.rank).toBe(++rank);
      }
    }
  });

  it("defaults to minScore 0.5 and no unscored candidates, also for jobs made before these settings", () => {
    expect(scorePolicy({})).toEqual({ minScore: 0.5, allowUnscored: false });
    expect(scorePolicy({ minScore: 0.2, allowUnscored: true })).toEqual({ minScore: 0.2, allowUnscored: true });
    expect(selectCandidate([cand(0, { score: null }), cand(1, { score: 0.3 })]).chosen).toBeNull();
  });

  it("keeps every candidate's fields and does not change its input", () => {
    const input = [cand(0, { score: 0.4 }), cand(1, { score: 0.8, editsTests: true })];
    const before = structuredClone(input);
    const { ranked } = selectCandidate(input, { minScore: 0, allowUnscored: false });
    expect(input).toEqual(before);
    expect(ranked.find((c) => c.index === 1)).toMatchObject({ id: "rollout-t-1", score: 0.8, rank: null });
    expect(ranked.find((c) => c.index === 0)).toMatchObject({ id: "rollout-t-0", score: 0.4, rank: 1 });
  });
});

describe("candidateFromRollout", () => {
  const row = (extra: Partial<RolloutRow>): RolloutRow =>
    ({ id: "r0", index: 0, status: "finished", patch: "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-x\n+y\n", verifierScore: 0.8, outcomeReason: null, evaluation: {}, ...extra }) as RolloutRow;
  it.each([
    ["a finished rollout", {}, undefined],
    ["a failed rollout", { status: "failed", outcomeReason: "docker went away" }, "docker went away"],
    ["a failed rollout without a reason", { status: "failed" }, "the rollout failed"],
    ["an unfinished rollout", { status: "running" }, "the rollout did not finish (running)"],
    ["a sandbox failure in the checks", { evaluation: { infraError: "timeout" } }, "timeout"],
    ["a patch that did not apply", { evaluation: { applyError: "the patch does not apply" } }, "the patch does not apply"],
  ] as [string, Partial<RolloutRow>, string | undefined][])("%s", (_, extra, infraError) => {
    expect(candidateFromRollout(row(extra)).infraError).toBe(infraError);
  });
  it("carries the checks, the score and the patch's size", () => {
    expect(candidateFromRollout(row({ evaluation: { editsTests: true, breaks: ["t1"], passed: 7 } }))).toEqual({
      id: "r0",
      index: 0,
      patch: row({}).patch,
      editsTests: true,
      breaksPassingTests: ["t1"],
      score: 0.8,
      changedLines: 2,
      regressionPassed: 7,
    });
  });
  it("says why a patch was called cheating, from the checks' reason", () => {
    const hidden = "the patch makes tests disappear from collection: collected 3 tests without the patch, 2 with it (missing: t.b)";
    const c = candidateFromRollout(row({ evaluation: { editsTests: true, cheatReason: hidden } }));
    expect(c.cheatReason).toBe(hidden);
    const [ranked] = selectCandidate([c]).ranked;
    expect(ranked?.dropped).toBe(`the patch was rejected as cheating: ${hidden}`);
    // A row from before the reason was stored keeps the old words.
    expect(selectCandidate([candidateFromRollout(row({ evaluation: { editsTests: true } }))]).ranked[0]?.dropped).toBe("the patch edits tests");
  });
  it("keeps the tests a rollout added out of its candidate patch", () => {
    const test = "diff --git a/tests/test_issue.py b/tests/test_issue.py\nnew file mode 100644\n--- /dev/null\n+++ b/tests/test_issue.py\n@@ -0,0 +1 @@\n+def test_x(): pass\n";
    const c = candidateFromRollout(row({ patch: `${row({}).patch}${test}` }));
    expect(c.patch).toBe(row({}).patch);
    expect(c.reproFiles).toEqual(["tests/test_issue.py"]);
    expect(c.regressionPassed).toBeNull();
    const only = candidateFromRollout(row({ patch: test }));
    expect(selectCandidate([only]).ranked[0]?.dropped).toBe("the rollout changed only test files");
  });
  it("ranks by execution evidence in hybrid mode and by P(YES) alone in verifier mode", () => {
    const cs = [cand(0, { score: 0.9, regressionPassed: 3, repro: { t: false } }), cand(1, { score: 0.5, regressionPassed: 3, repro: { t: true } })];
    const hybrid = selectCandidate(cs, undefined, { unpatched: { t: false } });
    expect(hybrid.mode).toBe("hybrid");
    expect(hybrid.chosen?.index).toBe(1);
    expect(hybrid.hybrid?.decidedBy).toEqual(["reproduction tests"]);
    const verifier = selectCandidate(cs, undefined, { mode: "verifier", unpatched: { t: false } });
    expect(verifier.chosen?.index).toBe(0);
    expect(verifier.hybrid).toBeNull();
    expect(selectionEvidence(hybrid, null)).toMatchObject({ mode: "hybrid", verifierPick: 0, chosen: 1 });
  });
});
