// Queue `rollout`: one of an attempt's k rollouts. The agent works in its own sandbox; the
// candidate is then checked (does it edit tests? does it break tests that passed?) and, if it
// survives, scored by the verifier. Everything lands on the rollout's row.
import { UnrecoverableError } from "bullmq";
import type { Logger } from "pino";
import { attemptCost, getAttempt, getTrajectory, repoCostSince, rolloutsForAttempt, saveTrajectory, updateRollout } from "../db/fixes.js";
import type { RolloutRow } from "../db/fixes.js";
import type { Trajectory } from "../src/agent/types.js";
import { changedPaths } from "../src/diff/index.js";
import { type FixDeps, openCheckout } from "../src/fix/checkout.js";
import { REPRODUCTION_TEST_INSTRUCTIONS } from "../src/agent/index.js";
import { type CandidateCheck, checkCandidate } from "../src/fix/checks.js";
import { followUpProblemStatement, storedFollowUp } from "../src/fix/follow-up.js";
import { budgetReason, rolloutCostCap, utcDayStart } from "../src/fix/costs.js";
import { type ModelSource, NO_POLICY_MESSAGE } from "../src/fix/models.js";
import { updateProgress } from "../src/fix/progress.js";
import { runRollout } from "../src/fix/rollout-runner.js";
import type { RolloutEvaluation } from "../src/fix/select.js";
import { stripHiddenMarkup } from "../src/harvest/markup.js";
import type { JobData, JobFailure } from "../src/queue.js";
import { verifyCandidate } from "../src/verifier/verifier.js";

export interface RolloutWorkerDeps extends FixDeps {
  /** Read per job: the registry's promoted version, or the LEGO_POLICY_* settings. */
  models: ModelSource;
  /** How often a running rollout checks whether its attempt was stopped. */
  cancelPollMs?: number;
}

/** What a retry needs of an agent run already stored on the rollout's row. */
export type StoredRun = Pick<Trajectory, "messages" | "patch" | "finishReason" | "turns" | "tokens" | "costUsd">;

/**
 * The agent run stored on the row by an earlier try of this job (the check after it failed on
 * the sandbox): a retry checks that patch again instead of paying for a new run. Null when the
 * earlier try stopped before the run was stored, or the run was cancelled.
 */
export function storedRun(row: Pick<RolloutRow, "patch" | "finishReason" | "turns" | "promptTokens" | "completionTokens" | "costUsd"> | undefined, messages: unknown): StoredRun | null {
  if (!row || row.patch === null || !row.finishReason || row.finishReason === "cancelled" || !Array.isArray(messages)) return null;
  return {
    messages: messages as Trajectory["messages"],
    patch: row.patch,
    finishReason: row.finishReason as Trajectory["finishReason"],
    turns: row.turns ?? 0,
    tokens: { prompt: row.promptTokens ?? 0, completion: row.completionTokens ?? 0 },
    costUsd: row.costUsd ?? 0,
  };
}

/**
 * A check the sandbox could not run (the engine went away mid-run) is retried, never graded:
 * the reason, or null when the check stands. Test edits are judged from the patch alone and a
 * hang from a second run without the patch, so those stand whatever the sandbox did.
 */
export function checkInfraRetry(check: Pick<CandidateCheck, "editsTests" | "hangs" | "infraError">): string | null {
  return !check.editsTests && !check.hangs && check.infraError ? check.infraError : null;
}

/** Thrown so the queue tries the job again (the row keeps the reason meanwhile). */
export class RolloutInfraError extends Error {
  readonly code = "rollout_infra_error";
}

/** Aborts when the attempt is marked cancelled (`/lego stop`). */
function cancellation(deps: RolloutWorkerDeps, attemptId: number, log: Logger): { signal: AbortSignal; stop(): void } {
  const ctl = new AbortController();
  const timer = setInterval(() => {
    getAttempt(deps.db, attemptId)
      .then((a) => {
        if (a?.status === "cancelled") ctl.abort();
      })
      .catch((err) => log.warn({ err: (err as Error).message }, "could not poll for cancellation"));
  }, deps.cancelPollMs ?? 2000);
  timer.unref();
  return { signal: ctl.signal, stop: () => clearInterval(timer) };
}

