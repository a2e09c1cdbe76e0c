// Queue `fix-select`: the parent of an attempt's rollouts. Ranks the candidates (drops empty
// patches, test edits, broken tests, sandbox failures; verifier score; deterministic ties),
// then opens a draft PR with the evidence and a check run with a Retry button — or explains
// why nothing qualified. Per-repository limits on open PRs and PRs per hour apply.
import { createHash } from "node:crypto";
import path from "node:path";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { UnrecoverableError } from "bullmq";
import { attemptsForIssue, getAttempt, getTrajectory, prCounts, type RolloutRow, rolloutsForAttempt, updateAttempt, updateRollout } from "../db/fixes.js";
import { changedLineCount, changedPaths, parseDiff } from "../src/diff/index.js";
import { failAttempt, updateProgress } from "../src/fix/progress.js";
import { pushPatch } from "../src/fix/push.js";
import { type Candidate, selectCandidate } from "../src/fix/select.js";
import type { FixDeps } from "../src/fix/workspace.js";
import { cloneBare } from "../src/git.js";
import { renderNoCandidateComment } from "../src/github/text/no-candidate-comment.js";
import { renderPrBody } from "../src/github/text/pr-body.js";
import type { JobData, JobFailure } from "../src/queue.js";

export interface SelectWorkerDeps extends FixDeps {
  /** The app's bot identity for commits, e.g. legofactory[bot]. */
  botName: string;
  now?: () => Date;
}

type Evaluation = { editsTests?: boolean; breaks?: string[]; infraError?: string; applyError?: string; passed?: number; failed?: string[] };

function toCandidate(r: RolloutRow): Candidate {
  const ev = (r.evaluation ?? {}) as Evaluation;
  const patch = r.patch ?? "";
  const infra = r.status === "failed" ? (r.outcomeReason ?? "the rollout failed") : r.status !== "finished" ? `the rollout did not finish (${r.status})` : ev.infraError;
  return {
    id: r.id,
    index: r.index,
    patch,
    editsTests: ev.editsTests ?? false,
    breaksPassingTests: ev.breaks ?? [],
    ...(infra ? { infraError: infra } : ev.applyError ? { infraError: ev.applyError } : {}),
    score: r.verifierScore,
    changedLines: changedLineCount(patch),
  };
}

function fileStats(patch: string): { path: string; additions: number; deletions: number }[] {
  return parseDiff(patch).map(({ path, additions, deletions }) => ({ path, additions, deletions }));
}

