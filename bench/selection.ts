// Selection benchmark: how often each best-of-k selection method picks a candidate that passes
// the task's gold FAIL_TO_PASS + PASS_TO_PASS, against the oracle (pass@k: some candidate does)
// and a random choice, for k = 1, 2, 4, 8, 16, side by side on the same candidate pools.
//
// Default (fast) mode: the pools are SIMULATED at known rates, like the scripted model double's rollouts: each task
// has a rate of right fixes; a wrong fix is plausible (passes the suite, misses the issue) or
// breaks a test that passed; the verifier's P(YES) is a noisy signal that overlaps between right
// and wrong fixes (the saturation R2E-Gym reports); most rollouts write a reproduction test,
// valid for right fixes and encoding the misunderstanding for wrong ones. The choices are made by
// the product's own code (selectCandidate: verifier mode, hybrid mode) on those inputs; a run of
// real rollouts in containers per cell is out of reach here (16 × tasks × k agent runs).
// `--real` (bench/selection-real.ts) measures one validated task on real rollouts instead.
//
//   npx tsx bench/selection.ts [--tasks 2000] [--seed 7]
//   npx tsx bench/selection.ts --real [--rollouts 16] [--model-base-url URL --model NAME --verifier-model NAME]
import { parseArgs } from "node:util";
import { type Candidate, selectCandidate } from "../src/fix/select.js";

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "2000" },
    seed: { type: "string", default: "7" },
    // Real mode (bench/selection-real.ts): rollouts in containers on one validated task.
    real: { type: "boolean", default: false },
    rollouts: { type: "string", default: "16" },
    subsets: { type: "string", default: "400" },
    right: { type: "string", default: "0.25" },
    plausible: { type: "string", default: "0.5" },
    "model-base-url": { type: "string" },
    model: { type: "string" },
    "verifier-model": { type: "string" },
  },
});
if (values.real) {
  const { runReal } = await import("./selection-real.js");
  const num = (name: string, v: string | undefined, ok: (n: number) => boolean) => {
    const n = Number(v);
    if (!ok(n)) throw new Error(`--${name} ${v}: out of range`);
    return n;
  };
  await runReal({
    rollouts: num("rollouts", values.rollouts, (n) => Number.isInteger(n) && n >= 1 && n <= 64),
    subsets: num("subsets", values.subsets, (n) => Number.isInteger(n) && n >= 1),
    seed: num("seed", values.seed, Number.isInteger),
    right: num("right", values.right, (n) => n >= 0 && n <= 1),
    plausible: num("plausible", values.plausible, (n) => n >= 0 && n <= 1),
    ...(values["model-base-url"] ? { modelBaseUrl: values["model-base-url"] } : {}),
    ...(values.model ? { model: values.model } : {}),
    ...(values["verifier-model"] ? { verifierModel: values["verifier-model"] } : {}),
  });
  process.exit(0);
}
const TASKS = Number(values.tasks);
const KS = [1, 2, 4, 8, 16];
/** Rates of right fixes per task, in equal shares: hard to easy. */
const RIGHT_RATES = [0.1, 0.25, 0.4, 0.6];
const SUITE = 40;

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
const rand = rng(Number(values.seed));
const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
const clamp = (x: number) => Math.min(0.999, Math.max(0.001, x));

type Kind = "right" | "plausible" | "breaking";
interface Rollout {
  kind: Kind;
  /** 0 or 1: which wrong reading of the issue a wrong fix follows. */
  reading: number;
  score: number;
  writesTest: boolean;
  /** A right fix's test can be trivial (passes everywhere). */
  trivialTest: boolean;
}

function rollout(rightRate: number): Rollout {
  const u = rand();
  const kind: Kind = u < rightRate ? "right" : u < rightRate + (1 - rightRate) * 0.7 ? "plausible" : "breaking";
  const mean = kind === "right" ? 0.68 : kind === "plausible" ? 0.55 : 0.35;
  return { kind, reading: rand() < 0.5 ? 0 : 1, score: clamp(mean + 0.22 * normal()), writesTest: rand() < 0.8, trivialTest: rand() < 0.15 };
}

