// `lego harvest <path-or-git-url>`: merged PRs in a repository's history → validated tasks.
import path from "node:path";
import { upsertTask, type TaskRow } from "../../../db/tasks.js";
import { LocalSource, noPullsMessage } from "../../harvest/local-source.js";
import { harvestPull } from "../../harvest/harvest-pull.js";
import { git } from "../../git.js";
import { harvestSettings, parseRepoConfig, parseRepoConfigText } from "../../repo-config.js";
import { ConfigError } from "../../config.js";
import { taskJsonLine, taskSummaryLine } from "../../tasks/swebench.js";
import type { Batch } from "../batch.js";

export interface HarvestFlags {
  pr?: number;
  since?: Date;
  limit?: number;
  /** Stop once this many valid tasks are harvested. */
  maxTasks?: number;
  issueText?: string;
  validate: boolean;
  json: boolean;
}

/**
 * The repository's .github/lego.yml at HEAD; a broken file stops the command with its problems.
 * Only a file that is not there means the defaults: any other git failure (a corrupt object, a
 * clone that is not a repository) is an error, never a silent switch to the defaults.
 */
export async function repoSettingsAt(clone: string) {
  const listed = await git(clone, ["ls-tree", "--name-only", "HEAD", "--", ".github/lego.yml"]);
  const parsed = listed.trim() === "" ? parseRepoConfig(null) : parseRepoConfigText(await git(clone, ["show", "HEAD:.github/lego.yml"]));
  if (!parsed.ok) throw new ConfigError(parsed.errors.map((e) => `.github/lego.yml: ${e}`));
  return harvestSettings(parsed.config);
}

/** Harvests; a history with no merged PR in any known style says so on stderr (even with --json) and yields no rows. */
export async function harvestCommand(batch: Batch, location: string, flags: HarvestFlags, out: (line: string) => void, err: (line: string) => void): Promise<TaskRow[]> {
  const source = await LocalSource.open(location, path.join(batch.scratch, "source"), flags.issueText ? { issueTextFile: flags.issueText } : {});
  const clone = await source.clone();
  const settings = await repoSettingsAt(clone);
  let pulls: number[];
  if (flags.pr !== undefined) pulls = [flags.pr];
  else {
    const scan = await source.mergedPulls(flags.since);
    if (scan.pulls.length === 0) {
      err(`${location}: ${noPullsMessage(scan.commitsScanned, flags.since)}`);
      return [];
    }
    pulls = scan.pulls.map((p) => p.number).slice(0, flags.limit ?? Number.POSITIVE_INFINITY);
  }
  const bar = batch.progress(pulls.length, "harvest");
  const rows: TaskRow[] = [];
  try {
    for (const number of pulls) {
      const row = await harvestPull(source, number, settings, { scratch: batch.scratch, envDeps: batch.envDeps, limits: batch.limits, validate: flags.validate });
      await upsertTask(batch.database.db, row);
      rows.push(row);
      bar.tick(`#${number} ${row.status}`);
      if (flags.json) out(taskJsonLine(row));
      if (flags.maxTasks !== undefined && rows.filter((r) => r.status === "valid").length >= flags.maxTasks) break;
    }
  } finally {
    bar.stop();
  }
  if (!flags.json) out(summary(source.repo, rows));
  return rows;
}

function summary(repo: string, rows: TaskRow[]): string {
  const lines = rows.map(taskSummaryLine);
  const valid = rows.filter((r) => r.status === "valid").length;
  return [`${repo}: ${rows.length} pull request(s), ${valid} valid task(s)`, ...lines].join("\n");
}
