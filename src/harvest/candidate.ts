// A merged PR → a task candidate in the SWE-bench shape, or a skip with its reason.
import type { TaskRow } from "../../db/tasks.js";
import { changedLineCount, isTestFile, parseDiff, splitDiff } from "../diff/index.js";
import { diff } from "../git.js";
import type { HarvestRules } from "../repo-config.js";
import type { HarvestSource, PullInfo } from "./source.js";

/** Past this the diff is not a task a model can be trained or judged on. */
export const MAX_DIFF_BYTES = 1024 * 1024;

export function instanceIdFor(repo: string, pullNumber: number): string {
  return `${repo.replace("/", "__")}-${pullNumber}`;
}

/** Pure: a reason to skip the PR for the size of its gold diff (tests included), or null. */
export function sizeSkipReason(gold: string, rules: HarvestRules): string | null {
  const files = parseDiff(gold).length;
  const lines = changedLineCount(gold);
  if (files > rules.maxFiles) return `too large: ${files} files changed (harvest.maxFiles is ${rules.maxFiles})`;
  if (lines > rules.maxLines) return `too large: ${lines} lines changed (harvest.maxLines is ${rules.maxLines})`;
  return null;
}

/** Pure: easy / medium / hard from the size of the gold patch (non-test part). */
export function difficultyOf(patch: string): "easy" | "medium" | "hard" {
  const files = parseDiff(patch).length;
  const lines = changedLineCount(patch);
  if (files <= 1 && lines <= 10) return "easy";
  if (files <= 3 && lines <= 60) return "medium";
  return "hard";
}

/** Pure: the PR undoes an earlier change (GitHub's "Revert" button, `git revert`). */
export function isRevert(pr: Pick<PullInfo, "title" | "body">): boolean {
  return /^Revert\s+"/.test(pr.title.trim()) || /^This reverts commit [0-9a-f]{7,40}\b/m.test(pr.body);
}

export interface CandidateOptions {
  rules: HarvestRules & { skipBots: boolean };
  /** Scratch directory for the clone (GitHub sources). */
  scratch: string;
}

export interface TaskCandidate {
  row: TaskRow;
  /** The clone the row's commits live in, when the harvest got that far. */
  cloneDir?: string;
}

export async function harvestCandidate(source: HarvestSource, pullNumber: number, opts: CandidateOptions): Promise<TaskCandidate> {
  const instanceId = instanceIdFor(source.repo, pullNumber);
  const base: TaskRow = { instanceId, repo: source.repo, kind: "real", strategy: "merged-pr", pullNumber, baseCommit: "" };
  const skip = (statusReason: string, extra: Partial<TaskRow> = {}, cloneDir?: string): TaskCandidate => ({
    row: { ...base, ...extra, status: "skipped", statusReason },
    ...(cloneDir ? { cloneDir } : {}),
  });

  const pr = await source.pull(pullNumber);
  base.taskCreatedAt = pr.createdAt;
  if (!pr.merged || !pr.mergeCommitSha) return skip("pull request is not merged");
  if (opts.rules.skipBots && pr.authorIsBot) return skip(`authored by a bot (${pr.author}); harvest.skipBots is on`);
  if (isRevert(pr)) return skip(`a revert ("${pr.title}"): its tests would prove the code before an earlier change, not a fix`);
  if (source.changedFiles) {
    const files = await source.changedFiles(pr);
    if (files && !files.some(isTestFile)) return skip("no test change: the PR adds or edits no test file");
  }
  const statement = await source.statement(pr);
  if (!statement.ok) return skip(statement.reason);
  const described = { problemStatement: statement.problemStatement, hintsText: statement.hintsText, issueNumbers: statement.issueNumbers };

  const cloneDir = await source.clone(opts.scratch);
  const range = await source.changeRange(pr, cloneDir);
  if (!range.ok) return skip(range.reason, described, cloneDir);
  const baseCommit = range.base;
  // One diff for everything below: size limits, the test split and the line counts all read it.
  const gold = await diff(cloneDir, baseCommit, range.head);
  const fields = { ...described, baseCommit, environmentSetupCommit: baseCommit };
  if (Buffer.byteLength(gold) > MAX_DIFF_BYTES) return skip(`too large: the diff is ${Buffer.byteLength(gold)} bytes (limit ${MAX_DIFF_BYTES})`, fields, cloneDir);
  const tooLarge = sizeSkipReason(gold, opts.rules);
  if (tooLarge) return skip(tooLarge, fields, cloneDir);
  const split = splitDiff(gold);
  const withPatches = { ...fields, patch: split.patch, testPatch: split.testPatch };
  if (!split.testPatch) return skip("no test change: the PR adds or edits no test file", withPatches, cloneDir);
  if (!split.patch) return skip("no non-test change: the PR only touches tests", withPatches, cloneDir);
  return { row: { ...base, ...withPatches, difficulty: difficultyOf(split.patch), status: "candidate", statusReason: null }, cloneDir };
}
