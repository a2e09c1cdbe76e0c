// A HarvestSource over the GitHub API with an installation token.
import path from "node:path";
import { cloneBare, git } from "../git.js";
import { type ChangeRange, isRebasedSeries, resolveChangeRange } from "./change-range.js";
import { closingIssueNumbers } from "./closing-refs.js";
import { stripHiddenMarkup } from "./markup.js";
import { hintsBefore, type HarvestSource, type PullInfo, type Statement } from "./source.js";

interface Resp<T> {
  data: T;
}

/** The GitHub calls the harvest makes; an installation Octokit satisfies it. */
export interface HarvestGitHub {
  rest: {
    pulls: {
      get(p: { owner: string; repo: string; pull_number: number }): Promise<Resp<GhPull>>;
      listCommits(p: { owner: string; repo: string; pull_number: number; per_page: number }): Promise<Resp<GhCommit[]>>;
      listFiles(p: { owner: string; repo: string; pull_number: number; per_page: number; page: number }): Promise<Resp<{ filename: string; previous_filename?: string }[]>>;
    };
    issues: {
      get(p: { owner: string; repo: string; issue_number: number }): Promise<Resp<{ title: string; body?: string | null; pull_request?: unknown }>>;
      listComments(p: { owner: string; repo: string; issue_number: number; per_page: number }): Promise<Resp<{ body?: string | null; created_at: string; user: { type?: string } | null }[]>>;
    };
    repos: { get(p: { owner: string; repo: string }): Promise<Resp<{ clone_url: string }>> };
  };
  graphql<T>(query: string, vars: Record<string, unknown>): Promise<T>;
  auth(opts: { type: "installation" }): Promise<unknown>;
}

interface GhPull {
  number: number;
  title: string;
  body?: string | null;
  merged: boolean;
  merge_commit_sha: string | null;
  created_at: string;
  user: { login: string; type?: string } | null;
}

interface GhCommit {
  commit: { message: string; author: { date?: string } | null; committer: { date?: string } | null };
}

const CLOSING_QUERY = `query($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) { closingIssuesReferences(first: 10) { nodes { number } } }
  }
}`;

/** GitHub lists at most this many files of a pull request; a list that long may be cut. */
export const PR_FILES_LIMIT = 3000;

interface ClosingRefs {
  repository: { pullRequest: { closingIssuesReferences: { nodes: { number: number }[] } } | null } | null;
}

export class GitHubSource implements HarvestSource {
  private readonly owner: string;
  private readonly name: string;
  private readonly commitMessages = new Map<number, string[]>();

  constructor(
    readonly repo: string,
    private readonly gh: HarvestGitHub,
    private readonly opts: { allowPrDescriptionTasks: boolean },
  ) {
    [this.owner, this.name] = repo.split("/") as [string, string];
  }

  async pull(number: number): Promise<PullInfo> {
    const { data: pr } = await this.gh.rest.pulls.get({ owner: this.owner, repo: this.name, pull_number: number });
    const { data: commits } = await this.gh.rest.pulls.listCommits({ owner: this.owner, repo: this.name, pull_number: number, per_page: 100 });
    this.commitMessages.set(number, commits.map((c) => c.commit.message));
    const dates = commits.map((c) => c.commit.author?.date ?? c.commit.committer?.date).filter((d): d is string => Boolean(d)).sort();
    return {
      number: pr.number,
      title: pr.title,
      body: pr.body ?? "",
      merged: pr.merged,
      mergeCommitSha: pr.merge_commit_sha,
      createdAt: pr.created_at,
      author: pr.user?.login ?? "ghost",
      authorIsBot: pr.user?.type === "Bot",
      firstCommitAt: dates[0] ?? null,
    };
  }

