// The candidate fix on GitHub: LegoFactory's branch, the push, the draft PR with its evidence,
// and a check run with a Retry button. Conservative limits apply to every new PR.
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import type { Db } from "../../db/client.js";
import { attemptsForIssue, type FixAttempt, getTrajectory, type RolloutRow, updateAttempt } from "../../db/fixes.js";
import { getModelVersionById } from "../../db/model-versions.js";
import { changedPaths, parseDiff } from "../diff/index.js";
import { cloneBare } from "../git.js";
import type { InstallationOctokit } from "../github/probot.js";
import { renderPrBody } from "../github/text/pr-body.js";
import type { RolloutSummary } from "../github/text/rollouts-table.js";
import type { FixSettings } from "../repo-config.js";
import { pushPatch } from "./push.js";
import { rolloutCosts } from "./costs.js";
import { type FollowUp, renderFollowUpComment } from "./follow-up.js";
import { evaluationOf, type RankedCandidate, type SelectionEvidence } from "./select.js";

/** Pure: why a repository's limits hold a new PR back, or null when they do not. */
export function prLimitReason(counts: { open: number; recent: number }, settings: Pick<FixSettings, "maxOpenPrs" | "maxPrsPerHour">): string | null {
  if (counts.open >= settings.maxOpenPrs) return `${counts.open} LegoFactory pull requests are open (autofix.maxOpenPrs is ${settings.maxOpenPrs})`;
  if (counts.recent >= settings.maxPrsPerHour) return `${counts.recent} pull requests were opened in the last hour (autofix.maxPrsPerHour is ${settings.maxPrsPerHour})`;
  return null;
}

/** Pure: a new branch per attempt and patch, named after the issue. */
export function fixBranchName(issueNumber: number, attemptId: number, patch: string): string {
  return `lego/fix-${issueNumber}-${createHash("sha256").update(`${attemptId}\n${patch}`).digest("hex").slice(0, 7)}`;
}

/**
 * A retry updates LegoFactory's open PR for the issue, unless its branch is gone (404) or a
 * human pushed to it since (its head moved). Any other error reading the branch (a 5xx, a rate
 * limit, a time-out) says nothing about the branch: it is thrown, so the job is retried instead
 * of opening a second PR for the same issue.
 */
export async function reusablePr(db: Db, gh: InstallationOctokit, attempt: FixAttempt): Promise<FixAttempt | null> {
  const [owner, repo] = attempt.repo.split("/") as [string, string];
  const previous = (await attemptsForIssue(db, attempt.repo, attempt.issueNumber)).find((a) => a.id !== attempt.id && a.status === "pr-open" && a.pullNumber && a.branch);
  if (!previous?.branch || !previous.headSha) return null;
  const ref = await gh.rest.git.getRef({ owner, repo, ref: `heads/${previous.branch}` }).catch((err: unknown) => {
    if ((err as { status?: number }).status === 404) return null;
    throw err;
  });
  return ref?.data.object.sha === previous.headSha ? previous : null;
}

export interface FixPrInput {
  attempt: FixAttempt;
  rows: RolloutRow[];
  rollouts: RolloutSummary[];
  chosen: RankedCandidate;
  runnerUp: RankedCandidate | null;
  /** The attempt whose PR is updated instead of opening a new one. */
  reuse: FixAttempt | null;
  selection?: SelectionEvidence | null;
  now?: Date;
}

export interface OpenedPr {
  pullNumber: number;
  branch: string;
  headSha: string;
  checkRunId: number;
}

