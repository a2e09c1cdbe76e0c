// Queue `fix-select`: the parent of an attempt's rollouts. Ranks the candidates (drops empty
// patches, test edits, broken tests, sandbox failures; verifier score; deterministic ties;
// a minimum score, and no unscored candidate unless the repository opts in),
// then opens a draft PR with the evidence and a check run with a Retry button — or explains
// why nothing qualified. Per-repository limits on open PRs and PRs per hour apply.
import { UnrecoverableError } from "bullmq";
import { getAttempt, prCounts, rolloutsForAttempt, updateAttempt, updateRollout } from "../db/fixes.js";
import type { FixDeps } from "../src/fix/checkout.js";
import { openFixPr, prLimitReason, reusablePr } from "../src/fix/open-pr.js";
import { failAttempt, updateProgress } from "../src/fix/progress.js";
import { candidateFromRollout, evaluationOf, rolloutSummaries, scorePolicy, selectCandidate } from "../src/fix/select.js";
import { renderNoCandidateComment } from "../src/github/text/no-candidate-comment.js";
import type { JobData, JobFailure } from "../src/queue.js";

export interface SelectWorkerDeps extends FixDeps {
  /** The app's bot identity for commits, e.g. legofactory[bot]. */
  botName: string;
  now?: () => Date;
}

export async function processSelect(data: JobData["fix-select"], deps: SelectWorkerDeps): Promise<{ status: string; pullNumber?: number }> {
  const attempt = await getAttempt(deps.db, data.attemptId);
  if (!attempt?.installationId) throw new UnrecoverableError(`fix attempt ${data.attemptId} does not exist`);
  const gh = await deps.github(attempt.installationId);
  if (attempt.status === "cancelled") {
    await updateProgress(deps.db, gh, attempt, { phase: "stopped" });
    return { status: "cancelled" };
  }
  await updateAttempt(deps.db, attempt.id, { status: "verifying" });
  const rows = await rolloutsForAttempt(deps.db, attempt.id);
  const selection = selectCandidate(rows.map(candidateFromRollout), scorePolicy(data.settings));
  for (const c of selection.ranked) {
    const row = rows.find((r) => r.id === c.id);
    await updateRollout(deps.db, c.id, { evaluation: { ...(row ? evaluationOf(row) : {}), rank: c.rank, dropped: c.dropped } });
  }
  const rollouts = rolloutSummaries(rows, selection);
  const { chosen, runnerUp } = selection;

  if (!chosen) {
    const [owner, repo] = attempt.repo.split("/") as [string, string];
    await gh.rest.issues.createComment({ owner, repo, issue_number: attempt.issueNumber, body: renderNoCandidateComment({ issueNumber: attempt.issueNumber, rollouts }) });
    await updateProgress(deps.db, gh, attempt, { phase: "no-candidate" });
    await updateAttempt(deps.db, attempt.id, { status: "no-candidate", statusReason: "no rollout produced a patch that passed the checks" });
    return { status: "no-candidate" };
  }

  const reuse = await reusablePr(deps.db, gh, attempt);
  const now = deps.now?.() ?? new Date();
  const limit = reuse ? null : prLimitReason(await prCounts(deps.db, attempt.repo, new Date(now.getTime() - 3600_000)), data.settings);
  if (limit) {
    const msg = `A candidate passed the checks (rollout ${chosen.index}), but no pull request was opened: ${limit}. Comment \`/lego retry\` later.`;
    await updateProgress(deps.db, gh, attempt, { phase: "held", reason: msg });
    await updateAttempt(deps.db, attempt.id, { status: "rate-limited", statusReason: limit, chosenRolloutId: chosen.id });
    return { status: "rate-limited" };
  }

  const pr = await openFixPr(deps, gh, { attempt, rows, rollouts, chosen, runnerUp, reuse });
  // The comment first: the status is what observers wait for, so it is written last.
  await updateProgress(deps.db, gh, attempt, { phase: "opened", prNumber: pr.pullNumber, chosen: { index: chosen.index, score: chosen.score } });
  // prOpenedAt only for a new PR: updating one is not opening one, for the per-hour limit.
  await updateAttempt(deps.db, attempt.id, { status: "pr-open", pullNumber: pr.pullNumber, branch: pr.branch, headSha: pr.headSha, chosenRolloutId: chosen.id, checkRunId: pr.checkRunId, prOpenedAt: reuse ? null : now });
  return { status: "pr-open", pullNumber: pr.pullNumber };
}

/** Final failure: the attempt is failed and its progress comment says why. */
export async function selectFailed(data: JobData["fix-select"], failure: JobFailure, deps: Pick<FixDeps, "db" | "github">): Promise<void> {
  await failAttempt(deps, data.attemptId, failure.error);
}
