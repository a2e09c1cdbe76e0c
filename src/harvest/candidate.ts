// A merged PR → a task candidate in the SWE-bench shape, or a skip with its reason.
import type { TaskRow } from "../../db/tasks.js";
import { changedLineCount, parseDiff, splitDiff } from "../diff/index.js";
import { diff, taskBaseCommit } from "../git.js";
import type { HarvestRules } from "../repo-config.js";
import type { HarvestSource, PullInfo } from "./source.js";

/** Past this the diff is not a task a model can be trained or judged on. */
export const MAX_DIFF_BYTES = 1024 * 1024;

export function instanceIdFor(repo: string, pullNumber: number): string {
  return `${repo.replace("/", "__")}-${pullNumber}`;
}

/** Pure: a reason to skip the PR for its size, or null. */
export function sizeSkipReason(pr: Pick<PullInfo, "changedFiles" | "additions" | "deletions">, rules: HarvestRules): string | null {
  const files = pr.changedFiles ?? 0;
  const lines = (pr.additions ?? 0) + (pr.deletions ?? 0);
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
  const tooLarge = sizeSkipReason(pr, opts.rules);
  if (tooLarge) return skip(tooLarge);
  const statement = await source.statement(pr);
  if (!statement.ok) return skip(statement.reason);
  const described = { problemStatement: statement.problemStatement, hintsText: statement.hintsText, issueNumbers: statement.issueNumbers };

  const cloneDir = await source.clone(opts.scratch);
  const baseCommit = await taskBaseCommit(cloneDir, pr.mergeCommitSha);
  const gold = await diff(cloneDir, baseCommit, pr.mergeCommitSha);
  const fields = { ...described, baseCommit, environmentSetupCommit: baseCommit };
  if (Buffer.byteLength(gold) > MAX_DIFF_BYTES) return skip(`too large: the diff is ${Buffer.byteLength(gold)} bytes (limit ${MAX_DIFF_BYTES})`, fields, cloneDir);
  const split = splitDiff(gold);
  const withPatches = { ...fields, patch: split.patch, testPatch: split.testPatch };
  if (!split.testPatch) return skip("no test change: the PR adds or edits no test file", withPatches, cloneDir);
  if (!split.patch) return skip("no non-test change: the PR only touches tests", withPatches, cloneDir);
  return { row: { ...base, ...withPatches, difficulty: difficultyOf(split.patch), status: "candidate", statusReason: null }, cloneDir };
}
