// The report our unittest runner writes (unittest-runner.ts): one JSON line per test,
// `{"id": "mod.Class.test_x", "status": "PASSED"}`, then `{"end": true, "tests": N, ...}`.
// A report without its end line, with a line that is not one of these, with lines after the end,
// or whose end counts a different number of tests is cut or was written by something else: the
// run is then marked truncated (report.ts makes it untrusted).
import { RunBuilder } from "./run-builder.js";
import type { ParsedRun, TestStatus } from "./types.js";

const STATUSES = new Set<TestStatus>(["PASSED", "FAILED", "SKIPPED", "ERROR", "XFAIL"]);

export function parseUnittestReport(text: string): ParsedRun {
  const run = new RunBuilder();
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  let ended: number | null = null;
  let count = 0;
  const bad = (why: string): ParsedRun => {
    run.truncated = true;
    run.note(why);
    return run.build();
  };
  for (const [i, line] of lines.entries()) {
    if (ended !== null) return bad(`line ${i + 1} of the unittest report comes after its end line`);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return bad(`line ${i + 1} of the unittest report is not JSON`);
    }
    if (!isObject(value)) return bad(`line ${i + 1} of the unittest report is not an object`);
    if (value.end === true) {
      if (typeof value.tests !== "number") return bad("the unittest report's end line has no test count");
      ended = value.tests;
      continue;
    }
    const { id, status } = value;
    if (typeof id !== "string" || typeof status !== "string" || !STATUSES.has(status as TestStatus)) {
      return bad(`line ${i + 1} of the unittest report is not a test result`);
    }
    run.set(id, status as TestStatus);
    count++;
  }
  if (ended === null) return bad("the unittest report has no end line (cut)");
  if (ended !== count) return bad(`the unittest report's end line counts ${ended} tests, its lines ${count}`);
  // A run that collected nothing still ran: its empty report is complete.
  run.ran = true;
  const statuses = Object.values(run.statuses);
  const failed = statuses.filter((s) => s === "FAILED" || s === "ERROR").length;
  const skipped = statuses.filter((s) => s === "SKIPPED" || s === "XFAIL").length;
  run.summary = { passed: statuses.length - failed - skipped, failed, skipped };
  return run.build();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
