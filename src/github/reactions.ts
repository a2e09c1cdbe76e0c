// 👍 and 👎 on a LegoFactory PR as signals; a maintainer's only when the user has write access.
import type { Db } from "../../db/client.js";
import { recordOutcome } from "../../db/fixes.js";
import type { InstallationOctokit } from "./probot.js";
import { hasWriteAccess } from "./write-access.js";

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
  const access = new Map<string, boolean>();
  for (const r of reactions) {
    if (r.content !== "+1" && r.content !== "-1") continue;
    const login = r.user?.login ?? null;
    // A reaction from someone without write access is kept, as a non-maintainer signal.
    if (login && !access.has(login)) access.set(login, r.user?.type !== "Bot" && (await hasWriteAccess(gh, repo, login)));
    const fresh = await recordOutcome(deps.db, {
      fixAttemptId: attemptId,
      rolloutId,
      signal: r.content === "+1" ? "reaction_up" : "reaction_down",
      actor: login,
      maintainer: login ? (access.get(login) ?? false) : false,
      deliveryId: `reaction-${r.id}`,
    });
    if (fresh) added++;
  }
  return added;
}
