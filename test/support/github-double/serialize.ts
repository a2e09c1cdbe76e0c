import type { CommitInfo, FileChange } from "./git-objects.js";
import type { GitHubState } from "./state.js";
import type {
  CheckRunRecord,
  CommentRecord,
  InstallationRecord,
  IssueRecord,
  LabelRecord,
  PullRecord,
  ReactionRecord,
  RepoRecord,
  ReviewCommentRecord,
  ReviewRecord,
  UserRecord,
} from "./types.js";

/** JSON shapes of GitHub's REST API (and of webhook payloads, which reuse them). */

export const REACTIONS = ["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"] as const;

export interface AppInfo {
  id: number;
  slug: string;
  name: string;
  owner: UserRecord;
  createdAt: Date;
}

export interface PullStats {
  commits: number;
  additions: number;
  deletions: number;
  changedFiles: number;
  mergeable: boolean | null;
}

/** GitHub's timestamps carry no milliseconds. */
export function ts(date: Date | null | undefined): string | null {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, "Z") : null;
}

export class Shapes {
  constructor(
    /** API and web share one origin, as on GitHub Enterprise Server. */
    readonly base: string,
    readonly state: GitHubState,
    readonly app: AppInfo,
  ) {}

  repoApi(repo: RepoRecord): string {
    return `${this.base}/repos/${repo.fullName}`;
  }

  repoHtml(repo: RepoRecord): string {
    return `${this.base}/${repo.fullName}`;
  }

  user(user: UserRecord): Record<string, unknown> {
    const api = `${this.base}/users/${user.login}`;
    return {
      login: user.login,
      id: user.id,
      node_id: user.nodeId,
      avatar_url: `${this.base}/avatars/u/${user.id}?v=4`,
      gravatar_id: "",
      url: api,
      html_url: user.type === "Bot" ? `${this.base}/apps/${user.login.replace(/\[bot\]$/, "")}` : `${this.base}/${user.login}`,
      followers_url: `${api}/followers`,
      following_url: `${api}/following{/other_user}`,
      gists_url: `${api}/gists{/gist_id}`,
      starred_url: `${api}/starred{/owner}{/repo}`,
      subscriptions_url: `${api}/subscriptions`,
      organizations_url: `${api}/orgs`,
      repos_url: `${api}/repos`,
      events_url: `${api}/events{/privacy}`,
      received_events_url: `${api}/received_events`,
      type: user.type,
      user_view_type: "public",
      site_admin: false,
    };
  }

  repo(repo: RepoRecord): Record<string, unknown> {
    const api = this.repoApi(repo);
    return {
      id: repo.id,
      node_id: repo.nodeId,
      name: repo.name,
      full_name: repo.fullName,
      private: repo.private,
      owner: this.user(repo.owner),
      html_url: this.repoHtml(repo),
      description: repo.description,
      fork: false,
      url: api,
      forks_url: `${api}/forks`,
      issues_url: `${api}/issues{/number}`,
      pulls_url: `${api}/pulls{/number}`,
      commits_url: `${api}/commits{/sha}`,
      contents_url: `${api}/contents/{+path}`,
      git_refs_url: `${api}/git/refs{/sha}`,
      labels_url: `${api}/labels{/name}`,
      clone_url: `${this.repoHtml(repo)}.git`,
      git_url: `${this.repoHtml(repo).replace(/^https?:/, "git:")}.git`,
      ssh_url: `git@${new URL(this.base).hostname}:${repo.fullName}.git`,
      homepage: null,
      size: 0,
      language: null,
      has_issues: true,
      has_projects: true,
      has_wiki: false,
      has_downloads: true,
      archived: false,
      disabled: false,
      visibility: repo.private ? "private" : "public",
      forks_count: 0,
      stargazers_count: 0,
      watchers_count: 0,
      open_issues_count: this.state.issuesOf(repo).filter((i) => i.state === "open").length,
      topics: [],
      default_branch: repo.defaultBranch,
      allow_squash_merge: true,
      allow_merge_commit: true,
      allow_rebase_merge: true,
      delete_branch_on_merge: false,
      created_at: ts(repo.createdAt),
      updated_at: ts(repo.createdAt),
      pushed_at: ts(repo.createdAt),
    };
  }

  label(label: LabelRecord, repo: RepoRecord): Record<string, unknown> {
    return {
      id: label.id,
      node_id: label.nodeId,
      url: `${this.repoApi(repo)}/labels/${encodeURIComponent(label.name)}`,
      name: label.name,
      color: label.color,
      default: label.default,
      description: label.description,
    };
  }

  reactionSummary(reactions: ReactionRecord[], url: string): Record<string, unknown> {
    const counts: Record<string, number> = {};
    for (const content of REACTIONS) counts[content] = reactions.filter((r) => r.content === content).length;
    return { url, total_count: reactions.length, ...counts };
  }

