// Queue `fix-select`: the parent of an attempt's rollouts. Ranks the candidates (drops empty
// patches, test edits, broken tests, sandbox failures; a minimum score, and no unscored candidate
// unless the repository opts in; then, by `autofix.selection`, the verifier score alone or the
// hybrid ranking over the rollouts' reproduction tests, which this job runs against every
// surviving candidate and the unpatched tree; deterministic ties),
// then opens a draft PR with the evidence and a check run with a Retry button — or explains
// why nothing qualified. Per-repository limits on open PRs and PRs per hour apply.
import { UnrecoverableError } from "bullmq";
import { type FixAttempt, getAttempt, prCounts, type RolloutRow, rolloutsForAttempt, updateAttempt, updateRollout } from "../db/fixes.js";
import { type FixDeps, openCheckout } from "../src/fix/checkout.js";
import { storedFollowUp } from "../src/fix/follow-up.js";
import { openFixPr, prLimitReason, pushFollowUp, reusablePr } from "../src/fix/open-pr.js";
import { failAttempt, updateProgress } from "../src/fix/progress.js";
import { runReproTests } from "../src/fix/repro-run.js";
import { collectReproTests } from "../src/fix/repro-tests.js";
import { type Candidate, candidateFromRollout, evaluationOf, rolloutSummaries, type ScorePolicy, scorePolicy, selectCandidate, selectionEvidence, type SelectionEvidence } from "../src/fix/select.js";
import { renderNoCandidateComment } from "../src/github/text/no-candidate-comment.js";
import type { JobData, JobFailure } from "../src/queue.js";
import type { FixSettings } from "../src/repo-config.js";

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
  const mode = data.settings.selection ?? "hybrid";
  const policy = scorePolicy(data.settings);
  const candidates = rows.map(candidateFromRollout);
  const repro = mode === "hybrid" ? await reproEvidence(deps, attempt, data.settings, rows, candidates, policy) : null;
  const selection = selectCandidate(candidates, policy, { mode, unpatched: repro?.unpatched ?? {} });
  for (const c of selection.ranked) {
    const row = rows.find((r) => r.id === c.id);
    await updateRollout(deps.db, c.id, { evaluation: { ...(row ? evaluationOf(row) : {}), ...(c.repro ? { repro: c.repro } : {}), rank: c.rank, dropped: c.dropped } });
  }
  const evidence = selectionEvidence(selection, repro);
  await updateAttempt(deps.db, attempt.id, { selection: evidence as unknown as Record<string, unknown> });
  const rollouts = rolloutSummaries(rows, selection);
  const { chosen, runnerUp } = selection;

  const followUp = storedFollowUp(attempt);
  if (!chosen) {
    const [owner, repo] = attempt.repo.split("/") as [string, string];
    await gh.rest.issues.createComment({ owner, repo, issue_number: followUp?.pullNumber ?? attempt.issueNumber, body: renderNoCandidateComment({ issueNumber: attempt.issueNumber, rollouts }) });
    await updateProgress(deps.db, gh, attempt, { phase: "no-candidate" });
    await updateAttempt(deps.db, attempt.id, { status: "no-candidate", statusReason: "no rollout produced a patch that passed the checks" });
    return { status: "no-candidate" };
  }

  if (followUp) {
    const pushed = await pushFollowUp(deps, gh, { attempt, followUp, chosen, rows });
    if ("refused" in pushed) {
      await updateProgress(deps.db, gh, attempt, { phase: "held", reason: `Rollout ${chosen.index} passed the checks, but nothing was pushed: ${pushed.refused}.` });
      await updateAttempt(deps.db, attempt.id, { status: "refused", statusReason: pushed.refused, chosenRolloutId: chosen.id });
      return { status: "refused" };
    }
    await updateProgress(deps.db, gh, attempt, { phase: "opened", prNumber: followUp.pullNumber, chosen: { index: chosen.index, score: chosen.score } });
    await updateAttempt(deps.db, followUp.fromAttemptId, { status: "superseded", statusReason: `followed up by attempt ${attempt.id}` });
    await updateAttempt(deps.db, attempt.id, { status: "pr-open", pullNumber: followUp.pullNumber, branch: followUp.branch, headSha: pushed.headSha, chosenRolloutId: chosen.id });
    return { status: "pr-open", pullNumber: followUp.pullNumber };
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

  const pr = await openFixPr(deps, gh, { attempt, rows, rollouts, chosen, runnerUp, reuse, selection: evidence, now });
  // The comment first: the status is what observers wait for, so it is written last.
  await updateProgress(deps.db, gh, attempt, { phase: "opened", prNumber: pr.pullNumber, chosen: { index: chosen.index, score: chosen.score } });
  // prOpenedAt only for a new PR: updating one is not opening one, for the per-hour limit.
  await updateAttempt(deps.db, attempt.id, { status: "pr-open", pullNumber: pr.pullNumber, branch: pr.branch, headSha: pr.headSha, chosenRolloutId: chosen.id, checkRunId: pr.checkRunId, prOpenedAt: reuse ? null : now });
  return { status: "pr-open", pullNumber: pr.pullNumber };
}

/**
 * Runs the reproduction tests the surviving rollouts wrote against each survivor and the
 * unpatched tree; fills each candidate's `repro`. Nothing runs when fewer than two candidates
 * survive (there is nothing to tell apart) or no rollout wrote a usable test: the reason is kept.
 */
async function reproEvidence(deps: SelectWorkerDeps, attempt: FixAttempt, settings: FixSettings, rows: RolloutRow[], candidates: Candidate[], policy: ScorePolicy): Promise<NonNullable<SelectionEvidence["repro"]>> {
  const survivors = selectCandidate(candidates, policy, { mode: "verifier" }).ranked.filter((c) => c.dropped === null);
  const collection = collectReproTests(survivors.map((c) => ({ index: c.index, patch: rows.find((r) => r.id === c.id)?.patch ?? "" })));
  const base = { tests: collection.tests.map(({ key, files, rollouts }) => ({ key, files, rollouts })), rejected: collection.rejected, runs: [], unpatched: {} };
  if (survivors.length < 2) return { ...base, skipped: survivors.length === 0 ? "no candidate qualified" : "only one candidate qualified" };
  if (collection.tests.length === 0) return { ...base, skipped: "no rollout wrote a usable reproduction test" };
  const ws = await openCheckout(deps, attempt, settings);
  try {
    const results = await runReproTests(
      { docker: deps.docker, image: ws.image, plan: ws.plan, repoDir: ws.repoDir, repoHead: ws.repoHead, timeoutMs: (settings.reproTimeoutSec ?? 300) * 1000, limits: deps.limits, labels: { "org.legofactory.fix": String(attempt.id) } },
      collection,
      survivors.map((c) => ({ id: c.id, index: c.index, patch: c.patch })),
    );
    for (const c of candidates) {
      const r = results.candidates[c.id];
      if (r) c.repro = r;
    }
    return { ...base, runs: results.runs, unpatched: results.unpatched };
  } finally {
    await ws.close();
  }
}

/** Final failure: the attempt is failed and its progress comment says why. */
export async function selectFailed(data: JobData["fix-select"], failure: JobFailure, deps: Pick<FixDeps, "db" | "github">): Promise<void> {
  await failAttempt(deps, data.attemptId, failure.error);
}
