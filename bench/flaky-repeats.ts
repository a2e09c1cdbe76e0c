// Flaky detection cost: validateTask with validation.runs = 2 on a slow suite (one test file of
// 2,000 tests, each a little work), repeating the whole selection ("all", as before) beside
// repeating only the tests whose status differs between NOP and Oracle plus a sample
// ("differing", the default), in one run. Verdicts must be equal; the ratio is the time saved.
//
//   npx tsx bench/flaky-repeats.ts [--tests 2000] [--rounds 1]
import { mkdtempSync, rmSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { migrate, openDatabase } from "../db/client.js";
import { createDocker } from "../sandbox/docker.js";
import { prepareRepoAtBase } from "../sandbox/git-history.js";
import { ensureEnvironment } from "../src/environment/ensure.js";
import { createLogger } from "../src/logger.js";
import { validateTask } from "../src/validation/validate.js";
import { type Files, pythonFix, pythonProject, repoWithFix } from "../test/support/fixture-repos.js";

const { values } = parseArgs({ options: { tests: { type: "string", default: "2000" }, rounds: { type: "string", default: "1" } } });
const testCount = Number(values.tests);
const rounds = Number(values.rounds);
const baseImage = process.env.LEGO_BASE_IMAGE ?? "lego/base:bookworm";
const work = mkdtempSync(path.join(os.tmpdir(), "lego-bench-flaky-"));
const docker = createDocker();

async function main(): Promise<void> {
  // The task's test file is the slow one: the fix's test sits beside 2,000 others.
  const slow = `import hashlib\n\nimport pytest\n\nfrom calc.ops import add, mul, sub\n\n\n@pytest.mark.parametrize("i", range(${testCount}))\ndef test_slow(i):\n    h = b"x"\n    for _ in range(2000):\n        h = hashlib.sha256(h).digest()\n    assert mul(i, 1) == i\n\n\ndef test_add():\n    assert add(1, 2) == 3\n\n\ndef test_sub():\n    assert sub(5, 3) == 2\n`;
  const base: Files = { ...pythonProject };
  const fix: Files = { "calc/ops.py": pythonFix["calc/ops.py"] as string, "tests/test_ops.py": slow };
  const task = repoWithFix(path.join(work, "repo"), base, fix);
  const database = await openDatabase({ ...(process.env.TEST_DATABASE_URL ? { url: process.env.TEST_DATABASE_URL } : {}), dataDir: path.join(work, "db") });
  await migrate(database);
  const deps = { db: database.db, docker, baseImage, dataDir: path.join(work, "data"), cacheDir: path.join(work, "cache"), buildTimeoutMs: 600_000, log: createLogger("warn") };
  await mkdir(deps.dataDir, { recursive: true });
  const env = await ensureEnvironment(deps, { repo: "bench/flaky", cloneDir: task.dir, commit: task.base });
  if (!env.ok) throw new Error(env.reason);
  const repoDir = path.join(work, "at-base");
  const head = await prepareRepoAtBase(task.dir, task.base, repoDir);
  const opts = { docker, image: env.image, plan: env.plan, repoDir, repoHead: head, runs: 2, scope: "touched" as const, timeoutMs: 600_000, limits: { cpus: 2, memoryMb: 2048 } };
  const times: Record<"all" | "differing", number[]> = { all: [], differing: [] };
  const verdicts: Record<string, string> = {};
  for (let r = 0; r < rounds; r++) {
    for (const repeat of ["all", "differing"] as const) {
      const t = performance.now();
      const result = await validateTask({ patch: task.patch, testPatch: task.testPatch }, { ...opts, repeat });
      times[repeat].push(performance.now() - t);
      verdicts[repeat] = JSON.stringify({ valid: result.valid, reason: result.reason, f2p: result.failToPass, p2p: result.passToPass.length, flaky: result.flaky });
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const all = median(times.all) / 1000;
  const differing = median(times.differing) / 1000;
  console.log(`tests in the file: ${testCount + 2}; validation.runs = 2; rounds: ${rounds}`);
  console.log(`repeat the whole selection:        ${all.toFixed(1)} s`);
  console.log(`repeat differing tests + a sample: ${differing.toFixed(1)} s`);
  console.log(`ratio: ${(all / differing).toFixed(2)}x faster; verdicts equal: ${verdicts.all === verdicts.differing}`);
  console.log(`verdict: ${verdicts.differing}`);
  await database.close();
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => rmSync(work, { recursive: true, force: true }));