  reaction(reaction: ReactionRecord): Record<string, unknown> {
    return {
      id: reaction.id,
      node_id: reaction.nodeId,
      user: this.user(reaction.user),
      content: reaction.content,
      created_at: ts(reaction.createdAt),
    };
  }

  authorAssociation(user: UserRecord, repo: RepoRecord): string {
    if (user === repo.owner) return "OWNER";
    const perm = repo.permissions.get(user.login.toLowerCase());
    if (perm && perm !== "none") return repo.owner.type === "Organization" ? "MEMBER" : "COLLABORATOR";
    return "NONE";
  }

  issue(issue: IssueRecord): Record<string, unknown> {
    const api = `${this.repoApi(issue.repo)}/issues/${issue.number}`;
    const html = `${this.repoHtml(issue.repo)}/${issue.pull ? "pull" : "issues"}/${issue.number}`;
    return {
      url: api,
      repository_url: this.repoApi(issue.repo),
      labels_url: `${api}/labels{/name}`,
      comments_url: `${api}/comments`,
      events_url: `${api}/events`,
      html_url: html,
      id: issue.id,
      node_id: issue.nodeId,
      number: issue.number,
      title: issue.title,
      user: this.user(issue.user),
      labels: issue.labels.map((l) => this.label(l, issue.repo)),
      state: issue.state,
      state_reason: issue.stateReason,
      locked: issue.locked,
      assignee: issue.assignees[0] ? this.user(issue.assignees[0]) : null,
      assignees: issue.assignees.map((u) => this.user(u)),
      milestone: null,
      comments: this.state.commentsOf(issue).length,
      created_at: ts(issue.createdAt),
      updated_at: ts(issue.updatedAt),
      closed_at: ts(issue.closedAt),
      author_association: this.authorAssociation(issue.user, issue.repo),
      active_lock_reason: null,
      ...(issue.pull
        ? {
            draft: issue.pull.draft,
            pull_request: {
              url: `${this.repoApi(issue.repo)}/pulls/${issue.number}`,
              html_url: html,
              diff_url: `${html}.diff`,
              patch_url: `${html}.patch`,
              merged_at: ts(issue.pull.mergedAt),
            },
          }
        : {}),
      body: issue.body,
      reactions: this.reactionSummary(issue.reactions, `${api}/reactions`),
      timeline_url: `${api}/timeline`,
      performed_via_github_app: null,
    };
  }

  comment(comment: CommentRecord): Record<string, unknown> {
    const repo = comment.issue.repo;
    const api = `${this.repoApi(repo)}/issues/comments/${comment.id}`;
    const kind = comment.issue.pull ? "pull" : "issues";
    return {
      url: api,
      html_url: `${this.repoHtml(repo)}/${kind}/${comment.issue.number}#issuecomment-${comment.id}`,
      issue_url: `${this.repoApi(repo)}/issues/${comment.issue.number}`,
      id: comment.id,
      node_id: comment.nodeId,
      user: this.user(comment.user),
      created_at: ts(comment.createdAt),
      updated_at: ts(comment.updatedAt),
      author_association: this.authorAssociation(comment.user, repo),
      body: comment.body,
      reactions: this.reactionSummary(comment.reactions, `${api}/reactions`),
      performed_via_github_app: null,
    };
  }

  private branch(issue: IssueRecord, ref: string, sha: string): Record<string, unknown> {
    const repo = issue.repo;
    return { label: `${repo.owner.login}:${ref}`, ref, sha, user: this.user(repo.owner), repo: this.repo(repo) };
  }

