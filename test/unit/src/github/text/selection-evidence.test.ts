import { describe, expect, it } from "vitest";
import { rolloutCosts } from "../../../../../src/fix/costs.js";
import { type Candidate, selectCandidate, selectionEvidence } from "../../../../../src/fix/select.js";
import { renderExplanation } from "../../../../../src/github/text/explain.js";
import { costsSection, selectionSection } from "../../../../../src/github/text/selection-evidence.js";

const cand = (index: number, score: number, repro: Record<string, boolean>): Candidate => ({
  id: `r${index}`,
  index,
  patch: `diff --git a/f b/f\n+x\n`,
  editsTests: false,
  breaksPassingTests: [],
  score,
  changedLines: 2,
  regressionPassed: 12,
  repro,
});

const repro = {
  tests: [
    { key: "aaa", files: ["tests/test_issue.py"], rollouts: [1, 2] },
    { key: "bbb", files: ["tests/test_other.py"], rollouts: [0] },
  ],
  rejected: [{ rollout: 3, files: ["tests/test_helpers.py"], why: "imports calc_helpers.py, a module its own rollout adds: it can only pass with that rollout's patch" }],
  runs: [
    { tree: "unpatched" as const, bundle: 0, command: "pytest", passed: 1, failed: 1, durationMs: 1200 },
    { tree: 0, bundle: 0, command: "pytest", passed: 1, failed: 1, durationMs: 1500, error: "the test command did not finish within 300 s in the REPRO run and was killed: pytest" },
  ],
  unpatched: { "r1+2:tests/test_issue.py::test_add": false, "r0:tests/test_other.py::test_x": true },
};

describe("selectionSection", () => {
  const sel = selectCandidate(
    [cand(0, 0.95, { "r1+2:tests/test_issue.py::test_add": false, "r0:tests/test_other.py::test_x": true }), cand(1, 0.7, { "r1+2:tests/test_issue.py::test_add": true, "r0:tests/test_other.py::test_x": true }), cand(2, 0.6, { "r1+2:tests/test_issue.py::test_add": true })],
    undefined,
    { unpatched: repro.unpatched },
  );
  const text = selectionSection(selectionEvidence(sel, repro)) ?? "";

  it("says which rollout the verifier alone would have chosen and why the hybrid ranking differs", () => {
    expect(text).toContain("The verifier alone would have chosen rollout 0; the hybrid ranking chose rollout 1.");
    expect(text).toContain("| 1 | 1 | 0.700 | 2 | yes | 12 | 1 | verifier score |");
    expect(text).toContain("| 2 | 2 | 0.600 | 3 | yes | 12 | 1 | reproduction tests |");
    expect(text).toContain("| 3 | 0 | 0.950 | 1 | yes | 12 | 0 | — |");
  });

  it("lists counted, ignored, rejected and shared tests and the runs that failed", () => {
    expect(text).toContain("- counted: `r1+2:tests/test_issue.py::test_add`: fails unpatched, passes with rollouts 1, 2");
    expect(text).toContain("- not counted: `r0:tests/test_other.py::test_x`: passes on the unpatched tree too");
    expect(text).toContain("- rejected: rollout 3's `tests/test_helpers.py`: imports calc_helpers.py");
    expect(text).toContain("- identical in rollouts 1, 2: `tests/test_issue.py` (run once)");
    expect(text).toContain("- run on rollout 0: the test command did not finish within 300 s");
    expect(text).toContain("2 runs in all, 3 s of test time.");
  });

  it("says when no reproduction test ran, and describes verifier mode", () => {
    const skipped = selectionSection(selectionEvidence(sel, { ...repro, runs: [], skipped: "no rollout wrote a usable reproduction test" })) ?? "";
    expect(skipped).toContain("None ran: no rollout wrote a usable reproduction test.");
    const verifier = selectionSection(selectionEvidence(selectCandidate([cand(0, 0.9, {})], undefined, { mode: "verifier" }), null)) ?? "";
    expect(verifier).toContain("**Selection:** `verifier`");
    expect(selectionSection(null)).toBeNull();
  });
});

describe("costsSection", () => {
  it("shows tokens, cost and wall time per rollout and in total", () => {
    const t0 = new Date("2026-01-01T00:00:00Z");
    const costs = rolloutCosts([
      { index: 1, promptTokens: 1000, completionTokens: 200, costUsd: 0.012, startedAt: t0, finishedAt: new Date(t0.getTime() + 61_000) },
      { index: 0, promptTokens: 500, completionTokens: 100, costUsd: 0.006, startedAt: t0, finishedAt: new Date(t0.getTime() + 30_000) },
      { index: 2, promptTokens: null, completionTokens: null, costUsd: null, startedAt: null, finishedAt: null },
    ]);
    const text = costsSection(costs, 95_000);
    expect(text).toContain("| 0 | 500 | 100 | $0.0060 | 30 s |");
    expect(text).toContain("| 1 | 1000 | 200 | $0.0120 | 61 s |");
    expect(text).toContain("| 2 | — | — | — | — |");
    expect(text).toContain("| **total** | 1500 | 300 | $0.0180 | 91 s |");
    expect(text).toContain("The attempt took 95 s");
  });
});

describe("renderExplanation", () => {
  it("carries the ranking and the costs", () => {
    const row = (index: number) => ({ id: `r${index}`, index, status: "finished", outcome: null, verifierScore: 0.9, verifierReasoning: "looks right", evaluation: null, promptTokens: 10, completionTokens: 5, costUsd: 0.001, startedAt: null, finishedAt: null }) as never;
    const sel = selectCandidate([cand(0, 0.9, {}), cand(1, 0.8, {})], undefined, {});
    const text = renderExplanation({ issueNumber: 7, chosenRolloutId: "r0", rollouts: [row(0), row(1)], steps: [], selection: selectionEvidence(sel, null) });
    expect(text).toContain("#### How the candidate was chosen");
    expect(text).toContain("#### Costs");
    expect(text).toContain("| **total** | 20 | 10 | $0.0020 | 0 s |");
  });
});
