// uvu's own printed output (it has no structured reporter): a file header line, one mark per
// test under each suite, a `FAIL <suite> "<test>"` block per failure, and the totals. It names
// only the tests that failed, so this parser gives FAILED ids (`file > suite > test`, the ids the
// report preload writes, see uvu-hook.ts) and the summary; it never claims a test passed. The
// per-test results of a run come from the preload's report; this output is only read as claims.
import { lineSegments } from "./log-text.js";
import { RunBuilder } from "./run-builder.js";
import type { ParsedRun } from "./types.js";

const FILE_HEADER = /^(\S+\.[cm]?[jt]sx?)$/;
const FAIL = /^\s*FAIL\s+(?:(\S.*?)\s+)?"(.*)"$/;
const TOTAL = /^\s*(Total|Passed|Skipped):\s+(\d+)$/;
const MAX_LINE = 16_384;

export function parseUvu(body: string, _root: string): ParsedRun {
  const run = new RunBuilder();
  const totals: Record<string, number> = {};
  for (const lines of lineSegments(body, run)) {
    let file = "";
    for (const raw of lines) {
      if (raw.length > MAX_LINE) continue;
      const line = raw.trimEnd();
      const header = FILE_HEADER.exec(line);
      if (header?.[1]) {
        file = header[1];
        continue;
      }
      const fail = FAIL.exec(line);
      if (fail) {
        run.set([file, fail[1] ?? "", fail[2] ?? ""].filter((p) => p !== "").join(" > "), "FAILED");
        continue;
      }
      const total = TOTAL.exec(line);
      if (total?.[1]) totals[total[1]] = Number(total[2]);
    }
  }
  if (totals.Total !== undefined && totals.Passed !== undefined) {
    run.summary = { passed: totals.Passed, failed: Math.max(0, totals.Total - totals.Passed), skipped: totals.Skipped ?? 0 };
    run.ran = true;
  }
  return run.build();
}
