// Harvest yield on real repositories: given local clones, harvest the most recent merged PRs of
// each (environment build, candidate, NOP/Oracle validation) and print, per repository, how the
// environment came out (built, by which path or fallback, or the failure class), the candidates,
// valid / invalid / skipped tasks by reason, and overall: environment success rate, valid tasks
// per PR scanned and minutes per valid task. The clones are read, never modified or committed.
//
//   npx tsx bench/yield.ts [--prs 5] [--pip-index URL] <clone> [<clone>…]
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { migrate, openDatabase } from "../db/client.js";
import { createDocker } from "../sandbox/docker.js";
import { repoSettingsAt } from "../src/cli/commands/harvest.js";
import { type EnvironmentDeps, ensureEnvironment } from "../src/environment/ensure.js";
import { git } from "../src/git.js";
import { harvestPull } from "../src/harvest/harvest-pull.js";
import { LocalSource } from "../src/harvest/local-source.js";
import { createLogger } from "../src/logger.js";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { prs: { type: "string", default: "5" }, "pip-index": { type: "string" } } });
const prs = Number(values.prs);
if (positionals.length === 0 || !Number.isInteger(prs) || prs < 1) {
  console.error("usage: npx tsx bench/yield.ts [--prs 5] [--pip-index URL] <clone> [<clone>…]");
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

interface RepoResult {
  repo: string;
  env: string;
  scanned: number;
  candidates: number;
  valid: number;
  invalid: Map<string, number>;
  skipped: Map<string, number>;
  minutes: number;
  envOk: boolean;
}

const reasonKey = (r: string | null | undefined): string => (r ?? "unknown").split(/[:(]/)[0]?.trim().slice(0, 48) ?? "unknown";
const bump = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);
const fmt = (m: Map<string, number>): string => [...m].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k}`).join("; ") || "-";

const results: RepoResult[] = [];
try {
  for (const [i, location] of positionals.entries()) {
    const began = performance.now();
    const source = await LocalSource.open(path.resolve(location), path.join(work, `clone-${i}`));
    const clone = await source.clone();
    const settings = await repoSettingsAt(clone);
    const head = (await git(clone, ["rev-parse", "HEAD"])).trim();
    const env = await ensureEnvironment(deps, { repo: source.repo, cloneDir: clone, commit: head, overrides: settings.overrides });
    const envText = env.ok ? `built (${env.plan.framework}; ${env.fallback ?? (env.plan.language === "python" ? "package index" : "install")})` : `failed: ${env.failureClass}`;
    const pulls = (await source.mergedPulls()).pulls.slice(0, prs).map((p) => p.number);
    const r: RepoResult = { repo: source.repo, env: envText, scanned: pulls.length, candidates: 0, valid: 0, invalid: new Map(), skipped: new Map(), minutes: 0, envOk: env.ok };
    for (const n of pulls) {
      const row = await harvestPull(source, n, settings, { scratch: work, envDeps: deps, limits: deps.limits ?? {}, validate: true });
      if (row.status !== "skipped") r.candidates++;
      if (row.status === "valid") r.valid++;
      else if (row.status === "invalid") bump(r.invalid, reasonKey(row.statusReason));
      else if (row.status === "skipped") bump(r.skipped, reasonKey(row.statusReason));
      process.stderr.write(`${source.repo} #${n}: ${row.status}${row.statusReason ? ` (${row.statusReason.slice(0, 160)})` : ""}\n`);
    }
    r.minutes = (performance.now() - began) / 60_000;
    results.push(r);
  }
} finally {
  await database.close();
  rmSync(work, { recursive: true, force: true });
}

console.log("| repository | environment | PRs scanned | candidates | valid | invalid (by reason) | skipped (by reason) | minutes |");
console.log("|---|---|---|---|---|---|---|---|");
for (const r of results) console.log(`| ${r.repo} | ${r.env} | ${r.scanned} | ${r.candidates} | ${r.valid} | ${fmt(r.invalid)} | ${fmt(r.skipped)} | ${r.minutes.toFixed(1)} |`);
const scanned = results.reduce((a, r) => a + r.scanned, 0);
const valid = results.reduce((a, r) => a + r.valid, 0);
const minutes = results.reduce((a, r) => a + r.minutes, 0);
console.log(
  `\nenvironment success rate ${results.filter((r) => r.envOk).length}/${results.length}; valid tasks per PR scanned ${valid}/${scanned} = ${(scanned ? valid / scanned : 0).toFixed(2)}; minutes per valid task ${valid ? (minutes / valid).toFixed(1) : "n/a"} (${minutes.toFixed(1)} min in all)`,
);
