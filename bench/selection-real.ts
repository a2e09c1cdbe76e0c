// Real mode of the selection benchmark (`npm run bench:selection:real`): N real rollouts in
// containers on one validated fixture task (calc's add() subtracts; FAIL_TO_PASS and
// PASS_TO_PASS from the product's NOP/Oracle validation), made once, by the scripted model
// double at known rates of right / plausible-wrong / breaking fixes, or by a configured model.
// Each rollout goes through the fix pipeline's own code: runRollout with the reproduction-test
// instructions, checkCandidate against the baseline suite, verifyCandidate (the verifier double,
// P(YES) drawn per rollout from overlapping distributions, or the configured verifier model),
// candidateFromRollout; each candidate is graded against the gold tests with evaluatePatch. The
// rollouts' reproduction tests (collectReproTests) are run once against every qualified
// candidate and the unpatched tree (runReproTests). Then for k = 1, 2, 4, 8, 16 many subsets of
// the N candidates are drawn and selectCandidate chooses, in hybrid and verifier mode, from the
// evidence that subset's own rollouts would have produced (their pooled tests only).
//
//   npx tsx bench/selection.ts --real [--rollouts 16] [--subsets 400] [--right 0.25 --plausible 0.5] [--seed 7]
//   npx tsx bench/selection.ts --real --model-base-url URL --model NAME --verifier-model NAME  (key: LEGO_POLICY_API_KEY)
import { mkdtempSync, rmSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { migrate, openDatabase } from "../db/client.js";
import type { RolloutRow } from "../db/fixes.js";
import { createDocker } from "../sandbox/docker.js";
import { prepareRepoAtBase } from "../sandbox/git-history.js";
import { REPRODUCTION_TEST_INSTRUCTIONS } from "../src/agent/index.js";
import { ensureEnvironment } from "../src/environment/ensure.js";
import { baselineTests, checkCandidate } from "../src/fix/checks.js";
import { type ReproResults, reproTestId, runReproTests } from "../src/fix/repro-run.js";
import { collectReproTests, splitRolloutPatch } from "../src/fix/repro-tests.js";
import { runRollout } from "../src/fix/rollout-runner.js";
import { type Candidate, candidateFromRollout, type RolloutEvaluation, selectCandidate } from "../src/fix/select.js";
import { changedPaths } from "../src/diff/index.js";
import { createLogger } from "../src/logger.js";
import { evaluatePatch } from "../src/validation/evaluate.js";
import { validateTask } from "../src/validation/validate.js";
import { verifyCandidate } from "../src/verifier/verifier.js";
import { pythonFix, pythonProject, repoWithFix } from "../test/support/fixture-repos.js";
import { startModelDouble } from "../test/support/model-double.js";
import type { ChatRequest, Reply } from "../test/support/model-double/types.js";

export interface RealOptions {
  rollouts: number;
  subsets: number;
  seed: number;
  right: number;
  plausible: number;
  modelBaseUrl?: string;
  model?: string;
  verifierModel?: string;
}

type Kind = "right" | "plausible" | "breaking";
const ISSUE = "add() subtracts\n\n`add(2, -1)` should be 1 and `add(-3, -4)` should be -7, but add() returns a - b.";
const OLD = "def add(a, b):\n    return a - b";
const FIX: Record<Kind, string> = { right: "def add(a, b):\n    return a + b", plausible: "def add(a, b):\n    return a + b if b >= 0 else a - b", breaking: "def add(a, b):\n    return a + b" };
/** Reproduction tests: two readings each, at their own paths, so identical ones pool and all run in one bundle. */
const TESTS: Record<"right" | "wrong", [string, string][]> = {
  right: [
    ["tests/test_issue_neg.py", "from calc.ops import add\n\n\ndef test_add_negative():\n    assert add(2, -1) == 1\n"],
    ["tests/test_issue_both_neg.py", "from calc.ops import add\n\n\ndef test_add_both_negative():\n    assert add(-3, -4) == -7\n"],
  ],
  wrong: [
    ["tests/test_issue_pos.py", "from calc.ops import add\n\n\ndef test_add_positive():\n    assert add(1, 2) == 3\n"],
    ["tests/test_issue_zero.py", "from calc.ops import add\n\n\ndef test_add_zero():\n    assert add(0, 5) == 5\n"],
  ],
};
/** The verifier double's P(YES) per kind: overlapping, as R2E-Gym reports (mean, sd). */
const SCORE: Record<Kind, [number, number]> = { right: [0.68, 0.22], plausible: [0.55, 0.22], breaking: [0.35, 0.22] };

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Plan {
  kind: Kind;
  test: [string, string] | null;
  score: number;
}

/** Exact counts at the given rates, shuffled; 80% of rollouts write a test; a P(YES) per rollout. */
function plans(o: RealOptions): Plan[] {
  const rand = rng(o.seed);
  const right = Math.round(o.rollouts * o.right);
  const plausible = Math.round(o.rollouts * o.plausible);
  const kinds: Kind[] = Array.from({ length: o.rollouts }, (_, i) => (i < right ? "right" : i < right + plausible ? "plausible" : "breaking"));
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j] as Kind, kinds[i] as Kind];
  }
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return kinds.map((kind) => {
    const pool = TESTS[kind === "plausible" ? "wrong" : "right"];
    const test = rand() < 0.8 ? (pool[rand() < 0.5 ? 0 : 1] as [string, string]) : null;
    const [mean, sd] = SCORE[kind];
    return { kind, test, score: Math.min(0.99, Math.max(0.01, mean + sd * normal())) };
  });
}

