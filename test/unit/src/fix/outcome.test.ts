import { describe, expect, it } from "vitest";
import { classifyOutcome, type Outcome, type OutcomeInput } from "../../../../src/fix/outcome.js";

const pass = { resolved: true, valid: true };
const fail = { resolved: false, valid: true };
const clean = { cheated: false };

describe("classifyOutcome", () => {
  const cases: { name: string; input: OutcomeInput; outcome: Outcome; reason: RegExp }[] = [
    {
      name: "every test passes",
      input: { grade: pass, editedFiles: ["src/a.py"], goldFiles: ["src/a.py"], cheating: clean },
      outcome: "resolved",
      reason: /every FAIL_TO_PASS and PASS_TO_PASS test passes/,
    },
    {
      name: "resolved without touching the gold files is still resolved",
      input: { grade: pass, editedFiles: ["src/b.py"], goldFiles: ["src/a.py"], cheating: clean },
      outcome: "resolved",
      reason: /passes/,
    },
    {
      name: "cheated wins over resolved",
      input: { grade: pass, editedFiles: ["tests/test_a.py"], goldFiles: ["src/a.py"], cheating: { cheated: true, reason: "the patch modifies the test file tests/test_a.py" } },
      outcome: "cheated",
      reason: /modifies the test file tests\/test_a\.py/,
    },
    {
      name: "cheated wins over an infra error",
      input: { grade: null, editedFiles: [], goldFiles: [], cheating: { cheated: true }, infraError: "docker_unavailable" },
      outcome: "cheated",
      reason: /tampers with the tests/,
    },
    {
      name: "infra error is never counted against the model",
      input: { grade: fail, editedFiles: ["src/a.py"], goldFiles: ["src/a.py"], cheating: clean, infraError: "sandbox_timeout: test run exceeded 600 s" },
      outcome: "infra-error",
      reason: /sandbox failed.*sandbox_timeout/,
    },
    {
      name: "edited files cover the gold files but tests fail: semi-resolved",
      input: { grade: fail, editedFiles: ["./src/a.py", "src/b.py", "src/extra.py"], goldFiles: ["a/src/a.py", "src/b.py"], cheating: clean },
      outcome: "semi-resolved",
      reason: /every file the reference fix edits/,
    },
    {
      name: "a gold file missed: unresolved",
      input: { grade: fail, editedFiles: ["src/a.py"], goldFiles: ["src/a.py", "src/b.py"], cheating: clean },
      outcome: "unresolved",
      reason: /misses files the reference fix edits/,
    },
    {
      name: "no gold files (a new issue): failing tests are unresolved",
      input: { grade: fail, editedFiles: ["src/a.py"], goldFiles: [], cheating: clean },
      outcome: "unresolved",
      reason: /^tests still fail$/,
    },
    {
      name: "a run without evidence after the patch is unresolved, not semi-resolved",
      input: { grade: { resolved: false, valid: false }, editedFiles: ["src/a.py"], goldFiles: ["src/a.py"], cheating: clean },
      outcome: "unresolved",
      reason: /no evidence that the suite ran/,
    },
    {
      name: "no graded run and no infra error: unresolved",
      input: { grade: null, editedFiles: ["src/a.py"], goldFiles: ["src/a.py"], cheating: clean },
      outcome: "unresolved",
      reason: /no test run was graded/,
    },
  ];

  it.each(cases)("$name", ({ input, outcome, reason }) => {
    const result = classifyOutcome(input);
    expect(result.outcome).toBe(outcome);
    expect(result.reason).toMatch(reason);
  });
});
