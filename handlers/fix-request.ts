// Starting, stopping and explaining fix attempts: shared by issues.*, issue_comment.created
// and check_run.requested_action. Acknowledges at once (👀 and one progress comment that the
// workers edit in place) and leaves the work to the `fix` queue.
import type { Context } from "probot";
import { activeAttemptStatuses, attemptsForIssue, createAttempt, getTrajectory, rolloutsForAttempt, updateAttempt } from "../db/fixes.js";
import type { FollowUp } from "../src/fix/follow-up.js";
import { currentDeliveryRun } from "../src/github/delivery-reply.js";
import { storedSelection } from "../src/fix/select.js";
import { type ExplainedStep, renderExplanation } from "../src/github/text/explain.js";
import { renderProgressComment } from "../src/github/text/progress-comment.js";
import { jobId } from "../src/queue.js";
import { fixSettings, type RepoConfig } from "../src/repo-config.js";
import type { HandlerDeps } from "./deps.js";
import { replier } from "./reply.js";

type RepoContext = Context<"issues" | "issue_comment" | "check_run" | "pull_request_review">;

export interface FixRequest {
  issueNumber: number;
  trigger: "issue" | "label" | "command" | "retry" | "check-run" | "review";
  requestedBy: string;
  k?: number;
  config: RepoConfig;
  /** A follow-up on a LegoFactory PR: its progress comment goes on the PR. */
  followUp?: FollowUp;
}

const isActive = (status: string) => (activeAttemptStatuses as readonly string[]).includes(status);

export async function requestFix(context: RepoContext, deps: HandlerDeps, req: FixRequest): Promise<number | null> {
  const repo = context.payload.repository.full_name;
  const installationId = context.payload.installation?.id;
  if (!installationId) return null;
  const comment = replier(context, req.followUp?.pullNumber ?? req.issueNumber);
  const enabled = typeof deps.fixEnabled === "function" ? await deps.fixEnabled() : Boolean(deps.fixEnabled);
  if (!enabled) {
    await comment("LegoFactory has no policy model yet (no promoted model version and no `LEGO_POLICY_BASE_URL`), so it cannot write fixes here. An administrator can set one up.");
    return null;
  }
  const running = (await attemptsForIssue(deps.db, repo, req.issueNumber)).find((a) => isActive(a.status));
  if (running) {
    // A re-run of the delivery that created it, killed before the job was queued: queue it now
    // (the job id makes this a no-op when it was queued), and the reply below is the one posted.
    if (running.status === "queued" && currentDeliveryRun()?.rerun) {
      await deps.queues.add("fix", jobId("fix", running.id), { attemptId: running.id, settings: fixSettings(req.config, running.k) });
    }
    await comment(`A fix attempt for #${req.issueNumber} is already ${running.status}; comment \`/lego stop\` to cancel it first.`);
    return null;
  }
  const settings = fixSettings(req.config, req.k);
  const progress = await comment(renderProgressComment({ phase: "queued", issueNumber: req.issueNumber, k: settings.k, rollouts: [] }));
  const attempt = await createAttempt(deps.db, { repo, issueNumber: req.issueNumber, installationId, trigger: req.trigger, requestedBy: req.requestedBy, k: settings.k, progressCommentId: progress.id });
  if (req.followUp) {
    // The rollouts start from the PR's head, and the PR's commands now act on this attempt.
    const { pullNumber, branch, headSha } = req.followUp;
    await updateAttempt(deps.db, attempt.id, { followUp: req.followUp as unknown as Record<string, unknown>, baseSha: headSha, pullNumber, branch });
  }
  await deps.queues.add("fix", jobId("fix", attempt.id), { attemptId: attempt.id, settings });
  return attempt.id;
}

/** `/lego stop`: every active attempt on the issue is cancelled; workers stop at their next step. */
export async function stopFixes(context: RepoContext, deps: HandlerDeps, issueNumber: number): Promise<number> {
  const active = (await attemptsForIssue(deps.db, context.payload.repository.full_name, issueNumber)).filter((a) => isActive(a.status));
  for (const a of active) await updateAttempt(deps.db, a.id, { status: "cancelled", statusReason: "stopped with /lego stop" });
  return active.length;
}

/** `/lego explain`: the verifier's reasoning and what the chosen rollout did, step by step. */
export async function explainFix(context: RepoContext, deps: HandlerDeps, issueNumber: number): Promise<string> {
  const attempt = (await attemptsForIssue(deps.db, context.payload.repository.full_name, issueNumber)).find((a) => a.chosenRolloutId);
  if (!attempt?.chosenRolloutId) return `There is no LegoFactory fix for #${issueNumber} to explain yet.`;
  const rollouts = await rolloutsForAttempt(deps.db, attempt.id);
  const trajectory = await getTrajectory(deps.db, attempt.chosenRolloutId);
  const steps = (trajectory?.steps as ExplainedStep[] | undefined) ?? [];
  return renderExplanation({ issueNumber, chosenRolloutId: attempt.chosenRolloutId, rollouts, steps, selection: storedSelection(attempt) });
}