/** Whether rollout `author`'s reproduction test passes with `fix` applied (a deterministic draw per pair). */
function testPasses(author: Rollout, fix: Rollout, pairSeed: number): boolean {
  const r = rng(pairSeed)();
  if (author.kind === "right") return author.trivialTest || fix.kind === "right" || (fix.kind !== "breaking" && r < 0.15);
  // A wrong fix's test checks its own reading of the issue.
  if (fix === author) return true;
  if (fix.kind === "right") return r < 0.5;
  return fix.kind === "plausible" && fix.reading === author.reading ? r < 0.7 : r < 0.1;
}

interface Pool {
  candidates: Candidate[];
  unpatched: Record<string, boolean>;
  right: Set<string>;
}

function pool(rollouts: Rollout[], taskSeed: number): Pool {
  const unpatched: Record<string, boolean> = {};
  rollouts.forEach((a, i) => {
    if (a.writesTest) unpatched[`t${i}`] = a.kind === "right" && a.trivialTest;
  });
  const candidates = rollouts.map((fix, j): Candidate => {
    const repro: Record<string, boolean> = {};
    rollouts.forEach((author, i) => {
      if (author.writesTest) repro[`t${i}`] = testPasses(author, fix, taskSeed * 1000 + i * 37 + j);
    });
    return {
      id: `c${j}`,
      index: j,
      patch: `diff --git a/f b/f\n+${j}\n`,
      editsTests: false,
      breaksPassingTests: fix.kind === "breaking" ? ["tests/test_core.py::test_existing"] : [],
      score: fix.score,
      changedLines: 2,
      regressionPassed: fix.kind === "breaking" ? SUITE - 1 : SUITE,
      repro,
    };
  });
  return { candidates, unpatched, right: new Set(rollouts.flatMap((r, j) => (r.kind === "right" ? [`c${j}`] : []))) };
}

// Ranking only: no minimum score, so the methods choose among the same qualified candidates.
const policy = { minScore: 0, allowUnscored: true };
const methods: Record<string, (p: Pool) => number> = {
  "oracle (pass@k)": (p) => Number(p.candidates.some((c) => p.right.has(c.id))),
  hybrid: (p) => Number(p.right.has(selectCandidate(p.candidates, policy, { mode: "hybrid", unpatched: p.unpatched }).chosen?.id ?? "")),
  "verifier only": (p) => Number(p.right.has(selectCandidate(p.candidates, policy, { mode: "verifier" }).chosen?.id ?? "")),
  "tests only": (p) => Number(p.right.has(selectCandidate(p.candidates.map((c) => ({ ...c, score: 0.5 })), policy, { mode: "hybrid", unpatched: p.unpatched }).chosen?.id ?? "")),
  // The expected hit rate of a uniform choice among the qualified candidates.
  random: (p) => {
    const q = selectCandidate(p.candidates, policy, { mode: "verifier" }).ranked.filter((c) => c.dropped === null);
    return q.length ? q.filter((c) => p.right.has(c.id)).length / q.length : 0;
  },
};

const started = performance.now();
const tasks = Array.from({ length: TASKS }, (_, t) => {
  const rate = RIGHT_RATES[t % RIGHT_RATES.length] as number;
  return Array.from({ length: Math.max(...KS) }, () => rollout(rate));
});
const rows = KS.map((k) => {
  const sums = Object.fromEntries(Object.keys(methods).map((m) => [m, 0]));
  tasks.forEach((rollouts, t) => {
    const p = pool(rollouts.slice(0, k), t);
    for (const [name, f] of Object.entries(methods)) sums[name] = (sums[name] as number) + f(p);
  });
  return { k, rates: Object.fromEntries(Object.entries(sums).map(([m, s]) => [m, s / TASKS])) as Record<string, number> };
});

const names = Object.keys(methods);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log(`Selection on ${TASKS} simulated tasks (right-fix rates ${RIGHT_RATES.join(", ")}; seed ${values.seed}): share of tasks whose chosen candidate passes the gold tests`);
console.log("");
console.log(`| k | ${names.join(" | ")} | hybrid ÷ verifier |`);
console.log(`|---|${names.map(() => "---").join("|")}|---|`);
for (const r of rows) {
  const ratio = (r.rates.hybrid as number) / Math.max(1e-9, r.rates["verifier only"] as number);
  console.log(`| ${r.k} | ${names.map((n) => pct(r.rates[n] as number)).join(" | ")} | ${ratio.toFixed(2)}× |`);
}
console.log("");
console.log(`(${Math.round(performance.now() - started)} ms)`);
