// A HarvestSource over a local clone or any git URL, offline: merged PRs are found in history
// by the styles in merge-styles.ts; the problem statement comes from a file or, failing that,
// the PR's message.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { git } from "../git.js";
import { type ChangeRange, resolveChangeRange } from "./change-range.js";
import { closingIssueNumbers } from "./closing-refs.js";
import { stripHiddenMarkup } from "./markup.js";
import { MERGE_STYLES, type MergedPull, parseMergedPulls } from "./merge-styles.js";
import type { HarvestSource, PullInfo, Statement } from "./source.js";

/** The merged PRs found and how many first-parent commits were looked at. */
export interface MergedPullScan {
  pulls: MergedPull[];
  commitsScanned: number;
}

/** Pure: what to tell a user when a history holds no merged PR in any style we know. */
export function noPullsMessage(commitsScanned: number, since?: Date): string {
  const window = since ? `since ${since.toISOString().slice(0, 10)} (${commitsScanned} commits)` : `in the last ${commitsScanned} commits`;
  return `no merged pull requests found ${window}; styles looked for: ${MERGE_STYLES.join(", ")}`;
}

/** The location given on the command line is no repository we can read: bad input (exit 2), not a failure. */
export class SourceLocationError extends Error {
  readonly code = "bad_location";
}

/** owner/name from a GitHub-style remote URL, else local/<dir name>. */
export function repoNameFrom(remoteUrl: string | undefined, dir: string): string {
  const m = remoteUrl ? /[:/]([^/:]+)\/([^/]+?)(?:\.git)?\/?$/.exec(remoteUrl) : null;
  if (m) return `${m[1]}/${m[2]}`;
  return `local/${dir.replace(/\/+$/, "").split("/").pop() ?? "repo"}`;
}

export class LocalSource implements HarvestSource {
  private pulls: Map<number, MergedPull> | undefined;

  private constructor(
    readonly repo: string,
    private readonly location: string,
    private readonly cloneDir: string,
    private readonly opts: { issueTextFile?: string },
  ) {}

  /** Clones `location` (a local path or a git URL) once into `cloneDir`; the repository is named `opts.name`, else from its origin. */
  static async open(location: string, cloneDir: string, opts: { issueTextFile?: string; name?: string } = {}): Promise<LocalSource> {
    const url = location.includes("://") || /^[^/]+@[^/:]+:/.test(location);
    if (!url && !existsSync(location)) throw new SourceLocationError(`${location}: no such file or directory (expected a local git repository or a git URL)`);
    try {
      await git(process.cwd(), ["clone", "--quiet", "--no-checkout", location, cloneDir]);
    } catch (err) {
      if (url) throw err;
      throw new SourceLocationError(`${location}: not a git repository we can clone (${(err as Error).message.trim().split("\n").pop()})`);
    }
    const remote = opts.name ? "" : await git(location.includes("://") ? cloneDir : location, ["config", "--get", "remote.origin.url"]).catch(() => "");
    const name = opts.name ?? repoNameFrom(location.includes("://") ? location : remote.trim() || undefined, location);
    return new LocalSource(name, location, cloneDir, opts);
  }

  /** Merged PRs on the first-parent history of HEAD, newest first, optionally since a date. */
  async mergedPulls(since?: Date): Promise<MergedPullScan> {
    const args = ["log", "--first-parent", "--format=%x1e%H%x00%P%x00%s%x00%b%x00%cI", ...(since ? [`--since=${since.toISOString()}`] : []), "HEAD"];
    const log = await git(this.cloneDir, args);
    const pulls = parseMergedPulls(log);
    this.pulls = new Map(pulls.map((p) => [p.number, p]));
    return { pulls, commitsScanned: log.split("\x1e").filter((r) => r.trim()).length };
  }

  async pull(number: number): Promise<PullInfo> {
    if (!this.pulls) await this.mergedPulls();
    const p = this.pulls?.get(number);
    if (!p) throw new Error(`no merged pull request #${number} in the history of ${this.location} (looked for ${MERGE_STYLES.join(", ")})`);
    let firstCommitAt = p.date;
    if (p.kind === "merge" && p.parents.length === 2) {
      const dates = (await git(this.cloneDir, ["log", "--format=%aI", "--reverse", `${p.parents[0]}..${p.parents[1]}`])).split("\n").filter(Boolean);
      firstCommitAt = dates[0] ?? p.date;
    }
    return {
      number,
      title: p.title.trim(),
      body: p.body.trim(),
      merged: true,
      mergeCommitSha: p.sha,
      createdAt: firstCommitAt,
      author: "unknown",
      authorIsBot: false,
      firstCommitAt,
    };
  }

  async changedFiles(pull: PullInfo): Promise<string[] | null> {
    const p = this.pulls?.get(pull.number);
    const sha = pull.mergeCommitSha as string;
    // A merge commit's change is against its first parent; squash and rebase merges span their commits.
    const from = p?.kind === "merge" && p.parents[0] ? p.parents[0] : `${sha}~${p?.commits.length ?? 1}`;
    const out = await git(this.cloneDir, ["diff", "--name-only", "-z", from, sha]).catch(() => undefined);
    // An unreadable range (a root commit) lists nothing we can trust: the full harvest decides.
    return out === undefined ? null : out.split("\0").filter(Boolean);
  }

  async changeRange(pull: PullInfo, clone: string): Promise<ChangeRange> {
    const p = this.pulls?.get(pull.number);
    return resolveChangeRange(clone, pull.mergeCommitSha as string, p?.commits.length ?? 1);
  }

  async statement(pull: PullInfo): Promise<Statement> {
    const issueNumbers = closingIssueNumbers(pull.body, this.repo);
    if (this.opts.issueTextFile) {
      const text = stripHiddenMarkup(await readFile(this.opts.issueTextFile, "utf8"));
      if (!text) return { ok: false, reason: `the issue text file ${this.opts.issueTextFile} is empty` };
      return { ok: true, problemStatement: text, hintsText: "", issueNumbers };
    }
    const text = stripHiddenMarkup(`${pull.title}\n\n${pull.body}`).trim();
    if (!text) return { ok: false, reason: `PR #${pull.number} has no message to use as a problem statement; pass --issue-text FILE` };
    return { ok: true, problemStatement: text, hintsText: "", issueNumbers };
  }

  async clone(): Promise<string> {
    return this.cloneDir;
  }
}
