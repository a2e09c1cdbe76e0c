// Iterating on review: a review with changes requested, or `/lego retry` with text below it, on a
// LegoFactory PR asks for a follow-up attempt on the same branch (src/fix/follow-up.ts). Here the
// PR is checked (open, its branch still there and still LegoFactory's), the feedback gathered with
// who may be shown to the agent, and the attempt queued; what cannot go ahead is answered on the PR.
import type { Context } from "probot";
import { attemptForPull, createAttempt, updateAttempt } from "../db/fixes.js";
import { type ReviewFeedback, visibleFeedback } from "../src/fix/follow-up.js";
import type { HandlerDeps } from "./deps.js";
import { requestFix } from "./fix-request.js";
import { hasPermission } from "./permissions.js";
import { loadRepoConfig } from "./repo-config.js";
import { replier } from "./reply.js";

type PrContext = Context<"pull_request_review" | "issue_comment">;

export interface FollowUpRequest {
  pullNumber: number;
  trigger: "review" | "retry";
  requestedBy: string;
  k?: number;
  /** Feedback with its authors; `trusted` is filled in here from their permission. */
  feedback: Omit<ReviewFeedback, "trusted">[];
}

export async function requestFollowUp(context: PrContext, deps: HandlerDeps, req: FollowUpRequest): Promise<number | null> {
  const repo = context.payload.repository.full_name;
  const reply = replier(context, req.pullNumber);
  const attempt = await attemptForPull(deps.db, repo, req.pullNumber);
  if (!attempt?.branch) return null;
  const config = await loadRepoConfig(context, deps);
  if (!config) return null;
  const refuse = async (reason: string) => {
    // Recorded as an attempt that did not run, so the dashboard and `/lego explain` see it too.
    const row = await createAttempt(deps.db, { repo, issueNumber: attempt.issueNumber, installationId: context.payload.installation?.id ?? (attempt.installationId as number), trigger: req.trigger, requestedBy: req.requestedBy, k: 0 });
    await updateAttempt(deps.db, row.id, { status: "refused", statusReason: reason });
    await reply(`Nothing was done about this ${req.trigger === "review" ? "review" : "request"}: ${reason}.`);
    return null;
  };
  const { data: pr } = await context.octokit.rest.pulls.get(context.repo({ pull_number: req.pullNumber }));
  if (pr.head.ref !== attempt.branch) return refuse(`the pull request's branch is now \`${pr.head.ref}\`, not LegoFactory's \`${attempt.branch}\``);
  const ref = await context.octokit.rest.git.getRef(context.repo({ ref: `heads/${attempt.branch}` })).catch((err: { status?: number }) => {
    if (err.status === 404) return null;
    throw err;
  });
  // GitHub closes a PR whose branch is deleted: the deletion is the reason worth telling.
  if (!ref) return refuse(`the branch \`${attempt.branch}\` was deleted`);
  if (pr.state !== "open") return refuse("the pull request is closed");

  const trust = new Map<string, boolean>();
  const feedback: ReviewFeedback[] = [];
  for (const f of req.feedback) {
    if (!trust.has(f.author)) trust.set(f.author, await hasPermission(context, f.author, "write"));
    feedback.push({ ...f, trusted: trust.get(f.author) as boolean });
  }
  const { shown, hidden } = visibleFeedback(feedback, config.autofix.untrustedReviewComments);
  if (shown.length === 0) return refuse(hidden ? "every comment came from users without write access, which `autofix.untrustedReviewComments` does not allow the agent to see" : "the review has no text to act on");
  return requestFix(context, deps, {
    issueNumber: attempt.issueNumber,
    trigger: req.trigger,
    requestedBy: req.requestedBy,
    ...(req.k ? { k: req.k } : {}),
    config,
    followUp: { trigger: req.trigger, pullNumber: req.pullNumber, branch: attempt.branch, headSha: ref.data.object.sha, fromAttemptId: attempt.id, feedback: shown, hidden },
  });
}

/** A review's body and its line comments, with their file, line and diff context. */
export async function reviewFeedback(context: Context<"pull_request_review.submitted">): Promise<Omit<ReviewFeedback, "trusted">[]> {
  const { review, pull_request } = context.payload;
  const author = review.user?.login ?? "someone";
  const out: Omit<ReviewFeedback, "trusted">[] = review.body?.trim() ? [{ author, body: review.body }] : [];
  const comments = await context.octokit.paginate(context.octokit.rest.pulls.listCommentsForReview, context.repo({ pull_number: pull_request.number, review_id: review.id, per_page: 100 }));
  for (const c of comments) {
    const line = c.line ?? c.original_line ?? undefined;
    out.push({ author: c.user?.login ?? author, body: c.body, path: c.path, ...(line ? { line } : {}), ...(c.diff_hunk ? { diffHunk: c.diff_hunk } : {}) });
  }
  return out;
}
