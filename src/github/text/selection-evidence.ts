// How the candidate was chosen and what the attempt cost, as the PR body and `/lego explain`
// show them: the selection mode, every input and step of the hybrid ranking, the reproduction
// tests (counted, ignored, rejected) and their runs, and tokens, cost and wall time per rollout.
import type { RolloutCost } from "../../fix/costs.js";
import type { SelectionEvidence } from "../../fix/select.js";
import { cell, code, plural, scoreText, untrusted } from "./markdown.js";

const LISTED = 20;

const list = <T>(items: T[], line: (t: T) => string): string[] => {
  const shown = items.slice(0, LISTED).map(line);
  if (items.length > LISTED) shown.push(`- … and ${items.length - LISTED} more`);
  return shown;
};

function reproLines(ev: SelectionEvidence): string[] {
  const r = ev.repro;
  if (!r) return [];
  const out = ["", "**Reproduction tests** (the test files the rollouts added, kept out of the patches, run against every candidate and the unpatched tree):", ""];
  if (r.skipped) out.push(`None ran: ${r.skipped}.`);
  const hybrid = ev.hybrid;
  if (hybrid && !r.skipped) {
    const passers = (id: string) => hybrid.rows.filter((row) => row.reproPassed.includes(id)).map((row) => row.index);
    if (hybrid.counted.length === 0) out.push("None told the candidates apart (a test counts when it fails on the unpatched tree and passes with a candidate).");
    out.push(...list(hybrid.counted, (id) => `- counted: ${code(cell(id))}: fails unpatched, passes with rollout${passers(id).length === 1 ? "" : "s"} ${passers(id).join(", ")}`));
    out.push(...list(hybrid.ignored, (t) => `- not counted: ${code(cell(t.id))}: ${t.why}`));
  }
  out.push(...list(r.rejected, (t) => `- rejected: rollout ${t.rollout}'s ${t.files.map((f) => code(cell(f))).join(", ")}: ${untrusted(t.why)}`));
  const shared = r.tests.filter((t) => t.rollouts.length > 1);
  out.push(...list(shared, (t) => `- identical in rollouts ${t.rollouts.join(", ")}: ${t.files.map((f) => code(cell(f))).join(", ")} (run once)`));
  const failedRuns = r.runs.filter((run) => run.error);
  out.push(...list(failedRuns, (run) => `- run on ${run.tree === "unpatched" ? "the unpatched tree" : `rollout ${run.tree}`}: ${cell(untrusted(run.error ?? ""))} (its tests count as not passing there)`));
  if (r.runs.length) out.push("", `${plural(r.runs.length, "run")} in all, ${Math.round(r.runs.reduce((n, run) => n + run.durationMs, 0) / 1000)} s of test time.`);
  return out;
}

/** Markdown: the selection section, or null when nothing was stored (attempts made before it existed). */
export function selectionSection(ev: SelectionEvidence | null): string | null {
  if (!ev) return null;
  const lines = ["## How the candidate was chosen", ""];
  if (ev.mode === "verifier" || !ev.hybrid) {
    lines.push("**Selection:** `verifier` (`autofix.selection`): the qualified candidates ranked by the verifier's P(YES) alone; ties go to the smaller patch, then the lower rollout index.");
    return lines.join("\n");
  }
  const h = ev.hybrid;
  const pick = ev.verifierPick === null ? "" : ev.verifierPick === ev.chosen ? ` The verifier alone would have chosen the same rollout (${ev.chosen}).` : ` The verifier alone would have chosen rollout ${ev.verifierPick}; the hybrid ranking chose rollout ${ev.chosen}.`;
  lines.push(
    `**Selection:** \`hybrid\` (\`autofix.selection\`): keep the verifier's top half (at least 3; here ${h.kept} of ${h.rows.length}), then prefer the most regression tests passing, then the most reproduction tests passing, then the verifier's P(YES); ties go to the smaller patch, then the lower index.${pick}`,
    "",
    "| Rank | Rollout | Verifier P(YES) | Verifier rank | Top half | Regression tests passing | Reproduction tests passing | Above the next on |",
    "|---|---|---|---|---|---|---|---|",
    ...h.rows.map((r, i) => `| ${r.rank} | ${r.index} | ${scoreText(r.score)} | ${r.verifierRank} | ${r.topHalf ? "yes" : "no"} | ${r.regressionPassed ?? "—"} | ${r.reproPassed.length} | ${h.decidedBy[i] ?? "—"} |`),
  );
  lines.push(...reproLines(ev));
  return lines.join("\n");
}

const seconds = (ms: number | null) => (ms === null ? "—" : `${Math.round(ms / 1000)} s`);
const usd = (n: number | null) => (n === null ? "—" : `$${n.toFixed(4)}`);

/**
 * Markdown: tokens, cost and wall time per rollout and in total. Rollouts run side by side, so
 * the attempt's own wall time (from the request to now) is shown apart from their sum.
 */
export function costsSection(costs: RolloutCost[], attemptWallMs: number | null, heading = "## Costs"): string {
  const sum = (f: (c: RolloutCost) => number | null) => costs.reduce((n, c) => n + (f(c) ?? 0), 0);
  return [
    heading,
    "",
    "| Rollout | Prompt tokens | Completion tokens | Cost | Wall time |",
    "|---|---|---|---|---|",
    ...[...costs].sort((a, b) => a.index - b.index).map((c) => `| ${c.index} | ${c.promptTokens ?? "—"} | ${c.completionTokens ?? "—"} | ${usd(c.costUsd)} | ${seconds(c.wallMs)} |`),
    `| **total** | ${sum((c) => c.promptTokens)} | ${sum((c) => c.completionTokens)} | ${usd(sum((c) => c.costUsd))} | ${seconds(sum((c) => c.wallMs))} |`,
    ...(attemptWallMs === null ? [] : ["", `The attempt took ${seconds(attemptWallMs)} from the request to this pull request.`]),
  ].join("\n");
}
