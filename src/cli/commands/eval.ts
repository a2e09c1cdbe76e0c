// `lego eval <tasks.jsonl> <predictions.jsonl>`: grade model patches as the SWE-bench harness does.
import { rm } from "node:fs/promises";
import path from "node:path";
import { readFile, writeFile } from "node:fs/promises";
import { imageExists } from "../../../sandbox/images.js";
import { repoSettingsAt } from "./harvest.js";
import { ensureEnvironment } from "../../environment/ensure.js";
import { evaluatePatch } from "../../validation/evaluate.js";
import { parseJsonl, predictionSchema, taskInstanceSchema, type TaskInstance } from "../../tasks/swebench.js";
import { prepareTaskRepo } from "../../tasks/task-repo.js";
import type { Batch } from "../batch.js";

export interface EvalFlags {
  repo?: string;
  scope: "touched" | "all";
  json: boolean;
  /** Where the SWE-bench-style summary goes; default report.json beside the predictions file. */
  reportFile?: string;
}

/** The SWE-bench harness's run report (schema_version 2): ids by outcome. */
export function swebenchReport(reports: EvalReport[], submitted: { instance_id: string; model_patch: string | null }[]) {
  const ids = (f: (r: EvalReport) => boolean) => reports.filter(f).map((r) => r.instance_id).sort();
  const empty = new Set(submitted.filter((p) => !p.model_patch?.trim()).map((p) => p.instance_id));
  const completed = ids((r) => r.valid);
  return {
    total_instances: submitted.length,
    submitted_instances: submitted.length,
    completed_instances: completed.length,
    resolved_instances: ids((r) => r.resolved).length,
    unresolved_instances: ids((r) => r.valid && !r.resolved).length,
    empty_patch_instances: empty.size,
    error_instances: ids((r) => !r.valid && !empty.has(r.instance_id)).length,
    completed_ids: completed,
    resolved_ids: ids((r) => r.resolved),
    unresolved_ids: ids((r) => r.valid && !r.resolved),
    empty_patch_ids: [...empty].sort(),
    error_ids: ids((r) => !r.valid && !empty.has(r.instance_id)),
    schema_version: 2,
  };
}

export interface EvalReport {
  instance_id: string;
  model_name_or_path: string;
  resolved: boolean;
  valid: boolean;
  /** The patch games the tests: graded unresolved whatever its tests printed. */
  cheated?: boolean;
  reason: string | null;
  FAIL_TO_PASS?: { success: string[]; failure: string[] };
  PASS_TO_PASS?: { success: string[]; failure: string[] };
}

export async function evalCommand(batch: Batch, tasksFile: string, predictionsFile: string, flags: EvalFlags, out: (line: string) => void, err: (line: string) => void) {
  const taskLines = parseJsonl(await readFile(tasksFile, "utf8"), taskInstanceSchema);
  for (const bad of taskLines.filter((l) => !l.ok)) err(`${tasksFile}:${bad.line}: skipped: ${"error" in bad ? bad.error : ""}`);
  const tasks = new Map<string, TaskInstance>(taskLines.flatMap((l) => (l.ok ? [[l.value.instance_id, l.value] as const] : [])));
  const predLines = parseJsonl(await readFile(predictionsFile, "utf8"), predictionSchema);
  for (const bad of predLines.filter((l) => !l.ok)) err(`${predictionsFile}:${bad.line}: skipped: ${"error" in bad ? bad.error : ""}`);
  const predictions = predLines.flatMap((l) => (l.ok ? [l.value] : []));
  const bar = batch.progress(predictions.length, "eval");
  const reports: EvalReport[] = [];
  try {
    for (const p of predictions) {
      const report = await evaluateOne(batch, tasks.get(p.instance_id), p, flags);
      reports.push(report);
      bar.tick(`${p.instance_id} ${report.resolved ? "resolved" : "unresolved"}`);
      if (flags.json) out(JSON.stringify(report));
    }
  } finally {
    bar.stop();
  }
  const reportFile = flags.reportFile ?? path.join(path.dirname(path.resolve(predictionsFile)), "report.json");
  await writeFile(reportFile, `${JSON.stringify(swebenchReport(reports, predictions), null, 2)}\n`);
  err(`report: ${reportFile}`);
  const resolved = reports.filter((r) => r.resolved).length;
  const invalid = reports.filter((r) => !r.valid).length + (predLines.length - predictions.length);
  if (!flags.json) {
    const pct = reports.length ? ((100 * resolved) / reports.length).toFixed(1) : "0.0";
    out(`resolved ${resolved}/${reports.length} (${pct}%)${invalid ? `; ${invalid} could not be evaluated` : ""}`);
    for (const r of reports) out(`  ${r.instance_id.padEnd(32)} ${r.resolved ? "resolved" : `unresolved${r.reason ? `: ${r.reason}` : ""}`}`);
  }
  return { resolved, total: reports.length, invalid };
}

async function evaluateOne(batch: Batch, task: TaskInstance | undefined, p: { instance_id: string; model_name_or_path: string; model_patch: string | null }, flags: EvalFlags): Promise<EvalReport> {
  const base = { instance_id: p.instance_id, model_name_or_path: p.model_name_or_path };
  if (!task) return { ...base, resolved: false, valid: false, reason: `no task ${p.instance_id} in the tasks file` };
  if (task.FAIL_TO_PASS.length === 0) return { ...base, resolved: false, valid: false, reason: "the task has no FAIL_TO_PASS tests: validate it first" };
  const repoDir = path.join(batch.scratch, `eval-${p.instance_id.replace(/[^A-Za-z0-9._-]/g, "_")}`);
  try {
    const clone = await batch.cloneOf(task.repo, flags.repo);
    // The task's own image when the engine still has it, and the repository's .github/lego.yml
    // overrides, as the harvest that validated it used them.
    const overrides = { ...(await repoSettingsAt(clone)).overrides };
    if (!overrides.image && task.image && (await imageExists(batch.docker, task.image))) overrides.image = task.image;
    const env = await ensureEnvironment(batch.envDeps, { repo: task.repo, cloneDir: clone, commit: task.base_commit, overrides });
    if (!env.ok) return { ...base, resolved: false, valid: false, reason: env.reason };
    const head = await prepareTaskRepo(clone, { kind: task.kind, baseCommit: task.base_commit, bugPatch: task.bug_patch }, repoDir);
    const r = await evaluatePatch(
      { testPatch: task.test_patch, failToPass: task.FAIL_TO_PASS, passToPass: task.PASS_TO_PASS },
      p.model_patch ?? "",
      { docker: batch.docker, image: env.image, plan: env.plan, repoDir, repoHead: head, singleCommit: task.kind === "synthetic", scope: flags.scope, timeoutMs: batch.config.LEGO_SANDBOX_TIMEOUT_SEC * 1000, limits: batch.limits, labels: { "org.legofactory.eval": p.instance_id.replace(/[^A-Za-z0-9._-]/g, "_") } },
    );
    return {
      ...base,
      resolved: r.resolved,
      valid: r.valid,
      reason: r.reason,
      ...(r.cheated ? { cheated: true } : {}),
      ...(r.grade ? { FAIL_TO_PASS: r.grade.f2p, PASS_TO_PASS: r.grade.p2p } : {}),
    };
  } catch (e) {
    return { ...base, resolved: false, valid: false, reason: (e as Error).message };
  } finally {
    await rm(repoDir, { recursive: true, force: true });
  }
}