export async function processRollout(data: JobData["rollout"], deps: RolloutWorkerDeps): Promise<{ rolloutId: string; status: string }> {
  const attempt = await getAttempt(deps.db, data.attemptId);
  if (!attempt || attempt.status === "cancelled") {
    await updateRollout(deps.db, data.rolloutId, { status: "cancelled" });
    return { rolloutId: data.rolloutId, status: "cancelled" };
  }
  // Budgets: a rollout that would start past one is recorded as stopped, with the reason.
  const daySpent = await repoCostSince(deps.db, attempt.repo, utcDayStart(new Date()));
  const overBudget = budgetReason({ attempt: await attemptCost(deps.db, attempt.id), day: daySpent }, data.settings);
  if (overBudget) {
    await updateRollout(deps.db, data.rolloutId, { status: "cancelled", outcomeReason: `not started: ${overBudget}`, finishedAt: new Date() });
    return { rolloutId: data.rolloutId, status: "cancelled" };
  }
  const models = await deps.models.resolve();
  if (!models) throw new UnrecoverableError(NO_POLICY_MESSAGE);
  await updateRollout(deps.db, data.rolloutId, { status: "running", model: models.policy.model, modelVersionId: models.policy.version?.id ?? null, startedAt: new Date() });
  const ws = await openCheckout(deps, attempt, data.settings);
  const cancel = cancellation(deps, attempt.id, deps.log);
  try {
    await updateProgress(deps.db, ws.gh, attempt, { phase: "running" });
    const [owner, repo] = attempt.repo.split("/") as [string, string];
    const { data: issue } = await ws.gh.rest.issues.get({ owner, repo, issue_number: attempt.issueNumber });
    const issueText = `${issue.title}\n\n${stripHiddenMarkup(issue.body ?? "")}`.trim();
    const followUp = storedFollowUp(attempt);
    const problemStatement = followUp ? followUpProblemStatement(issueText, followUp) : issueText;
    const row = (await rolloutsForAttempt(deps.db, attempt.id)).find((r) => r.id === data.rolloutId);
    const stored = row?.patch != null ? storedRun(row, (await getTrajectory(deps.db, data.rolloutId))?.messages) : null;
    let trajectory: StoredRun;
    if (stored) {
      deps.log.info({ rolloutId: data.rolloutId }, "re-checking the run stored by an earlier try");
      trajectory = stored;
    } else {
      const run = await runRollout(
        { docker: deps.docker, image: ws.image, repoDir: ws.repoDir, repoHead: ws.repoHead, limits: deps.limits, labels: { "org.legofactory.rollout": data.rolloutId } },
        problemStatement,
        {
          client: models.policy.client,
          model: models.policy.model,
          mode: models.policy.mode,
          maxTurns: models.maxTurns,
          maxCostUsd: rolloutCostCap(data.settings, attempt.k, daySpent, models.maxCostUsd),
          pricing: models.pricing,
          user: data.rolloutId,
          signal: cancel.signal,
        },
        (data.settings.selection ?? "hybrid") === "hybrid" ? REPRODUCTION_TEST_INSTRUCTIONS : undefined,
      );
      await saveTrajectory(deps.db, data.rolloutId, run.messages, run.steps);
      await updateRollout(deps.db, data.rolloutId, {
        patch: run.patch,
        turns: run.turns,
        promptTokens: run.tokens.prompt,
        completionTokens: run.tokens.completion,
        costUsd: run.costUsd,
        finishReason: run.finishReason,
      });
      trajectory = run;
    }
    if (trajectory.finishReason === "cancelled") {
      await updateRollout(deps.db, data.rolloutId, { status: "cancelled", finishedAt: new Date() });
      return { rolloutId: data.rolloutId, status: "cancelled" };
    }
    const baseline = attempt.baseline ?? { command: ws.plan.testCommand("all"), passed: [] };
    const check = await checkCandidate({ docker: deps.docker, image: ws.image, plan: ws.plan, repoDir: ws.repoDir, repoHead: ws.repoHead, timeoutMs: data.settings.timeoutSec * 1000, limits: deps.limits }, trajectory.patch, { ...baseline, ran: true });
    const retry = checkInfraRetry(check);
    if (retry) {
      await updateRollout(deps.db, data.rolloutId, { outcomeReason: `infra-error, to be retried: ${retry}`.slice(0, 1000) });
      throw new RolloutInfraError(`the candidate check could not run in the sandbox: ${retry}`);
    }
    const evaluation: RolloutEvaluation = { editsTests: check.editsTests, cheatReason: check.cheatReason, breaks: check.breaks, passed: check.passed.length, failed: check.failed, infraError: check.infraError, applyError: check.applyError, hangs: check.hangs, changedFiles: changedPaths(trajectory.patch) };
    let score: number | null = null;
    let reasoning: string | null = null;
    if (trajectory.patch.trim() && !check.editsTests && check.breaks.length === 0 && !check.infraError && !check.applyError && !check.hangs) {
      try {
        const v = await verifyCandidate(models.verifier.client, models.verifier.model, { problemStatement, messages: trajectory.messages, patch: trajectory.patch });
        score = v.score;
        reasoning = v.reasoning;
      } catch (err) {
        evaluation.verifierError = (err as Error).message;
      }
    }
    await updateRollout(deps.db, data.rolloutId, {
      status: "finished",
      finishedAt: new Date(),
      verifierScore: score,
      verifierReasoning: reasoning,
      evaluation,
      ...(check.editsTests ? { outcome: "cheated" as const, outcomeReason: check.cheatReason ?? "edits tests" } : check.hangs ? { outcome: "unresolved" as const, outcomeReason: check.hangs } : { outcomeReason: null }),
    });
    await updateProgress(deps.db, ws.gh, attempt, { phase: "running" });
    return { rolloutId: data.rolloutId, status: "finished" };
  } finally {
    cancel.stop();
    await ws.close();
  }
}

/** Final failure: a sandbox or model failure, so an infra-error row, never counted against the model. */
export async function rolloutFailed(data: JobData["rollout"], failure: JobFailure, deps: Pick<FixDeps, "db">): Promise<void> {
  await updateRollout(deps.db, data.rolloutId, { status: "failed", outcome: "infra-error", outcomeReason: failure.error.message.slice(0, 1000), finishedAt: new Date() });
}
