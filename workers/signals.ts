// Queue `signals`, on a schedule: GitHub sends no webhook for reactions, so 👍 / 👎 on open
// LegoFactory PRs are read here (and once more when the PR closes).
import type { Logger } from "pino";
import type { Db } from "../db/client.js";
import { type FixAttempt, openPrAttempts } from "../db/fixes.js";
import type { InstallationOctokit } from "../src/github/probot.js";
import { recordReactions } from "../src/github/reactions.js";

/** 👍 / 👎 on open LegoFactory PRs have no webhook: read them every ten minutes. */
export const signalsSchedule = { id: "signals-poll", every: 600_000 };

export interface PollResult {
  added: number;
  /** Repositories whose reactions could not be read this time, with why; the next poll retries them. */
  failed: { repo: string; error: string }[];
}

/**
 * Each repository is read on its own: one that cannot be read (the installation was suspended,
 * GitHub answered 5xx) is logged and skipped, and every other repository is still polled.
 */
export async function pollSignals(deps: { db: Db; github(installationId: number): Promise<InstallationOctokit>; log: Logger }): Promise<PollResult> {
  let added = 0;
  const byRepo = new Map<string, FixAttempt[]>();
  // PRs touched in the last 90 days: older ones have had their say.
  for (const a of await openPrAttempts(deps.db, new Date(Date.now() - 90 * 86_400_000))) {
    if (!a.installationId || !a.pullNumber) continue;
    byRepo.set(a.repo, [...(byRepo.get(a.repo) ?? []), a]);
  }
  const failed: PollResult["failed"] = [];
  for (const [fullName, attempts] of byRepo) {
    try {
      const [owner, repo] = fullName.split("/") as [string, string];
      for (const a of attempts) {
        const gh = await deps.github(a.installationId as number);
        added += await recordReactions(gh, { owner, repo }, deps, a.id, a.chosenRolloutId, a.pullNumber as number);
      }
    } catch (err) {
      failed.push({ repo: fullName, error: (err as Error).message });
      deps.log.warn({ repo: fullName, err: (err as Error).message }, "could not read reactions; the next poll retries this repository");
    }
  }
  if (added) deps.log.info({ added }, "recorded reactions on LegoFactory PRs");
  return { added, failed };
}
