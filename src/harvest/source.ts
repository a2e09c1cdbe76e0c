// Where a merged pull request comes from: GitHub (REST + GraphQL) or a local repository's
// history. The harvest decides the same way for both.
import type { ChangeRange } from "./change-range.js";

export interface PullInfo {
  number: number;
  title: string;
  body: string;
  merged: boolean;
  mergeCommitSha: string | null;
  createdAt: string;
  author: string;
  authorIsBot: boolean;
  /** When the PR's first commit was made: issue comments before it become hints_text. */
  firstCommitAt: string | null;
}

export type Statement =
  | { ok: true; problemStatement: string; hintsText: string; issueNumbers: number[] }
  | { ok: false; reason: string };

export interface HarvestSource {
  /** owner/name, or local/<dir> for a repository with no GitHub remote. */
  repo: string;
  pull(number: number): Promise<PullInfo>;
  /** The task's problem statement and hints, or why there is none. */
  statement(pull: PullInfo): Promise<Statement>;
  /** The commits the PR's own change runs between, in `clone` (see change-range.ts), or why they cannot be known. */
  changeRange(pull: PullInfo, clone: string): Promise<ChangeRange>;
  /**
   * The paths the PR changes, when the source can list them without cloning or building (a local
   * history): a PR that touches no test file is then skipped before anything expensive. Null:
   * unknown here, the full harvest decides.
   */
  changedFiles?(pull: PullInfo): Promise<string[] | null>;
  /** A clone with all history: made under `scratch` (or one the source already holds); returns its path. */
  clone(scratch: string): Promise<string>;
}

export interface IssueComment {
  body: string;
  createdAt: string;
}

/** Pure: comments made before the PR's first commit, oldest first (SWE-bench's hints_text). */
export function hintsBefore(comments: IssueComment[], firstCommitAt: string | null): string {
  if (!firstCommitAt) return "";
  // Commit times have one-second resolution: a comment in the same second counts as before.
  const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
  const cutoff = seconds(firstCommitAt);
  return comments
    .filter((c) => seconds(c.createdAt) <= cutoff)
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt))
    .map((c) => c.body.trim())
    .filter(Boolean)
    .join("\n\n");
}
