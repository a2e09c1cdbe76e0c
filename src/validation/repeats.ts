// Cheaper flaky detection: each state runs the whole selection once; then only the tests whose
// status differs between NOP and Oracle (the FAIL_TO_PASS candidates) plus a fixed-size sample
// of the rest are repeated, as many times as validation.runs asks. Tests left out of a repeat
// keep their first status in it (they showed no sign of flakiness and were not re-asked).
import { createHash } from "node:crypto";
import type { ParsedRun } from "../../sandbox/test-logs/index.js";

/** Tests repeated beyond the differing ones: enough to catch a suite-wide flake, cheap on a 2,000-test file. */
export const REPEAT_SAMPLE = 25;

/** Pure: the ids to repeat: every id whose status differs between the states' first runs, then a stable sample of the rest. */
export function repeatSelection(nop: ParsedRun, oracle: ParsedRun, sample = REPEAT_SAMPLE): string[] {
  const ids = [...new Set([...Object.keys(nop.statuses), ...Object.keys(oracle.statuses)])];
  const differing = ids.filter((id) => nop.statuses[id] !== oracle.statuses[id]);
  const differ = new Set(differing);
  const digest = (id: string) => createHash("sha1").update(id).digest("hex");
  const rest = ids.filter((id) => !differ.has(id)).map((id) => [digest(id), id] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1)).slice(0, sample).map(([, id]) => id);
  return [...differing.sort(), ...rest.sort()];
}

/** Pure: a repeat of some ids laid over the state's first run; a repeated id the repeat lacks is missing (failed). */
export function overlayRepeat(first: ParsedRun, repeat: ParsedRun, ids: string[]): ParsedRun {
  const statuses = Object.assign(Object.create(null), first.statuses) as ParsedRun["statuses"];
  for (const id of ids) {
    if (Object.hasOwn(repeat.statuses, id)) statuses[id] = repeat.statuses[id] as ParsedRun["statuses"][string];
    else delete statuses[id];
  }
  const out: ParsedRun = { statuses, ran: repeat.ran, notes: [...new Set([...first.notes, ...repeat.notes])] };
  if (repeat.summary) out.summary = repeat.summary;
  if (repeat.truncated) out.truncated = true;
  if (repeat.untrusted) out.untrusted = repeat.untrusted;
  if (repeat.spoofed) out.spoofed = true;
  return out;
}

/** Pure: the test file an id names, when it names one (`file::test`, `file > suite > test`). */
export function fileOfTestId(id: string): string | null {
  const head = id.split("::")[0]?.split(" > ")[0] ?? "";
  return /\.[A-Za-z0-9]+$/.test(head) && head !== id ? head : /\.py$/.test(id) ? id : null;
}
