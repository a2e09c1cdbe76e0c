// Queue `fix`: prepare an attempt (environment at the default branch's head, the tests that
// pass there) and start best-of-k as a BullMQ flow: k `rollout` children and one `fix-select`
// parent. A failed child never blocks the parent (ignoreDependencyOnFailure): the parent ranks
// whatever finished, and a rollout that failed for good is an infra-error row.
import { type FlowProducer, UnrecoverableError } from "bullmq";
import { getAttempt, insertRollout, repoCostSince, updateAttempt } from "../db/fixes.js";
import { CheckoutError, type FixDeps, openCheckout } from "../src/fix/checkout.js";
import { baselineTests } from "../src/fix/checks.js";
import { budgetReason, utcDayStart } from "../src/fix/costs.js";
import { storedFollowUp } from "../src/fix/follow-up.js";
import { diff, git } from "../src/git.js";
import { failAttempt, updateProgress } from "../src/fix/progress.js";
import { type JobData, type JobFailure, jobId } from "../src/queue.js";

export interface FixWorkerDeps extends FixDeps {
  flows: Pick<FlowProducer, "add">;
  prefix: string;
  now?: () => Date;
}

export const rolloutIdFor = (attemptId: number, index: number) => `fix${attemptId}-r${index}`;

export async function processFix(data: JobData["fix"], deps: FixWorkerDeps): Promise<{ rollouts: number } | { skipped: string }> {
  const attempt = await getAttempt(deps.db, data.attemptId);
  if (!attempt) throw new UnrecoverableError(`fix attempt ${data.attemptId} does not exist`);
  if (attempt.status === "cancelled") return { skipped: "cancelled before it started" };
  const overBudget = budgetReason({ attempt: 0, day: await repoCostSince(deps.db, attempt.repo, utcDayStart(deps.now?.() ?? new Date())) }, data.settings);
  if (overBudget) {
    const gh = await deps.github(attempt.installationId as number);
    await updateAttempt(deps.db, attempt.id, { status: "budget-reached", statusReason: overBudget });
    await updateProgress(deps.db, gh, attempt, { phase: "held", reason: `No rollout was started: ${overBudget}. Comment \`/lego retry\` after midnight UTC, or raise the budget in \`.github/lego.yml\`.` });
    return { skipped: overBudget };
  }
  await updateAttempt(deps.db, attempt.id, { status: "running" });
  let ws;
  try {
    ws = await openCheckout(deps, attempt, data.settings);
  } catch (err) {
    if (!(err instanceof CheckoutError)) throw err;
    // The environment cannot be built: retrying will not change that.
    const gh = await deps.github(attempt.installationId as number);
    await updateAttempt(deps.db, attempt.id, { status: "failed", statusReason: err.message });
    await updateProgress(deps.db, gh, attempt, { phase: "failed", error: err.message });
    throw new UnrecoverableError(err.message);
  }
  try {
    const followUp = storedFollowUp(attempt);
    if (followUp) {
      const problem = await followUpProblem(ws.cloneDir, (await getAttempt(deps.db, followUp.fromAttemptId))?.headSha ?? null, followUp.headSha);
      if (problem) {
        await updateAttempt(deps.db, attempt.id, { status: "refused", statusReason: problem });
        await updateProgress(deps.db, ws.gh, attempt, { phase: "held", reason: `Nothing was started or pushed: ${problem}.` });
        return { skipped: problem };
      }
      const mergeBase = (await git(ws.cloneDir, ["merge-base", `refs/remotes/origin/${ws.defaultBranch}`, followUp.headSha])).trim();
      const diffSoFar = await diff(ws.cloneDir, mergeBase, followUp.headSha);
      await updateAttempt(deps.db, attempt.id, { followUp: { ...followUp, diffSoFar } as unknown as Record<string, unknown> });
    }
    const baseline = await baselineTests({ docker: deps.docker, image: ws.image, plan: ws.plan, repoDir: ws.repoDir, repoHead: ws.repoHead, timeoutMs: data.settings.timeoutSec * 1000, limits: deps.limits, labels: { "org.legofactory.fix": String(attempt.id) } });
    await updateAttempt(deps.db, attempt.id, { baseSha: ws.baseSha, baseline: { command: baseline.command, passed: baseline.passed, ...(baseline.collected ? { collected: baseline.collected } : {}) } });
    for (let i = 0; i < attempt.k; i++) {
      await insertRollout(deps.db, { id: rolloutIdFor(attempt.id, i), fixAttemptId: attempt.id, index: i, model: "pending", status: "queued" });
    }
    await updateProgress(deps.db, ws.gh, attempt, { phase: "running" });
    await deps.flows.add({
      name: "fix-select",
      queueName: "fix-select",
      prefix: deps.prefix,
      data: { attemptId: attempt.id, settings: data.settings } satisfies JobData["fix-select"],
      opts: { jobId: jobId("select", attempt.id) },
      children: Array.from({ length: attempt.k }, (_, i) => ({
        name: "rollout",
        queueName: "rollout",
        prefix: deps.prefix,
        data: { attemptId: attempt.id, index: i, rolloutId: rolloutIdFor(attempt.id, i), settings: data.settings } satisfies JobData["rollout"],
        opts: { jobId: jobId("rollout", attempt.id, i), ignoreDependencyOnFailure: true, attempts: 2, backoff: { type: "exponential", delay: 5000 } },
      })),
    });
    return { rollouts: attempt.k };
  } finally {
    await ws.close();
  }
}

/**
 * Why a follow-up cannot build on the PR's head: LegoFactory's last commit is no longer in the
 * branch's history (someone rewrote it), or is unknown. Commits added on top by people are fine:
 * the follow-up starts from them and pushes on top.
 */
export async function followUpProblem(cloneDir: string, lastPushed: string | null, head: string): Promise<string | null> {
  if (!lastPushed) return "LegoFactory has no record of its last commit on this branch";
  try {
    await git(cloneDir, ["merge-base", "--is-ancestor", lastPushed, head]);
    return null;
  } catch {
    return `the branch was rewritten: LegoFactory's last commit ${lastPushed.slice(0, 7)} is no longer in the history of its head ${head.slice(0, 7)}`;
  }
}

/** Final failure: the attempt is failed and its progress comment says why. */
export async function fixFailed(data: JobData["fix"], failure: JobFailure, deps: Pick<FixDeps, "db" | "github">): Promise<void> {
  await failAttempt(deps, data.attemptId, failure.error);
}
