import { readCommit } from "../git-objects.js";
import type { MergeMethod } from "../git-write.js";
import {
  asObject,
  HttpError,
  notFound,
  optionalString,
  paginate,
  validationFailed,
  type RouteContext,
  type RouteTable,
} from "../http.js";
import { setIssueState } from "../issues.js";
import { createPull, mergePull, pullCommitShas, pullFiles, pullOf, pullStats, syncPull } from "../pulls.js";
import type { IssueRecord, ReviewRecord } from "../types.js";
import { actor, issueNumber, type RouteDeps } from "./deps.js";

const DOCS = "https://docs.github.com/rest/pulls/pulls";
const REVIEW_DOCS = "https://docs.github.com/rest/pulls/reviews";
/** GitHub lists at most 3000 files and 250 commits of a pull request. */
const MAX_FILES = 3000;
const MAX_COMMITS = 250;
const MERGE_METHODS: MergeMethod[] = ["merge", "squash", "rebase"];
const REVIEW_EVENTS: Record<string, ReviewRecord["state"]> = {
  APPROVE: "APPROVED",
  REQUEST_CHANGES: "CHANGES_REQUESTED",
  COMMENT: "COMMENTED",
};

export function registerPullRoutes(table: RouteTable, { state, shapes }: RouteDeps): void {
  const read = { auth: "installation" as const, permission: ["pull_requests", "read"] as [string, "read"], docs: DOCS };
  const write = { auth: "installation" as const, permission: ["pull_requests", "write"] as [string, "write"], docs: DOCS };

  const findPull = async (ctx: RouteContext): Promise<IssueRecord> => {
    const issue = state.issue(ctx.repo, issueNumber(ctx));
    if (!issue?.pull) throw notFound(`${DOCS}#get-a-pull-request`);
    await syncPull(issue);
    return issue;
  };
  const full = async (issue: IssueRecord) => shapes.pullFull(issue, pullOf(issue), await pullStats(issue));

  table.add("GET", "/repos/:owner/:repo/pulls", read, async (ctx) => {
    const q = ctx.query;
    const wanted = q.state ?? "open";
    if (!["open", "closed", "all"].includes(wanted)) {
      throw validationFailed({ resource: "PullRequest", field: "state", code: "invalid", value: wanted });
    }
    const pulls = state.issuesOf(ctx.repo).filter((i) => i.pull);
    await Promise.all(pulls.map((i) => syncPull(i)));
    const head = q.head?.includes(":") ? q.head.slice(q.head.indexOf(":") + 1) : q.head;
    const filtered = pulls.filter(
      (i) =>
        (wanted === "all" || i.state === wanted) &&
        (!head || i.pull?.headRef === head) &&
        (!q.base || i.pull?.baseRef === q.base),
    );
    const sort = q.sort ?? "created";
    const key = (i: IssueRecord): number =>
      sort === "updated"
        ? i.updatedAt.getTime()
        : sort === "popularity"
          ? state.commentsOf(i).length
          : sort === "long-running"
            ? -i.createdAt.getTime()
            : i.createdAt.getTime();
    const direction = q.direction ?? (sort === "created" ? "desc" : "asc");
    const dir = direction === "asc" ? 1 : -1;
    filtered.sort((a, b) => dir * (key(a) - key(b) || a.number - b.number));
    const page = paginate(ctx, filtered);
    return { body: page.items.map((i) => shapes.pullSimple(i, pullOf(i))), headers: page.headers };
  });

  table.add("POST", "/repos/:owner/:repo/pulls", write, async (ctx) => {
    const body = asObject(ctx.body);
    if (body.draft !== undefined && typeof body.draft !== "boolean") {
      throw new HttpError(422, `Invalid request.\n\nFor 'properties/draft', ${JSON.stringify(body.draft)} is not a boolean.`);
    }
    const issue = await createPull(state, ctx.repo, {
      title: optionalString(body, "title"),
      body: optionalString(body, "body") ?? null,
      head: optionalString(body, "head"),
      base: optionalString(body, "base"),
      draft: body.draft === true,
      maintainerCanModify: body.maintainer_can_modify !== false,
      user: actor(ctx),
    });
    return {
      status: 201,
      body: await full(issue),
      headers: { location: `${shapes.repoApi(ctx.repo)}/pulls/${issue.number}` },
    };
  });

  table.add("GET", "/repos/:owner/:repo/pulls/:number", read, async (ctx) => ({ body: await full(await findPull(ctx)) }));

  table.add("PATCH", "/repos/:owner/:repo/pulls/:number", write, async (ctx) => {
    const issue = await findPull(ctx);
    const pull = pullOf(issue);
    const body = asObject(ctx.body);
    const title = optionalString(body, "title");
    if (title !== undefined) issue.title = title;
    if (body.body !== undefined) issue.body = body.body === null ? null : (optionalString(body, "body") ?? null);
    if (typeof body.maintainer_can_modify === "boolean") pull.maintainerCanModify = body.maintainer_can_modify;
    const base = optionalString(body, "base");
    if (base !== undefined && base !== pull.baseRef) {
      const sha = await ctx.repo.git.branchSha(base);
      if (!sha) throw validationFailed({ resource: "PullRequest", field: "base", code: "invalid" });
      pull.baseRef = base;
      pull.baseSha = sha;
    }
    const next = optionalString(body, "state");
    if (next !== undefined) {
      if (next !== "open" && next !== "closed") throw validationFailed({ resource: "PullRequest", field: "state", code: "invalid" });
      if (next === "open" && (pull.merged || !(await ctx.repo.git.branchSha(pull.headRef)))) {
        throw validationFailed({ resource: "PullRequest", field: "state", code: "invalid", message: "state cannot be changed." });
      }
      setIssueState(issue, next, null);
    }
    issue.updatedAt = new Date();
    return { body: await full(issue) };
  });

  table.add("GET", "/repos/:owner/:repo/pulls/:number/files", read, async (ctx) => {
    const issue = await findPull(ctx);
    const files = (await pullFiles(issue)).slice(0, MAX_FILES);
    const page = paginate(ctx, files);
    return { body: page.items.map((f) => shapes.file(ctx.repo, pullOf(issue).headSha, f)), headers: page.headers };
  });

  table.add("GET", "/repos/:owner/:repo/pulls/:number/commits", read, async (ctx) => {
    const shas = (await pullCommitShas(await findPull(ctx))).slice(0, MAX_COMMITS);
    const page = paginate(ctx, shas);
    const commits = await Promise.all(page.items.map((sha) => readCommit(ctx.repo.git, sha)));
    return { body: commits.map((c) => shapes.commit(ctx.repo, c)), headers: page.headers };
  });

  table.add("GET", "/repos/:owner/:repo/pulls/:number/merge", read, async (ctx) => {
    const issue = await findPull(ctx);
    if (!pullOf(issue).merged) throw notFound(`${DOCS}#check-if-a-pull-request-has-been-merged`);
    return { status: 204 };
  });

  table.add(
    "PUT",
    "/repos/:owner/:repo/pulls/:number/merge",
    { auth: "installation", permission: ["contents", "write"], docs: `${DOCS}#merge-a-pull-request` },
    async (ctx) => {
      const issue = await findPull(ctx);
      const body = asObject(ctx.body);
      const method = optionalString(body, "merge_method") ?? "merge";
      if (!MERGE_METHODS.includes(method as MergeMethod)) {
        throw new HttpError(
          422,
          `Invalid request.\n\n${JSON.stringify(method)} is not a member of ${JSON.stringify(MERGE_METHODS)}.`,
        );
      }
      const sha = await mergePull(state, issue, {
        method: method as MergeMethod,
        user: actor(ctx),
        ...(optionalString(body, "sha") ? { sha: optionalString(body, "sha") } : {}),
        ...(optionalString(body, "commit_title") !== undefined ? { commitTitle: optionalString(body, "commit_title") } : {}),
        ...(optionalString(body, "commit_message") !== undefined ? { commitMessage: optionalString(body, "commit_message") } : {}),
      });
      return { body: { sha, merged: true, message: "Pull Request successfully merged" } };
    },
  );

  table.add("GET", "/repos/:owner/:repo/pulls/:number/reviews", { ...read, docs: REVIEW_DOCS }, async (ctx) => {
    const issue = await findPull(ctx);
    const page = paginate(ctx, pullOf(issue).reviews);
    return { body: page.items.map((r) => shapes.review(r, issue)), headers: page.headers };
  });

  table.add("GET", "/repos/:owner/:repo/pulls/:number/reviews/:review_id/comments", { ...read, docs: REVIEW_DOCS }, async (ctx) => {
    const issue = await findPull(ctx);
    const review = pullOf(issue).reviews.find((r) => String(r.id) === ctx.params.review_id);
    if (!review) throw notFound(`${REVIEW_DOCS}#list-comments-for-a-pull-request-review`);
    const page = paginate(ctx, review.comments ?? []);
    return { body: page.items.map((c) => shapes.reviewComment(c, review, issue)), headers: page.headers };
  });

  table.add("POST", "/repos/:owner/:repo/pulls/:number/reviews", { ...write, docs: REVIEW_DOCS }, async (ctx) => {
    const issue = await findPull(ctx);
    const pull = pullOf(issue);
    const body = asObject(ctx.body);
    const event = optionalString(body, "event");
    const text = optionalString(body, "body") ?? "";
    const user = actor(ctx);
    const unprocessable = (message: string) => new HttpError(422, "Unprocessable Entity", [message], REVIEW_DOCS);
    if (event !== undefined && !REVIEW_EVENTS[event]) {
      throw new HttpError(422, `Invalid request.\n\n${JSON.stringify(event)} is not a member of ${JSON.stringify(Object.keys(REVIEW_EVENTS))}.`);
    }
    if ((event === "REQUEST_CHANGES" || event === "COMMENT") && !text) {
      throw unprocessable(`Review Can not ${event === "COMMENT" ? "comment" : "request changes"} without a body`);
    }
    if (user === issue.user && event === "APPROVE") throw unprocessable("Review Can not approve your own pull request");
    if (user === issue.user && event === "REQUEST_CHANGES") throw unprocessable("Review Can not request changes on your own pull request");
    const commitId = optionalString(body, "commit_id") ?? pull.headSha;
    if (!(await ctx.repo.git.resolveCommit(commitId))) throw unprocessable("Commit id is not part of the pull request");
    const id = state.nextId();
    const review: ReviewRecord = {
      id,
      nodeId: state.nodeId("PRR", id),
      user,
      body: text,
      state: event ? (REVIEW_EVENTS[event] ?? "COMMENTED") : "PENDING",
      commitId,
      submittedAt: event ? new Date() : null,
    };
    pull.reviews.push(review);
    return { body: shapes.review(review, issue) };
  });
}
