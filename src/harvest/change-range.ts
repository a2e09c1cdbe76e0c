// The commits a merged PR's own change runs between, one rule for every source: a merge
// commit's first parent (the branch it was merged into, just before) to the merge commit; a
// squash commit's parent to it; a rebase-merged series of k commits from the parent of its
// oldest commit to its newest. Never the merge base of a merge's parents: when the PR branch
// was behind, that range also holds everything merged into the target branch meanwhile.
import { git } from "../git.js";

export type ChangeRange = { ok: true; base: string; head: string } | { ok: false; reason: string };

/** Pure: the base from the head commit's parents, or why there is none to trust. */
export function baseFromParents(head: string, parents: string[]): ChangeRange {
  if (parents.length === 0) return { ok: false, reason: `${short(head)} is a root commit: there is no state before the change` };
  if (parents.length > 2) {
    return { ok: false, reason: `${short(head)} is an octopus merge of ${parents.length} parents: the pull request's own change cannot be told apart from the other branches'` };
  }
  return { ok: true, base: parents[0] as string, head };
}

/** Pure: the subjects of a PR's commits (oldest first) against the first-parent history ending at the head (newest first). */
export function isRebasedSeries(prSubjects: string[], historySubjects: string[]): boolean {
  if (prSubjects.length < 2 || historySubjects.length < prSubjects.length) return false;
  const landed = historySubjects.slice(0, prSubjects.length).reverse();
  return prSubjects.every((s, i) => s.trim() === landed[i]?.trim());
}

/**
 * The change range in a clone for a head commit that closes a series of `seriesLength` commits
 * (1 for merge and squash commits). A commit missing from the clone, a shallow boundary and an
 * octopus merge each end with a reason instead of a guessed base.
 */
export async function resolveChangeRange(dir: string, head: string, seriesLength = 1): Promise<ChangeRange> {
  const present = await git(dir, ["cat-file", "-e", `${head}^{commit}`]).then(() => true, () => false);
  if (!present) return { ok: false, reason: `the merge commit ${short(head)} is not in the clone (a shallow or partial clone?): fetch the full history to harvest it` };
  const shallow = (await git(dir, ["rev-parse", "--is-shallow-repository"])).trim() === "true";
  const chain = (await git(dir, ["rev-list", "--first-parent", "--parents", "-n", String(seriesLength), head])).split("\n").filter(Boolean).map((l) => l.split(" "));
  for (const [sha, ...parents] of chain) {
    if (parents.length === 0 && shallow) return { ok: false, reason: `the parent of ${short(sha as string)} is missing: the clone is shallow; fetch the full history to harvest it` };
    if (chain.length > 1 && parents.length !== 1) return { ok: false, reason: `the rebase-merged series ending at ${short(head)} contains ${short(sha as string)} with ${parents.length} parents` };
  }
  if (chain.length < seriesLength) return { ok: false, reason: `the series ending at ${short(head)} has ${seriesLength} commits but the history holds only ${chain.length}` };
  const oldest = chain[chain.length - 1] as string[];
  const range = baseFromParents(oldest[0] as string, oldest.slice(1));
  return range.ok ? { ok: true, base: range.base, head } : range;
}

function short(sha: string): string {
  return sha.slice(0, 12);
}