  /** The list form ("pull-request-simple"): no merge state or diff statistics. */
  pullSimple(issue: IssueRecord, pull: PullRecord): Record<string, unknown> {
    const api = `${this.repoApi(issue.repo)}/pulls/${issue.number}`;
    const html = `${this.repoHtml(issue.repo)}/pull/${issue.number}`;
    const issueApi = `${this.repoApi(issue.repo)}/issues/${issue.number}`;
    return {
      url: api,
      id: pull.id,
      node_id: pull.nodeId,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: issueApi,
      commits_url: `${api}/commits`,
      review_comments_url: `${api}/comments`,
      review_comment_url: `${this.repoApi(issue.repo)}/pulls/comments{/number}`,
      comments_url: `${issueApi}/comments`,
      statuses_url: `${this.repoApi(issue.repo)}/statuses/${pull.headSha}`,
      number: issue.number,
      state: issue.state,
      locked: issue.locked,
      title: issue.title,
      user: this.user(issue.user),
      body: issue.body,
      labels: issue.labels.map((l) => this.label(l, issue.repo)),
      milestone: null,
      active_lock_reason: null,
      created_at: ts(issue.createdAt),
      updated_at: ts(issue.updatedAt),
      closed_at: ts(issue.closedAt),
      merged_at: ts(pull.mergedAt),
      merge_commit_sha: pull.mergeCommitSha,
      assignee: issue.assignees[0] ? this.user(issue.assignees[0]) : null,
      assignees: issue.assignees.map((u) => this.user(u)),
      requested_reviewers: [],
      requested_teams: [],
      head: this.branch(issue, pull.headRef, pull.headSha),
      base: this.branch(issue, pull.baseRef, pull.baseSha),
      _links: {
        self: { href: api },
        html: { href: html },
        issue: { href: issueApi },
        comments: { href: `${issueApi}/comments` },
        review_comments: { href: `${api}/comments` },
        review_comment: { href: `${this.repoApi(issue.repo)}/pulls/comments{/number}` },
        commits: { href: `${api}/commits` },
        statuses: { href: `${this.repoApi(issue.repo)}/statuses/${pull.headSha}` },
      },
      author_association: this.authorAssociation(issue.user, issue.repo),
      auto_merge: null,
      draft: pull.draft,
    };
  }

  pullFull(issue: IssueRecord, pull: PullRecord, stats: PullStats): Record<string, unknown> {
    const open = issue.state === "open";
    return {
      ...this.pullSimple(issue, pull),
      merged: pull.merged,
      mergeable: open ? stats.mergeable : null,
      rebaseable: open ? stats.mergeable : null,
      mergeable_state: !open ? "unknown" : stats.mergeable === false ? "dirty" : pull.draft ? "draft" : "clean",
      merged_by: pull.mergedBy ? this.user(pull.mergedBy) : null,
      comments: this.state.commentsOf(issue).length,
      review_comments: 0,
      maintainer_can_modify: pull.maintainerCanModify,
      commits: stats.commits,
      additions: stats.additions,
      deletions: stats.deletions,
      changed_files: stats.changedFiles,
    };
  }

  review(review: ReviewRecord, issue: IssueRecord): Record<string, unknown> {
    const pullApi = `${this.repoApi(issue.repo)}/pulls/${issue.number}`;
    const html = `${this.repoHtml(issue.repo)}/pull/${issue.number}#pullrequestreview-${review.id}`;
    return {
      id: review.id,
      node_id: review.nodeId,
      user: this.user(review.user),
      body: review.body,
      state: review.state,
      html_url: html,
      pull_request_url: pullApi,
      author_association: this.authorAssociation(review.user, issue.repo),
      _links: { html: { href: html }, pull_request: { href: pullApi } },
      submitted_at: ts(review.submittedAt),
      commit_id: review.commitId,
    };
  }

  reviewComment(c: ReviewCommentRecord, review: ReviewRecord, issue: IssueRecord): Record<string, unknown> {
    const api = `${this.repoApi(issue.repo)}/pulls/comments/${c.id}`;
    const html = `${this.repoHtml(issue.repo)}/pull/${issue.number}#discussion_r${c.id}`;
    return {
      id: c.id,
      node_id: c.nodeId,
      pull_request_review_id: review.id,
      url: api,
      html_url: html,
      pull_request_url: `${this.repoApi(issue.repo)}/pulls/${issue.number}`,
      user: this.user(c.user),
      body: c.body,
      path: c.path,
      line: c.line,
      original_line: c.line,
      side: "RIGHT",
      position: null,
      original_position: null,
      diff_hunk: c.diffHunk,
      commit_id: c.commitId,
      original_commit_id: c.commitId,
      author_association: this.authorAssociation(c.user, issue.repo),
      created_at: ts(c.createdAt),
      updated_at: ts(c.createdAt),
      _links: { self: { href: api }, html: { href: html }, pull_request: { href: `${this.repoApi(issue.repo)}/pulls/${issue.number}` } },
    };
  }

  appJson(): Record<string, unknown> {
    return {
      id: this.app.id,
      slug: this.app.slug,
      node_id: this.state.nodeId("A", this.app.id),
      client_id: `Iv1.${this.app.id.toString(16).padStart(16, "0")}`,
      owner: this.user(this.app.owner),
      name: this.app.name,
      description: "",
      external_url: this.base,
      html_url: `${this.base}/apps/${this.app.slug}`,
      created_at: ts(this.app.createdAt),
      updated_at: ts(this.app.createdAt),
      permissions: {},
      events: [],
      installations_count: this.state.installations.size,
    };
  }