export async function processSelect(data: JobData["fix-select"], deps: SelectWorkerDeps): Promise<{ status: string; pullNumber?: number }> {
  const attempt = await getAttempt(deps.db, data.attemptId);
  if (!attempt?.installationId) throw new UnrecoverableError(`fix attempt ${data.attemptId} does not exist`);
  const gh = await deps.github(attempt.installationId);
  const [owner, repo] = attempt.repo.split("/") as [string, string];
  if (attempt.status === "cancelled") {
    await updateProgress(deps.db, gh, attempt, { phase: "stopped" });
    return { status: "cancelled" };
  }
  await updateAttempt(deps.db, attempt.id, { status: "verifying" });
  const rows = await rolloutsForAttempt(deps.db, attempt.id);
  const selection = selectCandidate(rows.map(toCandidate));
  for (const c of selection.ranked) {
    const row = rows.find((r) => r.id === c.id);
    await updateRollout(deps.db, c.id, { evaluation: { ...((row?.evaluation ?? {}) as object), rank: c.rank, dropped: c.dropped } });
  }
  const table = selection.ranked.map((c) => ({ index: c.index, outcome: rows.find((r) => r.id === c.id)?.outcome ?? (c.dropped ? "dropped" : "candidate"), score: c.score, ...(c.dropped ? { dropped: c.dropped } : {}) }));

  if (!selection.chosen) {
    await gh.rest.issues.createComment({ owner, repo, issue_number: attempt.issueNumber, body: renderNoCandidateComment({ issueNumber: attempt.issueNumber, rollouts: table }) });
    await updateProgress(deps.db, gh, attempt, { phase: "no-candidate" });
    await updateAttempt(deps.db, attempt.id, { status: "no-candidate", statusReason: "no rollout produced a patch that passed the checks" });
    return { status: "no-candidate" };
  }
  const chosen = selection.chosen;

  // A retry updates LegoFactory's branch unless a human pushed to it since.
  const previous = (await attemptsForIssue(deps.db, attempt.repo, attempt.issueNumber)).find((a) => a.id !== attempt.id && a.status === "pr-open" && a.pullNumber && a.branch);
  let reuse = false;
  if (previous?.branch && previous.headSha) {
    const ref = await gh.rest.git.getRef({ owner, repo, ref: `heads/${previous.branch}` }).catch(() => null);
    reuse = ref?.data.object.sha === previous.headSha;
  }

  // Conservative limits for anything that writes to GitHub: they apply to every new PR.
  const now = deps.now?.() ?? new Date();
  if (!reuse) {
    const counts = await prCounts(deps.db, attempt.repo, new Date(now.getTime() - 3600_000));
    const limit =
      counts.open >= data.settings.maxOpenPrs
        ? `${counts.open} LegoFactory pull requests are open (autofix.maxOpenPrs is ${data.settings.maxOpenPrs})`
        : counts.recent >= data.settings.maxPrsPerHour
          ? `${counts.recent} pull requests were opened in the last hour (autofix.maxPrsPerHour is ${data.settings.maxPrsPerHour})`
          : null;
    if (limit) {
      const msg = `A candidate passed the checks (rollout ${chosen.index}), but no pull request was opened: ${limit}. Comment \`/lego retry\` later.`;
      await updateProgress(deps.db, gh, attempt, { phase: "held", reason: msg });
      await updateAttempt(deps.db, attempt.id, { status: "rate-limited", statusReason: limit, chosenRolloutId: chosen.id });
      return { status: "rate-limited" };
    }
  }

  const branch = reuse && previous?.branch ? previous.branch : `lego/fix-${attempt.issueNumber}-${createHash("sha256").update(`${attempt.id}\n${chosen.patch}`).digest("hex").slice(0, 7)}`;
  const { token } = (await gh.auth({ type: "installation" })) as { token: string };
  const { data: info } = await gh.rest.repos.get({ owner, repo });
  const { data: issue } = await gh.rest.issues.get({ owner, repo, issue_number: attempt.issueNumber });
  await withScratch(deps, attempt.id, async (scratch) => {
    const cloneDir = path.join(scratch, "clone");
    await cloneBare(info.clone_url, cloneDir, token);
    const headSha = await pushPatch({
      cloneDir,
      remoteUrl: info.clone_url,
      token,
      baseSha: attempt.baseSha as string,
      patch: chosen.patch,
      branch,
      message: `Fix #${attempt.issueNumber}: ${issue.title}\n\nCandidate fix by LegoFactory (rollout ${chosen.index} of ${attempt.k}, verifier P(YES) ${chosen.score?.toFixed(3) ?? "n/a"}).`,
      author: { name: deps.botName, email: `${deps.botName}@users.noreply.github.com` },
      force: reuse,
      scratch,
    });
    const chosenRow = rows.find((r) => r.id === chosen.id);
    const ev = (chosenRow?.evaluation ?? {}) as Evaluation;
    const summary = (await finishMessage(deps, chosen.id)) ?? `Changes ${changedPaths(chosen.patch).join(", ")}.`;
    const body = renderPrBody({
      issueNumber: attempt.issueNumber,
      summary,
      changedFiles: fileStats(chosen.patch),
      tests: attempt.baseline ? { command: attempt.baseline.command, passed: attempt.baseline.passed.filter((t) => !(ev.failed ?? []).includes(t)), failed: ev.failed ?? [] } : null,
      rollouts: table,
      chosen: { index: chosen.index, score: chosen.score },
      runnerUp: selection.runnerUp ? { index: selection.runnerUp.index, score: selection.runnerUp.score } : null,
      meta: { version: 1, attemptId: attempt.id, issue: attempt.issueNumber, chosenRolloutId: chosen.id, siblingRolloutIds: rows.filter((r) => r.id !== chosen.id).map((r) => r.id), headSha },
    });
    let pullNumber: number;
    if (reuse && previous?.pullNumber) {
      pullNumber = previous.pullNumber;
      await gh.rest.pulls.update({ owner, repo, pull_number: pullNumber, body });
      await updateAttempt(deps.db, previous.id, { status: "superseded", statusReason: `replaced by attempt ${attempt.id}` });
    } else {
      const { data: pr } = await gh.rest.pulls.create({ owner, repo, head: branch, base: info.default_branch, title: `Fix #${attempt.issueNumber}: ${issue.title}`, body, draft: true });
      pullNumber = pr.number;
    }
    const { data: check } = await gh.rest.checks.create({
      owner,
      repo,
      name: "LegoFactory",
      head_sha: headSha,
      external_id: String(attempt.id),
      status: "completed",
      conclusion: "neutral",
      output: { title: `Candidate fix: rollout ${chosen.index} of ${attempt.k}`, summary: `Verifier P(YES) ${chosen.score?.toFixed(3) ?? "n/a"}; runner-up ${selection.runnerUp ? `rollout ${selection.runnerUp.index} (${selection.runnerUp.score?.toFixed(3) ?? "n/a"})` : "none"}. Press Retry for fresh rollouts.` },
      actions: [{ label: "Retry", description: "Run fresh rollouts", identifier: "retry" }],
    });
    // The comment first: the status is what observers wait for, so it is written last.
    await updateProgress(deps.db, gh, attempt, { phase: "opened", prNumber: pullNumber, chosen: { index: chosen.index, score: chosen.score } });
    // prOpenedAt only for a new PR: updating one is not opening one, for the per-hour limit.
    await updateAttempt(deps.db, attempt.id, { status: "pr-open", pullNumber, branch, headSha, chosenRolloutId: chosen.id, checkRunId: check.id, prOpenedAt: reuse ? null : now });
  });
  const done = await getAttempt(deps.db, attempt.id);
  return { status: "pr-open", ...(done?.pullNumber ? { pullNumber: done.pullNumber } : {}) };
}

async function finishMessage(deps: SelectWorkerDeps, rolloutId: string): Promise<string | null> {
  const t = await getTrajectory(deps.db, rolloutId);
  const steps = (t?.steps ?? []) as { action: { tool: string; args: { message?: unknown } } | null }[];
  const finish = [...steps].reverse().find((s) => s.action?.tool === "finish");
  const msg = finish?.action?.args.message;
  return typeof msg === "string" && msg.trim() ? msg : null;
}

async function withScratch(deps: SelectWorkerDeps, attemptId: number, body: (scratch: string) => Promise<void>): Promise<void> {
  await mkdir(deps.workDir, { recursive: true });
  const scratch = await mkdtemp(path.join(deps.workDir, `select-${attemptId}-`));
  try {
    await body(scratch);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Final failure: the attempt is failed and its progress comment says why. */
export async function selectFailed(data: JobData["fix-select"], failure: JobFailure, deps: Pick<FixDeps, "db" | "github">): Promise<void> {
  await failAttempt(deps, data.attemptId, failure.error);
}
