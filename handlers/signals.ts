// Signals on LegoFactory PRs, each marked as a maintainer's (write access) or not, stored as outcomes linked to the chosen rollout (and,
// through the attempt, to its siblings): approval, changes requested (with the review text),
// merge, close without merge, and 👍 / 👎 on the PR (read when it closes, and by the poller).
// Changes requested by a writer also start a follow-up attempt on the PR (handlers/follow-up.ts).
import type { Context } from "probot";
import { attemptForPull, recordOutcome, updateAttempt } from "../db/fixes.js";
import { recordReactions } from "../src/github/reactions.js";
import { hasWriteAccess } from "../src/github/write-access.js";
import type { HandlerDeps } from "./deps.js";
import { requestFollowUp, reviewFeedback } from "./follow-up.js";
import { isBotActor } from "./permissions.js";

export function onReviewSubmitted(deps: HandlerDeps) {
  return async (context: Context<"pull_request_review.submitted">): Promise<void> => {
    const { review, pull_request, repository } = context.payload;
    const attempt = await attemptForPull(deps.db, repository.full_name, pull_request.number);
    if (!attempt) return;
    const state = review.state.toLowerCase();
    if (state !== "approved" && state !== "changes_requested") return;
    const actor = review.user?.login ?? null;
    const maintainer = !isBotActor(review.user) && (await hasWriteAccess(context.octokit, context.repo(), actor));
    await recordOutcome(deps.db, {
      fixAttemptId: attempt.id,
      rolloutId: attempt.chosenRolloutId,
      signal: state === "approved" ? "approved" : "changes_requested",
      actor,
      maintainer,
      body: review.body ?? null,
      deliveryId: context.id,
    });
    // Changes requested by someone with write access: a follow-up on the same branch.
    if (state !== "changes_requested" || !actor || !maintainer) return;
    await requestFollowUp(context, deps, { pullNumber: pull_request.number, trigger: "review", requestedBy: actor, feedback: await reviewFeedback(context) });
  };
}

export function onLegoPullClosed(deps: HandlerDeps) {
  return async (context: Context<"pull_request.closed">): Promise<void> => {
    const { pull_request: pr, repository } = context.payload;
    const attempt = await attemptForPull(deps.db, repository.full_name, pr.number);
    if (!attempt) return;
    const user = pr.merged ? pr.merged_by : context.payload.sender;
    await recordOutcome(deps.db, {
      fixAttemptId: attempt.id,
      rolloutId: attempt.chosenRolloutId,
      signal: pr.merged ? "merged" : "closed_unmerged",
      actor: user?.login ?? null,
      // Merging needs write access on GitHub; a close may come from the author.
      maintainer: !isBotActor(user) && (await hasWriteAccess(context.octokit, context.repo(), user?.login)),
      deliveryId: context.id,
    });
    await updateAttempt(deps.db, attempt.id, { status: pr.merged ? "merged" : "closed" });
    await recordReactions(context.octokit, context.repo({}), deps, attempt.id, attempt.chosenRolloutId, pr.number);
  };
}
