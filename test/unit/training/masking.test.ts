import { describe, expect, it } from "vitest";
import type { StepErrorKind } from "../../../src/agent/index.js";
import { isMasked, type MaskMode } from "../../../training/masking.js";

type Case = [string, StepErrorKind | undefined, { none: boolean; "tool-errors": boolean; "all-nonzero": boolean }];

// The cases of the error-masking rule, each under the three modes.
const CASES: Case[] = [
  ["editor error (old_str not found)", "editor", { none: false, "tool-errors": true, "all-nonzero": true }],
  ["invalid or missing arguments", "bad-arguments", { none: false, "tool-errors": true, "all-nonzero": true }],
  ["unknown tool", "unknown-tool", { none: false, "tool-errors": true, "all-nonzero": true }],
  ["no parsable action", "no-action", { none: false, "tool-errors": true, "all-nonzero": true }],
  ["command not found", "command-not-found", { none: false, "tool-errors": true, "all-nonzero": true }],
  ["shell syntax error", "shell-syntax", { none: false, "tool-errors": true, "all-nonzero": true }],
  ["interactive prompt", "interactive-prompt", { none: false, "tool-errors": true, "all-nonzero": true }],
  ["input for a process that is not running", "not-interactive", { none: false, "tool-errors": true, "all-nonzero": true }],
  ["time-out", "timeout", { none: false, "tool-errors": true, "all-nonzero": true }],
  ["tests fail / bug reproduced (ran, exited non-zero)", "nonzero-exit", { none: false, "tool-errors": false, "all-nonzero": true }],
];

describe("isMasked", () => {
  it.each(CASES.flatMap(([name, kind, modes]) => (Object.keys(modes) as MaskMode[]).map((mode) => [name, mode, kind, modes[mode]] as const)))(
    "%s under %s",
    (_name, mode, errorKind, masked) => {
      expect(isMasked({ error: true, ...(errorKind ? { errorKind } : {}) }, mode)).toBe(masked);
    },
  );

  it.each(["none", "tool-errors", "all-nonzero"] as const)("never masks a step that succeeded (%s)", (mode) => {
    expect(isMasked({ error: false }, mode)).toBe(false);
  });

  it("does not mask an error recorded without a kind except under all-nonzero", () => {
    expect(isMasked({ error: true }, "tool-errors")).toBe(false);
    expect(isMasked({ error: true }, "all-nonzero")).toBe(true);
  });
});
