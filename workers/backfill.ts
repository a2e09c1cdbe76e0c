// Queue `backfill`: on install (or when a repository is added), the repository's recently
// merged PRs become harvest jobs, within the window and limit of its .github/lego.yml.
import type { Logger } from "pino";
import { jobId, type JobData, type Queues } from "../src/queue.js";
import type { Db } from "../db/client.js";
import { setRepoTrajgen } from "../db/trajgen.js";
import { harvestSettings, parseRepoConfig, trajgenSettings } from "../src/repo-config.js";

interface ClosedPull {
  number: number;
  merged_at: string | null;
  updated_at: string;
  user: { type?: string } | null;
}

/** What the backfill needs of an installation Octokit (Probot's has the config plugin). */
export interface BackfillGitHub {
  config: { get(o: { owner: string; repo: string; path: string }): Promise<{ config: Record<string, unknown>; files: { config: unknown }[] }> };
  paginate: {
    iterator(route: "GET /repos/{owner}/{repo}/pulls", params: Record<string, unknown>): AsyncIterable<{ data: ClosedPull[] }>;
  };
}

export interface BackfillDeps {
  github(installationId: number): Promise<BackfillGitHub>;
  /** Where the repository's trajgen settings are recorded (src/trajgen reads them from its row). */
  db?: Db;
  queues: Pick<Queues, "add">;
  log: Logger;
  now?: () => Date;
}

export type BackfillResult = { enqueued: number[] } | { skipped: string };

export async function processBackfill(data: JobData["backfill"], deps: BackfillDeps): Promise<BackfillResult> {
  const [owner, repo] = data.repo.split("/") as [string, string];
  const gh = await deps.github(data.installationId);
  const loaded = await gh.config.get({ owner, repo, path: ".github/lego.yml" });
  const present = loaded.files.some((f) => f.config !== null);
  const parsed = parseRepoConfig(present ? loaded.config : null);
  // A broken config is reported on the repository by the next event's handler; here we stop.
  if (!parsed.ok) return { skipped: `.github/lego.yml is invalid: ${parsed.errors.join("; ")}` };
  if (deps.db) await setRepoTrajgen(deps.db, data.repo, trajgenSettings(parsed.config));
  const { harvest } = parsed.config;
  if (!harvest.enabled) return { skipped: "harvest.enabled is false" };
  const since = (deps.now?.() ?? new Date()).getTime() - harvest.backfillDays * 86_400_000;
  const settings = harvestSettings(parsed.config);
  const enqueued: number[] = [];
  // Sorted by last update, newest first: once a page reaches PRs untouched since the window
  // began, no later page can hold a PR merged inside it.
  pages: for await (const page of gh.paginate.iterator("GET /repos/{owner}/{repo}/pulls", { owner, repo, state: "closed", sort: "updated", direction: "desc", per_page: 100 })) {
    for (const pr of page.data) {
      if (Date.parse(pr.updated_at) < since) break pages;
      if (!pr.merged_at || Date.parse(pr.merged_at) < since) continue;
      if (harvest.skipBots && pr.user?.type === "Bot") continue;
      await deps.queues.add("harvest", jobId("harvest", data.repo, pr.number), { installationId: data.installationId, repo: data.repo, pullNumber: pr.number, settings });
      enqueued.push(pr.number);
      if (enqueued.length >= harvest.backfillLimit) break pages;
    }
  }
  deps.log.info({ repo: data.repo, count: enqueued.length }, "backfill enqueued merged PRs");
  return { enqueued };
}
