// 👍 and 👎 on a LegoFactory PR as maintainer signals.
import type { Db } from "../../db/client.js";
import { recordOutcome } from "../../db/fixes.js";
import type { InstallationOctokit } from "./probot.js";

/** 👍 and 👎 on the PR; GitHub sends no webhook for reactions, so they are read. Idempotent. */
export async function recordReactions(
  gh: InstallationOctokit,
  repo: { owner: string; repo: string },
  deps: { db: Db },
  attemptId: number,
  rolloutId: string | null,
  prNumber: number,
): Promise<number> {
  const reactions = await gh.paginate(gh.rest.reactions.listForIssue, { ...repo, issue_number: prNumber, per_page: 100 });
  let added = 0;
  for (const r of reactions) {
    if (r.content !== "+1" && r.content !== "-1") continue;
    const fresh = await recordOutcome(deps.db, {
      fixAttemptId: attemptId,
      rolloutId,
      signal: r.content === "+1" ? "reaction_up" : "reaction_down",
      actor: r.user?.login ?? null,
      deliveryId: `reaction-${r.id}`,
    });
    if (fresh) added++;
  }
  return added;
}
