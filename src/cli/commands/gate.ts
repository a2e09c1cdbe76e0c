// `lego gate CANDIDATE [--against CURRENT] --tasks FILE`: both models on the held-out tasks,
// graded alike, then promote / reject / insufficient-evidence, recorded on the candidate.
import { readFile } from "node:fs/promises";
import type { GateReport } from "../../../training/gate/decide.js";
import { runGate } from "../../../training/gate/run.js";
import { parseJsonl, taskInstanceSchema } from "../../tasks/swebench.js";
import type { Batch } from "../batch.js";
import { UsageError } from "./export-training.js";

export interface GateFlags {
  tasks: string;
  against?: string;
  repo?: string;
  k: number;
  margin: number;
  minTasks: number;
  parallel: number;
  maxTurns: number;
  mode: "tools" | "text";
  json: boolean;
  dryRun: boolean;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Pure: the human-readable report. */
export function renderGate(report: GateReport, applied: string, note?: string): string[] {
  const lines = [`task${" ".repeat(40)}candidate  current  pairing`.replace(/^task {40}/, "task".padEnd(44))];
  for (const t of report.perTask) {
    const side = (s: typeof t.candidate) => (s.graded ? `${s.resolved}/${s.graded}` : "—") + (s.errors ? ` (${s.errors} err)` : "");
    lines.push(`${t.instanceId.padEnd(44)}${side(t.candidate).padEnd(11)}${side(t.current).padEnd(9)}${t.pairing}`);
  }
  lines.push(
    "",
    `${report.candidate.name}: ${pct(report.candidate.resolveRate)}  ${report.current.name}: ${pct(report.current.resolveRate)}  (${report.deltaPoints >= 0 ? "+" : ""}${report.deltaPoints} points on ${report.tasks.evaluated} task(s), ${report.tasks.excluded} excluded)`,
    `paired: both ${report.paired.both}, candidate only ${report.paired["candidate-only"]}, current only ${report.paired["current-only"]}, neither ${report.paired.neither}${report.signTestP === null ? "" : `; sign test p=${report.signTestP.toFixed(3)}`}`,
    `decision: ${report.decision}: ${report.reason}`,
    applied === "promoted" ? `${report.candidate.name} is now the promoted model.` : applied === "dry-run" ? "--dry-run: nothing recorded, nothing promoted." : applied === "promotion-refused" ? `not promoted: ${note}` : `recorded on ${report.candidate.name}; the promoted model is unchanged.`,
  );
  return lines;
}

export async function gateCommand(batch: Batch, candidate: string, flags: GateFlags, out: (line: string) => void, err: (line: string) => void): Promise<GateReport> {
  let text: string;
  try {
    text = await readFile(flags.tasks, "utf8");
  } catch (e) {
    throw new UsageError(`--tasks ${flags.tasks}: ${(e as Error).message}`);
  }
  const lines = parseJsonl(text, taskInstanceSchema);
  for (const bad of lines.filter((l) => !l.ok)) err(`${flags.tasks}:${bad.line}: skipped: ${"error" in bad ? bad.error : ""}`);
  const tasks = lines.flatMap((l) => (l.ok ? [l.value] : []));
  const bar = batch.progress(tasks.length * flags.k * 2, "gate");
  let run;
  try {
    run = await runGate(
      batch.database.db,
      { docker: batch.docker, envDeps: batch.envDeps, limits: batch.limits, testTimeoutMs: batch.config.LEGO_SANDBOX_TIMEOUT_SEC * 1000, scratch: batch.scratch, cloneOf: (repo) => batch.cloneOf(repo, flags.repo) },
      batch.config,
      candidate,
      tasks,
      { ...flags, ...(flags.against ? { against: flags.against } : {}), onRollout: (r) => bar.tick(`${r.instanceId} ${r.side} ${r.outcome}`) },
    );
  } finally {
    bar.stop();
  }
  if (flags.json) out(JSON.stringify({ ...run.report, applied: run.applied, ...(run.note ? { note: run.note } : {}) }));
  else for (const l of renderGate(run.report, run.applied, run.note)) out(l);
  return run.report;
}