  checkRun(run: CheckRunRecord): Record<string, unknown> {
    const api = `${this.repoApi(run.repo)}/check-runs/${run.id}`;
    return {
      id: run.id,
      name: run.name,
      node_id: run.nodeId,
      head_sha: run.headSha,
      external_id: run.externalId,
      url: api,
      html_url: `${this.repoHtml(run.repo)}/runs/${run.id}`,
      details_url: run.detailsUrl ?? `${this.repoHtml(run.repo)}/runs/${run.id}`,
      status: run.status,
      conclusion: run.conclusion,
      started_at: ts(run.startedAt),
      completed_at: ts(run.completedAt),
      output: {
        title: run.output.title,
        summary: run.output.summary,
        text: run.output.text,
        annotations_count: run.output.annotationsCount,
        annotations_url: `${api}/annotations`,
      },
      check_suite: { id: run.checkSuiteId },
      app: this.appJson(),
      pull_requests: [],
    };
  }

  installation(inst: InstallationRecord): Record<string, unknown> {
    return {
      id: inst.id,
      node_id: inst.nodeId,
      account: this.user(inst.account),
      repository_selection: inst.repositories === "all" ? "all" : "selected",
      access_tokens_url: `${this.base}/app/installations/${inst.id}/access_tokens`,
      repositories_url: `${this.base}/installation/repositories`,
      html_url: `${this.base}/organizations/${inst.account.login}/settings/installations/${inst.id}`,
      app_id: this.app.id,
      app_slug: this.app.slug,
      target_id: inst.account.id,
      target_type: inst.account.type,
      permissions: inst.permissions,
      events: inst.events,
      created_at: ts(inst.createdAt),
      updated_at: ts(inst.createdAt),
      single_file_name: null,
      has_multiple_single_files: false,
      single_file_paths: [],
      suspended_by: null,
      suspended_at: null,
    };
  }

  /** GitHub links a commit to an account through the author's e-mail; noreply addresses and logins are what the double knows. */
  commitUser(email: string, name: string): UserRecord | undefined {
    const noreply = /^(?:\d+\+)?([^@]+)@users\.noreply\.github\.com$/i.exec(email);
    return this.state.findUser(noreply?.[1] ?? name);
  }

  commit(repo: RepoRecord, info: CommitInfo, files?: FileChange[]): Record<string, unknown> {
    const api = `${this.repoApi(repo)}/commits/${info.sha}`;
    const author = this.commitUser(info.author.email, info.author.name);
    const committer = this.commitUser(info.committer.email, info.committer.name);
    return {
      sha: info.sha,
      node_id: this.state.nodeId("C", parseInt(info.sha.slice(0, 8), 16)),
      commit: {
        author: info.author,
        committer: info.committer,
        message: info.message,
        tree: { sha: info.tree, url: `${this.repoApi(repo)}/git/trees/${info.tree}` },
        url: `${this.repoApi(repo)}/git/commits/${info.sha}`,
        comment_count: 0,
        verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
      },
      url: api,
      html_url: `${this.repoHtml(repo)}/commit/${info.sha}`,
      comments_url: `${api}/comments`,
      author: author ? this.user(author) : null,
      committer: committer ? this.user(committer) : null,
      parents: info.parents.map((sha) => ({
        sha,
        url: `${this.repoApi(repo)}/commits/${sha}`,
        html_url: `${this.repoHtml(repo)}/commit/${sha}`,
      })),
      ...(files
        ? {
            stats: {
              additions: sum(files, "additions"),
              deletions: sum(files, "deletions"),
              total: sum(files, "additions") + sum(files, "deletions"),
            },
            files: files.map((f) => this.file(repo, info.sha, f)),
          }
        : {}),
    };
  }

  file(repo: RepoRecord, sha: string, change: FileChange): Record<string, unknown> {
    const path = change.filename.split("/").map(encodeURIComponent).join("/");
    return {
      sha: change.sha,
      filename: change.filename,
      status: change.status,
      additions: change.additions,
      deletions: change.deletions,
      changes: change.additions + change.deletions,
      blob_url: `${this.repoHtml(repo)}/blob/${sha}/${path}`,
      raw_url: `${this.repoHtml(repo)}/raw/${sha}/${path}`,
      contents_url: `${this.repoApi(repo)}/contents/${path}?ref=${sha}`,
      ...(change.patch !== undefined ? { patch: change.patch } : {}),
      ...(change.previousFilename ? { previous_filename: change.previousFilename } : {}),
    };
  }

  ref(repo: RepoRecord, ref: string, sha: string, type: string): Record<string, unknown> {
    return {
      ref,
      node_id: this.state.nodeId("REF", parseInt(sha.slice(0, 8), 16)),
      url: `${this.repoApi(repo)}/git/${ref}`,
      object: { sha, type, url: `${this.repoApi(repo)}/git/${type}s/${sha}` },
    };
  }
}

function sum(files: FileChange[], key: "additions" | "deletions"): number {
  return files.reduce((acc, f) => acc + f[key], 0);
}