/** Pushes the chosen patch and opens (or updates) the draft PR and its check run. */
export async function openFixPr(deps: { db: Db; workDir: string; botName: string }, gh: InstallationOctokit, input: FixPrInput): Promise<OpenedPr> {
  const { attempt, chosen, runnerUp, reuse } = input;
  const [owner, repo] = attempt.repo.split("/") as [string, string];
  const branch = reuse?.branch ?? fixBranchName(attempt.issueNumber, attempt.id, chosen.patch);
  const { token } = (await gh.auth({ type: "installation" })) as { token: string };
  const { data: info } = await gh.rest.repos.get({ owner, repo });
  const { data: issue } = await gh.rest.issues.get({ owner, repo, issue_number: attempt.issueNumber });
  const score = chosen.score?.toFixed(3) ?? "n/a";
  const headSha = await withScratch(deps.workDir, attempt.id, async (scratch) => {
    const cloneDir = path.join(scratch, "clone");
    await cloneBare(info.clone_url, cloneDir, token);
    return pushPatch({
      cloneDir,
      remoteUrl: info.clone_url,
      token,
      baseSha: attempt.baseSha as string,
      patch: chosen.patch,
      branch,
      message: `Fix #${attempt.issueNumber}: ${issue.title}\n\nCandidate fix by LegoFactory (rollout ${chosen.index} of ${attempt.k}, verifier P(YES) ${score}).`,
      author: { name: deps.botName, email: `${deps.botName}@users.noreply.github.com` },
      force: reuse !== null,
      scratch,
    });
  });
  const chosenRow = input.rows.find((r) => r.id === chosen.id);
  const ev = evaluationOf(chosenRow ?? { evaluation: null });
  const version = chosenRow?.modelVersionId ? await getModelVersionById(deps.db, chosenRow.modelVersionId) : null;
  const failed = ev.failed ?? [];
  const body = renderPrBody({
    issueNumber: attempt.issueNumber,
    summary: (await finishMessage(deps.db, chosen.id)) ?? `Changes ${changedPaths(chosen.patch).join(", ")}.`,
    changedFiles: parseDiff(chosen.patch).map(({ path: p, additions, deletions }) => ({ path: p, additions, deletions })),
    tests: attempt.baseline ? { command: attempt.baseline.command, passed: attempt.baseline.passed.filter((t) => !failed.includes(t)), failed } : null,
    rollouts: input.rollouts,
    chosen: { index: chosen.index, score: chosen.score },
    runnerUp: runnerUp ? { index: runnerUp.index, score: runnerUp.score } : null,
    selection: input.selection ?? null,
    costs: { rollouts: rolloutCosts(input.rows), attemptWallMs: Math.max(0, (input.now ?? new Date()).getTime() - attempt.createdAt.getTime()) },
    ...(chosenRow ? { model: { name: chosenRow.model, version: version?.name ?? null } } : {}),
    meta: { version: 1, attemptId: attempt.id, issue: attempt.issueNumber, chosenRolloutId: chosen.id, siblingRolloutIds: input.rows.filter((r) => r.id !== chosen.id).map((r) => r.id), headSha },
  });
  let pullNumber: number;
  if (reuse?.pullNumber) {
    pullNumber = reuse.pullNumber;
    await gh.rest.pulls.update({ owner, repo, pull_number: pullNumber, body });
    await updateAttempt(deps.db, reuse.id, { status: "superseded", statusReason: `replaced by attempt ${attempt.id}` });
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
    output: { title: `Candidate fix: rollout ${chosen.index} of ${attempt.k}`, summary: `Verifier P(YES) ${score}; runner-up ${runnerUp ? `rollout ${runnerUp.index} (${runnerUp.score?.toFixed(3) ?? "n/a"})` : "none"}. Press Retry for fresh rollouts.` },
    actions: [{ label: "Retry", description: "Run fresh rollouts", identifier: "retry" }],
  });
  return { pullNumber, branch, headSha, checkRunId: check.id };
}

/**
 * A follow-up's result as a new commit on top of the PR's head, never a force push: when the
 * branch moved or vanished since the follow-up started, nothing is pushed and the reason is
 * returned. Then a comment on the PR says what changed in answer to which review comment.
 */
export async function pushFollowUp(deps: { db: Db; workDir: string; botName: string }, gh: InstallationOctokit, input: { attempt: FixAttempt; followUp: FollowUp; chosen: RankedCandidate; rows: RolloutRow[] }): Promise<{ headSha: string } | { refused: string }> {
  const { attempt, followUp, chosen } = input;
  const [owner, repo] = attempt.repo.split("/") as [string, string];
  const ref = await gh.rest.git.getRef({ owner, repo, ref: `heads/${followUp.branch}` }).catch((err: { status?: number }) => {
    if (err.status === 404) return null;
    throw err;
  });
  if (!ref) return { refused: `the branch \`${followUp.branch}\` was deleted` };
  if (ref.data.object.sha !== followUp.headSha) {
    return { refused: `the branch moved to ${ref.data.object.sha.slice(0, 7)} while the rollouts ran from ${followUp.headSha.slice(0, 7)}; LegoFactory never pushes over other commits. Comment \`/lego retry\` with the feedback again to start from the new head` };
  }
  const { token } = (await gh.auth({ type: "installation" })) as { token: string };
  const { data: info } = await gh.rest.repos.get({ owner, repo });
  const summary = await finishMessage(deps.db, chosen.id);
  const headSha = await withScratch(deps.workDir, attempt.id, async (scratch) => {
    const cloneDir = path.join(scratch, "clone");
    await cloneBare(info.clone_url, cloneDir, token);
    return pushPatch({
      cloneDir,
      remoteUrl: info.clone_url,
      token,
      baseSha: followUp.headSha,
      patch: chosen.patch,
      branch: followUp.branch,
      message: `Address review on #${followUp.pullNumber}\n\nFollow-up by LegoFactory for #${attempt.issueNumber} (rollout ${chosen.index} of ${attempt.k}, verifier P(YES) ${chosen.score?.toFixed(3) ?? "n/a"}).`,
      author: { name: deps.botName, email: `${deps.botName}@users.noreply.github.com` },
      force: false,
      scratch,
    });
  });
  const body = renderFollowUpComment({ headSha, rollout: chosen.index, k: attempt.k, feedback: followUp.feedback, hidden: followUp.hidden, changed: parseDiff(chosen.patch), summary });
  await gh.rest.issues.createComment({ owner, repo, issue_number: followUp.pullNumber, body });
  return { headSha };
}

/** The agent's own account of its change: the message of its `finish` action. */
async function finishMessage(db: Db, rolloutId: string): Promise<string | null> {
  const t = await getTrajectory(db, rolloutId);
  const steps = (t?.steps ?? []) as { action: { tool: string; args: { message?: unknown } } | null }[];
  const finish = [...steps].reverse().find((s) => s.action?.tool === "finish");
  const msg = finish?.action?.args.message;
  return typeof msg === "string" && msg.trim() ? msg : null;
}

async function withScratch<T>(workDir: string, attemptId: number, body: (scratch: string) => Promise<T>): Promise<T> {
  await mkdir(workDir, { recursive: true });
  const scratch = await mkdtemp(path.join(workDir, `select-${attemptId}-`));
  try {
    return await body(scratch);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
