// The one way handlers answer on an issue or PR: marked with the delivery, and posted once even
// when the job runs again after its worker was killed (src/github/delivery-reply.ts).
import type { Context } from "probot";
import { replyOnce } from "../src/github/delivery-reply.js";

type RepoContext = Context<"issues" | "issue_comment" | "check_run" | "pull_request_review">;

/** Posts on `issueNumber` in answer to this context's delivery; resolves to the comment's id. */
export function replier(context: RepoContext, issueNumber: number): (body: string) => Promise<{ id: number; reused: boolean }> {
  // The reply comes after the event, so a re-run only needs the comments updated since then.
  const payload = context.payload as { comment?: { created_at?: string }; review?: { submitted_at?: string | null } };
  const since = payload.comment?.created_at ?? payload.review?.submitted_at ?? undefined;
  const target = { ...context.repo({ issue_number: issueNumber }), ...(since ? { since } : {}) };
  return (body) => replyOnce(context.octokit, context.id, target, body);
}
