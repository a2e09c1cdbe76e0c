// `lego validate <tasks.jsonl>`: run NOP and Oracle for SWE-bench task instances.
import { readFile } from "node:fs/promises";
import { upsertTask, type TaskRow } from "../../../db/tasks.js";
import { validateCandidate } from "../../harvest/harvest-pull.js";
import { fromSweBench, parseJsonl, taskInstanceSchema, taskJsonLine, taskSummaryLine } from "../../tasks/swebench.js";
import type { Batch } from "../batch.js";

export interface ValidateFlags {
  repo?: string;
  runs: number;
  scope: "touched" | "all";
  json: boolean;
}

export async function validateCommand(batch: Batch, file: string, flags: ValidateFlags, out: (line: string) => void, err: (line: string) => void): Promise<{ valid: number; total: number }> {
  const lines = parseJsonl(await readFile(file, "utf8"), taskInstanceSchema);
  for (const bad of lines.filter((l) => !l.ok)) err(`${file}:${bad.line}: skipped: ${"error" in bad ? bad.error : ""}`);
  const tasks = lines.flatMap((l) => (l.ok ? [l.value] : []));
  const bar = batch.progress(tasks.length, "validate");
  const rows: TaskRow[] = [];
  try {
    for (const t of tasks) {
      let row = fromSweBench(t);
      try {
        const clone = await batch.cloneOf(t.repo, flags.repo);
        row = await validateCandidate(row, clone, batch.envDeps, { runs: flags.runs, scope: flags.scope, timeoutMs: batch.config.LEGO_SANDBOX_TIMEOUT_SEC * 1000, limits: batch.limits });
      } catch (e) {
        row = { ...row, status: "invalid", statusReason: (e as Error).message };
      }
      await upsertTask(batch.database.db, row);
      rows.push(row);
      bar.tick(`${t.instance_id} ${row.status}`);
      if (flags.json) out(taskJsonLine(row));
    }
  } finally {
    bar.stop();
  }
  const valid = rows.filter((r) => r.status === "valid").length;
  if (!flags.json) {
    out(`${valid}/${rows.length} task(s) valid${lines.length > tasks.length ? `, ${lines.length - tasks.length} line(s) unreadable` : ""}`);
    for (const r of rows) out(taskSummaryLine(r));
  }
  return { valid, total: lines.length };
}
