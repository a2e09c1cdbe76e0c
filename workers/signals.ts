// Queue `signals`, on a schedule: GitHub sends no webhook for reactions, so 👍 / 👎 on open
// LegoFactory PRs are read here (and once more when the PR closes).
import type { Logger } from "pino";
import type { Db } from "../db/client.js";
import { openPrAttempts } from "../db/fixes.js";
import type { InstallationOctokit } from "../src/github/probot.js";
import { recordReactions } from "../src/github/reactions.js";

/** 👍 / 👎 on open LegoFactory PRs have no webhook: read them every ten minutes. */
export const signalsSchedule = { id: "signals-poll", every: 600_000 };

export async function pollSignals(deps: { db: Db; github(installationId: number): Promise<InstallationOctokit>; log: Logger }): Promise<{ added: number }> {
  let added = 0;
  // PRs touched in the last 90 days: older ones have had their say.
  for (const a of await openPrAttempts(deps.db, new Date(Date.now() - 90 * 86_400_000))) {
    if (!a.installationId || !a.pullNumber) continue;
    const gh = await deps.github(a.installationId);
    const [owner, repo] = a.repo.split("/") as [string, string];
    added += await recordReactions(gh, { owner, repo }, deps, a.id, a.chosenRolloutId, a.pullNumber);
  }
  if (added) deps.log.info({ added }, "recorded reactions on LegoFactory PRs");
  return { added };
}
