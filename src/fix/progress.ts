// The one progress comment of an attempt, re-rendered from the database at every change, so
// concurrent rollouts never have to agree on its text.
import { type FixAttempt, rolloutsForAttempt, type RolloutRow } from "../../db/fixes.js";
import type { Db } from "../../db/client.js";
import { type ProgressState, type RolloutProgress, renderProgressComment } from "../github/pr-body.js";
import type { InstallationOctokit } from "../github/probot.js";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A progress phase and its fields, without what the attempt itself supplies. */
export type Phase = DistributiveOmit<ProgressState, "issueNumber" | "k" | "rollouts">;

function rolloutProgress(r: RolloutRow): RolloutProgress {
  const ev = (r.evaluation ?? {}) as { dropped?: string | null; infraError?: string; verifierError?: string };
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
  await gh.rest.issues.updateComment({ owner, repo, comment_id: attempt.progressCommentId, body });
}