function policyDouble(p: Plan[]) {
  return (req: ChatRequest): Reply => {
    const i = Number(/-r(\d+)$/.exec(String(req.user ?? ""))?.[1] ?? 0);
    const plan = p[i] as Plan;
    const steps: { name: string; arguments: Record<string, unknown> }[] = [
      { name: "str_replace_editor", arguments: { command: "view", path: "/repo/calc/ops.py" } },
      ...(plan.test ? [{ name: "str_replace_editor", arguments: { command: "create", path: `/repo/${plan.test[0]}`, file_text: plan.test[1] } }] : []),
      { name: "str_replace_editor", arguments: { command: "str_replace", path: "/repo/calc/ops.py", old_str: OLD, new_str: FIX[plan.kind] } },
      ...(plan.kind === "breaking" ? [{ name: "str_replace_editor", arguments: { command: "str_replace", path: "/repo/calc/ops.py", old_str: "def sub(a, b):\n    return a - b", new_str: "def sub(a, b):\n    return b - a" } }] : []),
      { name: "finish", arguments: { message: `Fixed add() [bench rollout ${i}].` } },
    ];
    const turn = req.messages.filter((m) => m.role === "assistant").length;
    return { toolCalls: [steps[Math.min(turn, steps.length - 1)] as (typeof steps)[number]] };
  };
}

function verifierDouble(p: Plan[]) {
  return (req: ChatRequest): Reply => {
    const text = req.messages.map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content))).join("\n");
    const i = /\[bench rollout (\d+)\]/.exec(text)?.[1];
    if (i === undefined) throw new Error("verifier double: the judge prompt does not show which rollout it judges");
    const pYes = (p[Number(i)] as Plan).score;
    const [yes, no] = [Math.log(pYes), Math.log(1 - pYes)];
    const word = yes > no ? "YES" : "NO";
    return {
      content: `<judgement>${word}</judgement>`,
      logprobs: [
        { token: "<judgement>", logprob: 0, top: [{ token: "<judgement>", logprob: 0 }] },
        { token: word, logprob: Math.max(yes, no), top: [{ token: "YES", logprob: yes }, { token: "NO", logprob: no }] },
        { token: "</judgement>", logprob: 0, top: [{ token: "</judgement>", logprob: 0 }] },
      ],
    };
  };
}

async function pool<T>(items: T[], width: number, f: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await f(items[next++] as T);
  }));
}

/** The product's evidence for one subset: reproEvidence (workers/fix-select.ts) on that subset's rollouts, its test runs taken from the one run on all. */
function subsetEvidence(cands: Candidate[], patches: Map<string, string>, full: ReturnType<typeof collectReproTests>, results: ReproResults, policy: { minScore: number; allowUnscored: boolean }) {
  const survivors = selectCandidate(cands, policy, { mode: "verifier" }).ranked.filter((c) => c.dropped === null);
  const collection = collectReproTests(survivors.map((c) => ({ index: c.index, patch: patches.get(c.id) ?? "" })));
  const unpatched: Record<string, boolean> = {};
  const out = cands.map((c) => ({ ...c }));
  if (survivors.length < 2 || collection.tests.length === 0) return { candidates: out, unpatched };
  const rename = (from: Record<string, boolean>, into: Record<string, boolean>) => {
    for (const t of collection.tests) {
      const f = full.tests.find((x) => x.key === t.key);
      if (!f) continue;
      const prefix = reproTestId(f, "");
      for (const [id, ok] of Object.entries(from)) if (id.startsWith(prefix)) into[reproTestId(t, id.slice(prefix.length))] = ok;
    }
  };
  rename(results.unpatched, unpatched);
  for (const c of out) {
    if (!survivors.some((s) => s.id === c.id)) continue;
    const repro: Record<string, boolean> = {};
    rename(results.candidates[c.id] ?? {}, repro);
    c.repro = repro;
  }
  return { candidates: out, unpatched };
}

