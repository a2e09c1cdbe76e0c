// The one progress comment of an attempt, re-rendered from the database at every change, so
// concurrent rollouts never have to agree on its text.
import { type FixAttempt, getAttempt, rolloutsForAttempt, type RolloutRow, updateAttempt } from "../../db/fixes.js";
import type { Db } from "../../db/client.js";
import { keepDeliveryMarkers } from "../github/delivery-reply.js";
import type { InstallationOctokit } from "../github/probot.js";
import { type ProgressState, type RolloutProgress, renderProgressComment } from "../github/text/progress-comment.js";
import { evaluationOf } from "./select.js";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A progress phase and its fields, without what the attempt itself supplies. */
export type Phase = DistributiveOmit<ProgressState, "issueNumber" | "k" | "rollouts">;

function rolloutProgress(r: RolloutRow): RolloutProgress {
  const ev = evaluationOf(r);
  const status = r.status === "queued" || r.status === "running" || r.status === "cancelled" ? r.status : r.status === "failed" ? "failed" : "finished";
  const note = ev.dropped ?? ev.infraError ?? ev.verifierError ?? r.outcomeReason ?? undefined;
  return {
    index: r.index,
    status,
    ...(r.turns != null ? { turns: r.turns } : {}),
    ...(r.outcome ? { outcome: r.outcome } : r.finishReason ? { outcome: r.finishReason } : {}),
    score: r.verifierScore,
    ...(note ? { note } : {}),
  };
}

export async function updateProgress(db: Db, gh: InstallationOctokit, attempt: FixAttempt, phase: Phase): Promise<void> {
  if (!attempt.progressCommentId) return;
  const [owner, repo] = attempt.repo.split("/") as [string, string];
  const rollouts = (await rolloutsForAttempt(db, attempt.id)).map(rolloutProgress);
  const body = renderProgressComment({ ...phase, issueNumber: attempt.issueNumber, k: attempt.k, rollouts } as ProgressState);
  // It answered a delivery: its marker stays, or a re-run of that delivery would answer again.
  const { data: previous } = await gh.rest.issues.getComment({ owner, repo, comment_id: attempt.progressCommentId });
  await gh.rest.issues.updateComment({ owner, repo, comment_id: attempt.progressCommentId, body: keepDeliveryMarkers(previous.body, body) });
}

/** An attempt that cannot go on: its row and its progress comment say why, once. */
export async function failAttempt(deps: { db: Db; github(installationId: number): Promise<InstallationOctokit> }, attemptId: number, error: Error): Promise<void> {
  const attempt = await getAttempt(deps.db, attemptId);
  if (!attempt || attempt.status === "failed" || !attempt.installationId) return;
  await updateAttempt(deps.db, attempt.id, { status: "failed", statusReason: error.message.slice(0, 1000) });
  await updateProgress(deps.db, await deps.github(attempt.installationId), attempt, { phase: "failed", error: error.message.slice(0, 300) });
}
