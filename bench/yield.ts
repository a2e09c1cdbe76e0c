// Harvest yield on real repositories: given local clones, harvest the most recent merged PRs of
// each (environment build, candidate, NOP/Oracle validation) and print, per repository, how the
// environment came out (built, by which path or fallback, the health check's counts, or the
// failure class), the images the PRs' bases needed, the candidates, valid / invalid / skipped
// tasks by reason, and overall: environment success rate, valid tasks per PR scanned and minutes
// per valid task. The clones are read, never modified or committed.
//
//   npx tsx bench/yield.ts [--prs 12] [--candidates N] [--out DIR] [--pip-index URL] <clone>[=owner/name] …
//
// --candidates N stops a repository after N candidates (PRs that reach validation); --out DIR
// keeps each repository's task rows (tasks.jsonl, with every run's log tail) and every image's
// build log, which is where an invalid task's cause is read.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { migrate, openDatabase } from "../db/client.js";
import { environments } from "../db/schema.js";
import { createDocker } from "../sandbox/docker.js";
import { repoSettingsAt } from "../src/cli/commands/harvest.js";
import { type EnvironmentDeps, ensureEnvironment } from "../src/environment/ensure.js";
import { git } from "../src/git.js";
import { harvestPull } from "../src/harvest/harvest-pull.js";
import { LocalSource } from "../src/harvest/local-source.js";
import { createLogger } from "../src/logger.js";
import { buildPath, buildsText, type EnvBuild, healthText, parseCloneArg, type RepoYield, reasonKey, yieldTable } from "./lib/yield-report.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { prs: { type: "string", default: "12" }, candidates: { type: "string", default: "0" }, out: { type: "string" }, "pip-index": { type: "string" } },
});
const prs = Number(values.prs);
const maxCandidates = Number(values.candidates);
if (positionals.length === 0 || !Number.isInteger(prs) || prs < 1 || !Number.isInteger(maxCandidates) || maxCandidates < 0) {
  console.error("usage: npx tsx bench/yield.ts [--prs 12] [--candidates N] [--out DIR] [--pip-index URL] <clone>[=owner/name] …");
  process.exit(2);
}
const work = mkdtempSync(path.join(os.tmpdir(), "lego-bench-yield-"));
const docker = createDocker();
const database = await openDatabase({ dataDir: path.join(work, "db") });
await migrate(database);
const pipIndexUrl = values["pip-index"] ?? process.env.LEGO_PIP_INDEX_URL ?? process.env.PIP_INDEX_URL;
const deps: EnvironmentDeps = {
  db: database.db,
  docker,
  baseImage: process.env.LEGO_BASE_IMAGE ?? "lego/base:bookworm",
  dataDir: path.join(work, "data"),
  cacheDir: process.env.LEGO_CACHE_DIR ?? path.resolve(".lego/cache"),
  buildTimeoutMs: 900_000,
  limits: { cpus: 2, memoryMb: 4096 },
  ...(pipIndexUrl ? { pipIndexUrl } : {}),
  log: createLogger("silent"),
};
const bump = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);

const results: RepoYield[] = [];
try {
  for (const [i, arg] of positionals.entries()) {
    const { location, name } = parseCloneArg(arg);
    const began = performance.now();
    const source = await LocalSource.open(path.resolve(location), path.join(work, `clone-${i}`), name ? { name } : {});
    const clone = await source.clone();
    const settings = await repoSettingsAt(clone);
    const head = (await git(clone, ["rev-parse", "HEAD"])).trim();
    const env = await ensureEnvironment(deps, { repo: source.repo, cloneDir: clone, commit: head, overrides: settings.overrides });
    const [headRow] = env.environmentId === null ? [] : await database.db.select().from(environments).where(eq(environments.id, env.environmentId));
    const envText = env.ok ? `built (${env.plan.framework}; ${headRow ? buildPath(headRow) : "reused"})` : `failed: ${env.failureClass}`;
    const pulls = (await source.mergedPulls()).pulls.slice(0, prs).map((p) => p.number);
    const r: RepoYield = { repo: source.repo, env: envText, envOk: env.ok, health: env.ok ? healthText(env.health) : env.reason.slice(0, 200), builds: "-", scanned: 0, candidates: 0, valid: 0, invalid: new Map(), skipped: new Map(), minutes: 0 };
    const rows: unknown[] = [];
    for (const n of pulls) {
      if (maxCandidates > 0 && r.candidates >= maxCandidates) break;
      r.scanned++;
      const row = await harvestPull(source, n, settings, { scratch: work, envDeps: deps, limits: deps.limits ?? {}, validate: true });
      rows.push(row);
      if (row.status !== "skipped") r.candidates++;
      if (row.status === "valid") r.valid++;
      else if (row.status === "invalid") bump(r.invalid, reasonKey(row.statusReason));
      else if (row.status === "skipped") bump(r.skipped, reasonKey(row.statusReason));
      process.stderr.write(`${source.repo} #${n}: ${row.status}${row.statusReason ? ` (${row.statusReason.slice(0, 300)})` : ""}\n`);
    }
    const builds = (await database.db.select().from(environments).where(eq(environments.repo, source.repo))) as (EnvBuild & { id: number })[];
    r.builds = buildsText(builds);
    r.minutes = (performance.now() - began) / 60_000;
    results.push(r);
    if (values.out) {
      const dir = path.join(values.out, source.repo.replace(/\//g, "__"));
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, "tasks.jsonl"), rows.map((x) => JSON.stringify(x)).join("\n") + "\n");
      for (const b of builds) writeFileSync(path.join(dir, `env-${b.id}-${b.status}.log`), `${b.buildLog ?? ""}\n# health\n${JSON.stringify(b.health)}\n`);
    }
  }
} finally {
  await database.close();
  rmSync(work, { recursive: true, force: true });
}
console.log(yieldTable(results));