export async function runReal(o: RealOptions): Promise<void> {
  const started = performance.now();
  const work = mkdtempSync(path.join(os.tmpdir(), "lego-bench-selection-"));
  const docker = createDocker();
  const database = await openDatabase({ dataDir: path.join(work, "db") });
  let image: string | null = null;
  const models = o.model ? null : await startModelDouble();
  // Interrupted: the containers this run started go with it.
  const stop = async () => {
    const left = await docker.listContainers({ all: true, filters: { label: [`org.legofactory.bench=selection-${process.pid}`] } });
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    rmSync(work, { recursive: true, force: true });
    process.exit(130);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
  try {
    await migrate(database);
    await mkdir(path.join(work, "data"), { recursive: true });
    // calc's fixture, with a gold test that covers the issue (negative operands), so a plausible wrong fix misses it.
    const goldFix = { ...pythonFix, "tests/test_ops.py": `${pythonFix["tests/test_ops.py"]}\n\ndef test_add_negative_operand():\n    assert add(2, -1) == 1\n` };
    const task = repoWithFix(path.join(work, "calc"), pythonProject, goldFix);
    const env = await ensureEnvironment(
      { db: database.db, docker, baseImage: process.env.LEGO_BASE_IMAGE ?? "lego/base:bookworm", dataDir: path.join(work, "data"), cacheDir: path.join(work, "cache"), buildTimeoutMs: 600_000, log: createLogger("warn") },
      { repo: "bench/selection-calc", cloneDir: task.dir, commit: task.base },
    );
    if (!env.ok) throw new Error(env.reason);
    image = env.image;
    const repoDir = path.join(work, "at-base");
    const repoHead = await prepareRepoAtBase(task.dir, task.base, repoDir);
    const limits = { cpus: 1, memoryMb: 1024 };
    const base = { docker, image: env.image, plan: env.plan, repoDir, repoHead, timeoutMs: 120_000, limits, labels: { "org.legofactory.bench": `selection-${process.pid}` } };
    const validation = await validateTask({ patch: task.patch, testPatch: task.testPatch }, { ...base, runs: 1, scope: "touched" });
    if (!validation.valid) throw new Error(`the fixture task did not validate: ${validation.reason}`);
    const gold = { testPatch: task.testPatch, failToPass: validation.failToPass, passToPass: validation.passToPass };
    const baseline = await baselineTests(base);

    const p = plans(o);
    let policyClient: OpenAI;
    let verifierClient: OpenAI;
    let policyModel = "policy";
    let verifierModel = "verifier";
    if (models) {
      models.respondWith(policyDouble(p), { model: "policy" });
      models.respondWith(verifierDouble(p), { model: "verifier" });
      policyClient = verifierClient = new OpenAI({ baseURL: models.baseURL, apiKey: "x", maxRetries: 0, timeout: 60_000 });
    } else {
      if (!o.modelBaseUrl || !o.verifierModel) throw new Error("--model needs --model-base-url and --verifier-model (the verifier served at the same URL)");
      policyClient = verifierClient = new OpenAI({ baseURL: o.modelBaseUrl, apiKey: process.env.LEGO_POLICY_API_KEY ?? "none", maxRetries: 2, timeout: 300_000 });
      policyModel = o.model as string;
      verifierModel = o.verifierModel;
    }

    // The rollouts, as workers/rollout.ts makes and checks them.
    const rows: RolloutRow[] = [];
    const resolved = new Set<string>();
    await pool(Array.from({ length: o.rollouts }, (_, i) => i), 4, async (i) => {
      const id = `bench-r${i}`;
      const trajectory = await runRollout({ docker, image: env.image, repoDir, repoHead, limits, labels: { "org.legofactory.rollout": id, ...base.labels } }, ISSUE, { client: policyClient, model: policyModel, mode: "tools", maxTurns: 40, user: id }, REPRODUCTION_TEST_INSTRUCTIONS);
      const check = await checkCandidate(base, trajectory.patch, baseline);
      const evaluation: RolloutEvaluation = { editsTests: check.editsTests, breaks: check.breaks, passed: check.passed.length, failed: check.failed, changedFiles: changedPaths(trajectory.patch), ...(check.infraError ? { infraError: check.infraError } : {}), ...(check.applyError ? { applyError: check.applyError } : {}), ...(check.hangs ? { hangs: check.hangs } : {}) };
      let score: number | null = null;
      if (trajectory.patch.trim() && !check.editsTests && check.breaks.length === 0 && !check.infraError && !check.applyError && !check.hangs) {
        try {
          score = (await verifyCandidate(verifierClient, verifierModel, { problemStatement: ISSUE, messages: trajectory.messages, patch: trajectory.patch })).score;
        } catch (err) {
          evaluation.verifierError = (err as Error).message;
        }
      }
      rows.push({ id, index: i, patch: trajectory.patch, status: "finished", outcomeReason: null, verifierScore: score, evaluation } as unknown as RolloutRow);
      // Gold grading of what would be pushed: the code change without the rollout's own tests.
      const code = splitRolloutPatch(trajectory.patch).patch;
      const graded = await evaluatePatch(gold, code, { ...base, scope: "touched" });
      if (graded.resolved) resolved.add(id);
      process.stderr.write(`rollout ${i}: ${models ? (p[i] as Plan).kind : "model"}, P(YES) ${score?.toFixed(2) ?? "–"}, breaks ${check.breaks.length}, gold ${graded.resolved ? "resolved" : "not resolved"}\n`);
    });
    rows.sort((a, b) => a.index - b.index);
    const candidates = rows.map(candidateFromRollout);
    const patches = new Map(rows.map((r) => [r.id, r.patch ?? ""]));

    // Reproduction tests: every qualified rollout's, run once on the unpatched tree and every qualified candidate.
    const policy = { minScore: 0, allowUnscored: true };
    const survivors = selectCandidate(candidates, policy, { mode: "verifier" }).ranked.filter((c) => c.dropped === null);
    const full = collectReproTests(survivors.map((c) => ({ index: c.index, patch: patches.get(c.id) ?? "" })));
    const results = await runReproTests({ ...base, timeoutMs: 60_000, parallel: 2 }, full, survivors.map((c) => ({ id: c.id, index: c.index, patch: c.patch })));
    const setupMs = performance.now() - started;

    // Subsets of k candidates, each chosen by the product's selectCandidate.
    const rand = rng(o.seed + 1);
    const KS = [1, 2, 4, 8, 16].filter((k) => k <= o.rollouts);
    const names = ["oracle (pass@k)", "hybrid", "verifier only", "random"];
    const rows2 = KS.map((k) => {
      const sums: [number, number, number, number] = [0, 0, 0, 0];
      const n = k === o.rollouts ? 1 : o.subsets;
      for (let s = 0; s < n; s++) {
        const idx = Array.from({ length: o.rollouts }, (_, i) => i);
        for (let i = idx.length - 1; i > 0; i--) {
          const j = Math.floor(rand() * (i + 1));
          [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
        }
        const subset = idx.slice(0, k).sort((a, b) => a - b).map((i) => candidates[i] as Candidate);
        const ev = subsetEvidence(subset, patches, full, results, policy);
        const hit = (c: { id: string } | null | undefined) => Number(c ? resolved.has(c.id) : false);
        const qualified = selectCandidate(subset, policy, { mode: "verifier" }).ranked.filter((c) => c.dropped === null);
        sums[0] += Number(subset.some((c) => resolved.has(c.id)));
        sums[1] += hit(selectCandidate(ev.candidates, policy, { mode: "hybrid", unpatched: ev.unpatched }).chosen);
        sums[2] += hit(selectCandidate(subset, policy, { mode: "verifier" }).chosen);
        sums[3] += qualified.length ? qualified.filter((c) => resolved.has(c.id)).length / qualified.length : 0;
      }
      return { k, n, rates: sums.map((x) => x / n) };
    });

    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    const kinds = models ? (["right", "plausible", "breaking"] as Kind[]).map((kd) => `${p.filter((x) => x.kind === kd).length} ${kd}`).join(", ") : `model ${o.model}`;
    console.log(`Selection on REAL rollouts: 1 validated task (fixtures calc, FAIL_TO_PASS ${gold.failToPass.length}, PASS_TO_PASS ${gold.passToPass.length}), ${o.rollouts} rollouts in containers (${kinds}; ${p.filter((x) => x.test).length} wrote a reproduction test${models ? "" : " by the double's plan; the model decides"}), ${resolved.size}/${o.rollouts} resolve the gold tests; ${full.tests.length} pooled reproduction tests, ${results.runs.length} test runs; seed ${o.seed}`);
    console.log(`Share of subsets whose chosen candidate passes the gold tests (${o.subsets} random subsets per k < ${o.rollouts}; k = ${o.rollouts} is the whole pool):`);
    console.log("");
    console.log(`| k | subsets | ${names.join(" | ")} | hybrid ÷ verifier |`);
    console.log(`|---|---|${names.map(() => "---").join("|")}|---|`);
    for (const r of rows2) {
      const ratio = (r.rates[1] as number) / Math.max(1e-9, r.rates[2] as number);
      console.log(`| ${r.k} | ${r.n} | ${r.rates.map(pct).join(" | ")} | ${ratio.toFixed(2)}× |`);
    }
    console.log("");
    console.log(`(rollouts, checks, grading and reproduction runs ${Math.round(setupMs / 1000)} s; selection ${Math.round(performance.now() - started - setupMs)} ms)`);
  } finally {
    await models?.close();
    await database.close();
    if (image) await docker.getImage(image).remove({ force: true }).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}