  /**
   * The paths the PR changes, from the PR files API (renamed files under both names), so that a
   * PR with no test change is skipped before any clone or build. Null when GitHub's list may be
   * cut (it stops at 3000 files): the full harvest decides from the diff.
   */
  async changedFiles(pull: PullInfo): Promise<string[] | null> {
    const paths: string[] = [];
    let listed = 0;
    for (let page = 1; listed < PR_FILES_LIMIT; page++) {
      const { data } = await this.gh.rest.pulls.listFiles({ owner: this.owner, repo: this.name, pull_number: pull.number, per_page: 100, page });
      listed += data.length;
      for (const f of data) paths.push(f.filename, ...(f.previous_filename ? [f.previous_filename] : []));
      if (data.length < 100) return paths;
    }
    return null;
  }

  async statement(pull: PullInfo): Promise<Statement> {
    const refs = await this.gh.graphql<ClosingRefs>(CLOSING_QUERY, { owner: this.owner, name: this.name, number: pull.number });
    let numbers = refs.repository?.pullRequest?.closingIssuesReferences.nodes.map((n) => n.number) ?? [];
    if (numbers.length === 0) {
      const texts = [pull.body, ...(this.commitMessages.get(pull.number) ?? [])];
      numbers = [...new Set(texts.flatMap((t) => closingIssueNumbers(t, this.repo)))];
    }
    if (numbers.length === 0) {
      if (!this.opts.allowPrDescriptionTasks) {
        return { ok: false, reason: "no linked issue: the PR neither closes an issue nor names one with a closing keyword (harvest.allowPrDescriptionTasks is off)" };
      }
      return { ok: true, problemStatement: `${pull.title}\n\n${stripHiddenMarkup(pull.body)}`.trim(), hintsText: "", issueNumbers: [] };
    }
    const statements: string[] = [];
    const hints: string[] = [];
    for (const n of numbers) {
      let issue;
      try {
        issue = (await this.gh.rest.issues.get({ owner: this.owner, repo: this.name, issue_number: n })).data;
      } catch (err) {
        const status = (err as { status?: number }).status;
        if (status === 404 || status === 410) return { ok: false, reason: `linked issue #${n} is missing or was deleted (GitHub answered ${status})` };
        throw err;
      }
      if (issue.pull_request) return { ok: false, reason: `#${n} is a pull request, not an issue` };
      statements.push(`${issue.title}\n\n${stripHiddenMarkup(issue.body ?? "")}`.trim());
      const { data: comments } = await this.gh.rest.issues.listComments({ owner: this.owner, repo: this.name, issue_number: n, per_page: 100 });
      const human = comments.filter((c) => c.user?.type !== "Bot").map((c) => ({ body: stripHiddenMarkup(c.body ?? ""), createdAt: c.created_at }));
      const h = hintsBefore(human, pull.firstCommitAt);
      if (h) hints.push(h);
    }
    return { ok: true, problemStatement: statements.join("\n\n"), hintsText: hints.join("\n\n"), issueNumbers: numbers };
  }

  /**
   * The API's merge commit under the same rule as offline: a single-parent commit is a squash
   * unless the first-parent history ending at it repeats the PR's commits (a rebase merge).
   */
  async changeRange(pull: PullInfo, clone: string): Promise<ChangeRange> {
    const head = pull.mergeCommitSha as string;
    const subjects = (this.commitMessages.get(pull.number) ?? []).map((m) => m.split("\n", 1)[0] ?? "");
    let series = 1;
    if (subjects.length > 1) {
      const history = await git(clone, ["log", "--first-parent", "--format=%s", "-n", String(subjects.length), head]).catch(() => "");
      if (isRebasedSeries(subjects, history.split("\n").filter(Boolean))) series = subjects.length;
    }
    return resolveChangeRange(clone, head, series);
  }

  async clone(scratch: string): Promise<string> {
    // The API call first: it mints the installation token through the client's own base URL (GHE
    // included) and caches it; auth() alone would ask api.github.com when nothing is cached yet.
    const { data } = await this.gh.rest.repos.get({ owner: this.owner, repo: this.name });
    const { token } = (await this.gh.auth({ type: "installation" })) as { token: string };
    const dest = path.join(scratch, "repo");
    await cloneBare(data.clone_url, dest, token);
    return dest;
  }
}
