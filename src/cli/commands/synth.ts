// `lego synth <path-or-url>`: synthetic tasks from one repository snapshot (HEAD): bugs injected
// into its sandbox, validated by the tests that cover them, confirmed on the full suite.
import path from "node:path";
import { realIssueExamples, upsertTask, validSyntheticTasks } from "../../../db/tasks.js";
import { LocalSource } from "../../harvest/local-source.js";
import { git } from "../../git.js";
import { repoSettingsAt } from "./harvest.js";
import { type SynthReport, synthesize } from "../../synthetic/synthesize.js";
import { bugFile } from "../../synthetic/stored.js";
import { strategyNames, type StrategyName } from "../../synthetic/types.js";
import { writerFrom } from "../../synthetic/writer.js";
import { taskJsonLine } from "../../tasks/swebench.js";
import type { Batch } from "../batch.js";

export interface SynthFlags {
  strategies: StrategyName[];
  max: number;
  maxCandidates: number;
  group: number;
  seed: number;
  runs: number;
  validation: "coverage" | "full";
  json: boolean;
}

export class StrategyListError extends Error {
  readonly code = "bad_strategies";
}

/** `--strategies ast,combine` → the names, or an error naming what is unknown. */
export function parseStrategies(value: string): StrategyName[] {
  const names = value.split(",").map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(strategyNames as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) throw new StrategyListError(`unknown strategy ${unknown.join(", ") || "(none given)"}: choose from ${strategyNames.join(", ")}`);
  return [...new Set(names)] as StrategyName[];
}

export async function synthCommand(batch: Batch, location: string, flags: SynthFlags, out: (line: string) => void, err: (line: string) => void): Promise<SynthReport> {
  const source = await LocalSource.open(location, path.join(batch.scratch, "source"));
  const clone = await source.clone();
  const commit = (await git(clone, ["rev-parse", "HEAD"])).trim();
  // sandbox.image / install / testCmd from .github/lego.yml, as harvest and the synth worker use them.
  const { overrides } = await repoSettingsAt(clone);
  const db = batch.database.db;
  const earlier = await validSyntheticTasks(db, source.repo, commit);
  const bar = batch.progress(flags.max, "synth");
  try {
    const report = await synthesize(
      {
        envDeps: batch.envDeps,
        db,
        scratch: batch.scratch,
        async onOutcome(o) {
          if (!("row" in o)) return;
          await upsertTask(db, o.row);
          if (o.row.status === "valid") bar.tick(`${o.row.instanceId} valid`);
          if (flags.json && o.row.status === "valid") out(taskJsonLine(o.row));
        },
      },
      { repo: source.repo, cloneDir: clone, commit, overrides },
      {
        strategies: flags.strategies,
        max: flags.max,
        maxCandidates: flags.maxCandidates,
        group: flags.group,
        seed: flags.seed,
        runs: flags.runs,
        timeoutMs: batch.config.LEGO_SANDBOX_TIMEOUT_SEC * 1000,
        validation: flags.validation,
        writer: writerFrom(batch.config),
        examples: await realIssueExamples(db, source.repo),
        validated: earlier.flatMap((t) => (t.bugPatch ? [{ instanceId: t.instanceId, file: bugFile(t.bugPatch), bugPatch: t.bugPatch, failToPass: t.failToPass }] : [])),
      },
    );
    if (report.error) err(`${location}: ${report.error}`);
    if (!flags.json) out(summaryText(report));
    return report;
  } finally {
    bar.stop();
  }
}

/** The per-strategy summary: candidates, valid, yield, leak-check rejections, and why the rest failed. */
export function summaryText(report: SynthReport): string {
  const valid = report.outcomes.filter((o) => o.row.status === "valid");
  const cov = report.coverage === null ? "none" : "error" in report.coverage ? `none (${report.coverage.error})` : `${report.coverage.tool}${report.coverage.reused ? ", reused" : ""}`;
  const lines = [`${report.repo}@${report.commit.slice(0, 12)}: ${valid.length} valid synthetic task(s) from ${report.outcomes.length} candidate(s); ${report.targets} target function(s); coverage: ${cov}`];
  for (const [name, s] of Object.entries(report.summary)) {
    const pct = s.candidates ? ` (${Math.round((100 * s.valid) / s.candidates)}%)` : "";
    lines.push(`  ${name.padEnd(12)} ${s.valid}/${s.candidates} valid${pct}; issue texts ${s.issueTexts}, leak-check rejections ${s.leakRejections}`);
    for (const [reason, n] of Object.entries(s.discarded).sort((a, b) => b[1] - a[1])) lines.push(`    ${String(n).padStart(4)} × ${reason}`);
  }
  const c = report.confirmations;
  if (c.groups > 0) lines.push(`  full-suite confirmations: ${c.groups} for ${c.bugs} bug(s) that survived their covering tests; ${c.splits.length} group(s) split${c.splits.length ? ` (${c.splits[0]}${c.splits.length > 1 ? "; …" : ""})` : ""}`);
  for (const o of valid) lines.push(`  ${o.row.instanceId.padEnd(40)} ${o.row.strategy} ${o.candidate.file}:${o.candidate.symbol} F2P ${o.row.failToPass?.length} P2P ${o.row.passToPass?.length}`);
  return lines.join("\n");
}
