// `lego harvest <path-or-git-url | owner/name>`: merged PRs in a repository's history (or, for
// owner/name, on GitHub through the app's API) → validated tasks.
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import path from "node:path";
import { upsertTask, type TaskRow } from "../../../db/tasks.js";
import { LocalSource, noPullsMessage } from "../../harvest/local-source.js";
import { harvestPull } from "../../harvest/harvest-pull.js";
import { GitHubSource, type HarvestGitHub } from "../../harvest/github-source.js";
import type { HarvestSource } from "../../harvest/source.js";
import { createProbot } from "../../github/probot.js";
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
  return settingsOf(listed.trim() === "" ? null : await git(clone, ["show", "HEAD:.github/lego.yml"]));
}

/** The harvest settings from a .github/lego.yml text (null: no file, the defaults); a broken file stops the command. */
function settingsOf(text: string | null) {
  const parsed = text === null ? parseRepoConfig(null) : parseRepoConfigText(text);
  if (!parsed.ok) throw new ConfigError(parsed.errors.map((e) => `.github/lego.yml: ${e}`));
  return harvestSettings(parsed.config);
}

/** Pure: `owner/name` that is no path on disk names a repository on GitHub. */
export function isGitHubRepoName(location: string, exists: (p: string) => boolean = existsSync): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/.test(location) && !location.endsWith(".git") && !exists(location);
}

/** Harvests; a history with no merged PR in any known style says so on stderr (even with --json) and yields no rows. */
export async function harvestCommand(batch: Batch, location: string, flags: HarvestFlags, out: (line: string) => void, err: (line: string) => void): Promise<TaskRow[]> {
  if (isGitHubRepoName(location)) return harvestFromGitHub(batch, location, flags, out, err);
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
  return harvestPulls(batch, source, pulls, settings, flags, batch.scratch, out);
}

async function harvestPulls(batch: Batch, source: HarvestSource, pulls: number[], settings: ReturnType<typeof harvestSettings>, flags: HarvestFlags, scratch: string, out: (line: string) => void): Promise<TaskRow[]> {
  const bar = batch.progress(pulls.length, "harvest");
  const rows: TaskRow[] = [];
  try {
    for (const number of pulls) {
      const row = await harvestPull(source, number, settings, { scratch, envDeps: batch.envDeps, limits: batch.limits, validate: flags.validate });
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

/**
 * owner/name on GitHub, through the app's installation on it: merged PRs newest first from the
 * pulls API, settings from .github/lego.yml at the default branch, and a PR with no test change
 * skipped from the PR files API before anything is cloned or built. One clone serves every PR.
 */
async function harvestFromGitHub(batch: Batch, repo: string, flags: HarvestFlags, out: (line: string) => void, err: (line: string) => void): Promise<TaskRow[]> {
  const [owner, name] = repo.split("/") as [string, string];
  let probot: ReturnType<typeof createProbot>;
  try {
    probot = createProbot(batch.config, batch.log);
  } catch (e) {
    throw new ConfigError([`${repo} names a repository on GitHub (no such local path): ${(e as Error).message}`]);
  }
  const app = await probot.auth();
  let installationId: number;
  try {
    installationId = ((await app.request("GET /repos/{owner}/{repo}/installation", { owner, repo: name })).data as { id: number }).id;
  } catch (e) {
    if ((e as { status?: number }).status === 404) throw new ConfigError([`${repo}: the GitHub App is not installed on this repository (or it does not exist); install the app on it, or give a local clone or git URL`]);
    throw e;
  }
  const gh = (await probot.auth(installationId)) as unknown as HarvestGitHub & GitHubExtras;
  const settings = settingsOf(await configText(gh, owner, name));
  const github = new GitHubSource(repo, gh, settings);
  let clone: Promise<string> | undefined;
  const source: HarvestSource = {
    repo,
    pull: (n) => github.pull(n),
    statement: (p) => github.statement(p),
    changeRange: (p, c) => github.changeRange(p, c),
    changedFiles: (p) => github.changedFiles(p),
    clone: (scratch) => (clone ??= github.clone(scratch)),
  };
  let pulls: number[];
  if (flags.pr !== undefined) pulls = [flags.pr];
  else {
    pulls = await mergedPullNumbers(gh, owner, name, flags.since, flags.limit);
    if (pulls.length === 0) {
      err(`${repo}: no merged pull requests found on GitHub${flags.since ? ` since ${flags.since.toISOString().slice(0, 10)}` : ""}`);
      return [];
    }
  }
  return harvestPulls(batch, source, pulls, settings, flags, await mkdtemp(path.join(batch.scratch, "github-")), out);
}

interface GitHubExtras {
  rest: {
    pulls: { list(p: { owner: string; repo: string; state: "closed"; sort: "updated"; direction: "desc"; per_page: number; page: number }): Promise<{ data: { number: number; merged_at: string | null; updated_at: string }[] }> };
    repos: { getContent(p: { owner: string; repo: string; path: string }): Promise<{ data: unknown }> };
  };
}

async function configText(gh: GitHubExtras, owner: string, repo: string): Promise<string | null> {
  try {
    const { data } = await gh.rest.repos.getContent({ owner, repo, path: ".github/lego.yml" });
    const file = data as { content?: string; encoding?: string };
    return file.content === undefined ? null : Buffer.from(file.content, (file.encoding ?? "base64") as BufferEncoding).toString("utf8");
  } catch (e) {
    if ((e as { status?: number }).status === 404) return null;
    throw e;
  }
}

/** Merged PRs, most recently merged first, from closed PRs by last update (at most 10 pages unless --limit asks for fewer). */
async function mergedPullNumbers(gh: GitHubExtras, owner: string, repo: string, since: Date | undefined, limit: number | undefined): Promise<number[]> {
  const merged: { number: number; at: number }[] = [];
  for (let page = 1; page <= 10; page++) {
    const { data } = await gh.rest.pulls.list({ owner, repo, state: "closed", sort: "updated", direction: "desc", per_page: 100, page });
    for (const p of data) if (p.merged_at && (!since || Date.parse(p.merged_at) >= since.getTime())) merged.push({ number: p.number, at: Date.parse(p.merged_at) });
    const oldest = data[data.length - 1];
    // Updated before --since: merged before it too.
    if (data.length < 100 || (since && oldest && Date.parse(oldest.updated_at) < since.getTime()) || (limit !== undefined && merged.length >= limit)) break;
  }
  return merged.sort((a, b) => b.at - a.at || b.number - a.number).map((p) => p.number).slice(0, limit ?? Number.POSITIVE_INFINITY);
}

function summary(repo: string, rows: TaskRow[]): string {
  const lines = rows.map(taskSummaryLine);
  const valid = rows.filter((r) => r.status === "valid").length;
  return [`${repo}: ${rows.length} pull request(s), ${valid} valid task(s)`, ...lines].join("\n");
}
