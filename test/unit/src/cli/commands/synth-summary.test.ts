import { describe, expect, it } from "vitest";
import { summaryText } from "../../../../../src/cli/commands/synth.js";
import type { SynthReport } from "../../../../../src/synthetic/synthesize.js";

const report = (confirmations: SynthReport["confirmations"]): SynthReport => ({
  repo: "acme/lib",
  commit: "0123456789abcdef",
  error: null,
  coverage: { tool: "coverage.py", reused: true },
  targets: 12,
  outcomes: [],
  discarded: [],
  summary: { ast: { candidates: 5, valid: 3, discarded: { "no covering test fails with the bug": 2 }, leakRejections: 1, issueTexts: 3 } },
  confirmations,
  timings: { baselineMs: 0, coverageMs: 0, validationMs: 0, totalMs: 0, phases: { apply: { ms: 0, n: 0 }, fast: { ms: 0, n: 0 }, full: { ms: 0, n: 0 }, revert: { ms: 0, n: 0 }, issue: { ms: 0, n: 0 } } },
  cpu: { baselineMs: null, coverageMs: null, validationMs: null },
});

describe("lego synth's summary", () => {
  it("says how many full-suite runs confirmed how many bugs, and why a group was split", () => {
    const text = summaryText(report({ groups: 3, bugs: 9, splits: ["4 bugs: tests/t.py::x does not pass with the group and covers none of its bugs"] }));
    expect(text).toContain("ast          3/5 valid (60%); issue texts 3, leak-check rejections 1");
    expect(text).toContain("full-suite confirmations: 3 for 9 bug(s) that survived their covering tests; 1 group(s) split (4 bugs: tests/t.py::x does not pass with the group and covers none of its bugs)");
    expect(summaryText(report({ groups: 0, bugs: 0, splits: [] }))).not.toContain("confirmations");
  });
});
