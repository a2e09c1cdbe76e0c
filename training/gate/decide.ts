// The evaluation gate's decision, pure: both models ran k rollouts on the same held-out tasks;
// a task counts only when both sides have at least one graded rollout (an endpoint or sandbox
// failure is evidence of nothing). Promote only when the candidate's resolve rate beats the
// current one's by at least `margin` points on at least `minTasks` tasks.
export type GateDecision = "promote" | "reject" | "insufficient-evidence";

/** One model's rollouts on one task. */
export interface SideResult {
  /** Graded rollouts (resolved or not). */
  graded: number;
  resolved: number;
  /** Rollouts that proved nothing: the endpoint failed, the sandbox failed. */
  errors: number;
  /** Why, for the errors (first few). */
  errorReasons: string[];
}

export interface TaskResult {
  instanceId: string;
  candidate: SideResult;
  current: SideResult;
}

export interface GateRules {
  /** Points of resolve rate (0–100) the candidate must gain. Default 2. */
  margin: number;
  /** Tasks with evidence from both models needed for any decision. Default 20. */
  minTasks: number;
}

export const DEFAULT_GATE_RULES: GateRules = { margin: 2, minTasks: 20 };

export type Pairing = "both" | "candidate-only" | "current-only" | "neither" | "excluded";

export interface GateReport {
  decision: GateDecision;
  reason: string;
  rules: GateRules;
  candidate: { name: string; resolveRate: number; resolved: number; graded: number; errors: number };
  current: { name: string; resolveRate: number; resolved: number; graded: number; errors: number };
  /** Candidate minus current, in points. */
  deltaPoints: number;
  tasks: { evaluated: number; excluded: number; total: number };
  /** Per-task paired comparison: who resolved it (with k > 1, who resolved more of it). */
  paired: Record<Exclude<Pairing, "excluded">, number>;
  /** Two-sided exact sign test over the tasks where exactly one model did better. */
  signTestP: number | null;
  perTask: (TaskResult & { pairing: Pairing; candidateRate: number | null; currentRate: number | null })[];
}

const rate = (s: SideResult) => (s.graded > 0 ? s.resolved / s.graded : null);

function pairing(c: number, k: number): Exclude<Pairing, "excluded"> {
  if (c > k) return "candidate-only";
  if (k > c) return "current-only";
  return c > 0 ? "both" : "neither";
}

/** P(X ≤ min(a,b)) * 2 for X ~ Binomial(a+b, 1/2), capped at 1. */
export function signTest(a: number, b: number): number | null {
  const n = a + b;
  if (n === 0) return null;
  const k = Math.min(a, b);
  let p = 0;
  let term = 0.5 ** n;
  for (let i = 0; i <= k; i++) {
    p += term;
    term = (term * (n - i)) / (i + 1);
  }
  return Math.min(1, 2 * p);
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

export function decideGate(names: { candidate: string; current: string }, results: TaskResult[], rules: GateRules = DEFAULT_GATE_RULES): GateReport {
  const perTask = results.map((r) => {
    const c = rate(r.candidate);
    const k = rate(r.current);
    return { ...r, candidateRate: c, currentRate: k, pairing: c === null || k === null ? ("excluded" as const) : pairing(c, k) };
  });
  const evaluated = perTask.filter((t) => t.pairing !== "excluded");
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const candRate = mean(evaluated.map((t) => t.candidateRate as number));
  const curRate = mean(evaluated.map((t) => t.currentRate as number));
  const paired = { both: 0, "candidate-only": 0, "current-only": 0, neither: 0 };
  for (const t of evaluated) paired[t.pairing as keyof typeof paired]++;
  const side = (key: "candidate" | "current", r: number, name: string) => ({
    name,
    resolveRate: round(r),
    resolved: evaluated.reduce((a, t) => a + t[key].resolved, 0),
    graded: evaluated.reduce((a, t) => a + t[key].graded, 0),
    errors: perTask.reduce((a, t) => a + t[key].errors, 0),
  });
  const deltaPoints = round((candRate - curRate) * 100, 2);
  const excluded = perTask.length - evaluated.length;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  let decision: GateDecision;
  let reason: string;
  if (evaluated.length < rules.minTasks) {
    decision = "insufficient-evidence";
    reason = `${evaluated.length} task(s) had graded rollouts from both models, fewer than the ${rules.minTasks} required${excluded ? ` (${excluded} excluded: an endpoint or sandbox failed on every rollout of one side)` : ""}; add held-out tasks or lower --min-tasks`;
  } else if (deltaPoints >= rules.margin) {
    decision = "promote";
    reason = `${names.candidate} resolved ${pct(candRate)} against ${pct(curRate)} for ${names.current} on ${evaluated.length} tasks: +${deltaPoints} points, at least the ${rules.margin}-point margin`;
  } else {
    decision = "reject";
    reason = `${names.candidate} resolved ${pct(candRate)} against ${pct(curRate)} for ${names.current} on ${evaluated.length} tasks: ${deltaPoints >= 0 ? "+" : ""}${deltaPoints} points, short of the ${rules.margin}-point margin`;
  }
  return {
    decision,
    reason,
    rules,
    candidate: side("candidate", candRate, names.candidate),
    current: side("current", curRate, names.current),
    deltaPoints,
    tasks: { evaluated: evaluated.length, excluded, total: perTask.length },
    paired,
    signTestP: signTest(paired["candidate-only"], paired["current-only"]),
    perTask,
  };
}
