// Strategy `combine`: two validated bugs in the same file that apply cleanly together become one
// harder task, whose tests are the union of theirs.
import { applyPatch } from "diff";
import { createDiff } from "../../diff/index.js";
import { shuffled } from "../random.js";
import type { Attempt, Strategy, ValidatedBug } from "../types.js";

/** The file after both bugs, or null when they do not apply together. */
export function applyTogether(text: string, bugs: ValidatedBug[]): string | null {
  let out = text;
  for (const bug of bugs) {
    const next = applyPatch(out, bug.bugPatch);
    if (next === false) return null;
    out = next;
  }
  return out;
}

export const combineStrategy: Strategy = {
  name: "combine",
  unavailable: ({ validated }) => ((validated?.length ?? 0) < 2 ? "fewer than two validated bugs to combine" : null),
  async generate({ repo, target, validated = [], random, max }) {
    const base = { strategy: "combine", operator: "combine", file: target.file, symbol: target.symbol };
    const here = validated.filter((b) => b.file === target.file);
    if (here.length < 2) return [{ ok: false, ...base, reason: `fewer than two validated bugs in ${target.file}` }];
    const text = await repo.read(target.file);
    if (text === undefined) return [{ ok: false, ...base, reason: `${target.file} is not in the snapshot` }];
    const pairs: [ValidatedBug, ValidatedBug][] = [];
    for (let i = 0; i < here.length; i++) for (let j = i + 1; j < here.length; j++) pairs.push([here[i] as ValidatedBug, here[j] as ValidatedBug]);
    const out: Attempt[] = [];
    for (const pair of shuffled(pairs, random)) {
      if (out.filter((a) => a.ok).length >= max) break;
      const after = applyTogether(text, pair);
      if (after === null) {
        out.push({ ok: false, ...base, reason: `${pair[0].instanceId} and ${pair[1].instanceId} do not apply together` });
        continue;
      }
      const tests = [...new Set(pair.flatMap((b) => b.failToPass))].sort();
      const changed = changedLines(text, after);
      out.push({ ok: true, candidate: { ...base, lines: changed, bugPatch: createDiff([{ path: target.file, before: text, after }]), tests, parts: pair.map((b) => b.instanceId) } });
    }
    return out;
  },
};

/** First and last line of `before` that differ in `after`. */
function changedLines(before: string, after: string): [number, number] {
  const a = before.split("\n");
  const b = after.split("\n");
  let first = 0;
  while (first < a.length && a[first] === b[first]) first++;
  let ea = a.length - 1;
  let eb = b.length - 1;
  while (ea > first && eb > first && a[ea] === b[eb]) {
    ea--;
    eb--;
  }
  return [first + 1, ea + 1];
}
