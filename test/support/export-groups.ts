// Task groups for the exporters' unit tests: one task with every outcome, a held-out one, one
// without tests, a corrupt trajectory, medium and hard ones, and one with every failed action.
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "vitest";
import { HoldoutIndex } from "../../training/holdout.js";
import type { ExportRollout, ExportTask, TaskGroup } from "../../training/source.js";
import { bashCall, buildTrajectory, failedActionsScript, finishCall, type ScriptedTurn } from "./trajectory-fixtures.js";

export const work = mkdtempSync(path.join(os.tmpdir(), "lego-export-"));
let n = 0;
export const outDir = () => path.join(work, `out-${++n}`);

export function task(instanceId: string, extra: Partial<ExportTask> = {}): ExportTask {
  return { instanceId, repo: "acme/calc", kind: "real", pullNumber: null, patch: "diff --git a/calc/ops.py b/calc/ops.py\n", failToPass: ["tests/test_ops.py::test_add"], passToPass: [], problemStatement: "add is wrong", ...extra };
}

/** `turns` assistant turns: bash calls, then finish. */
export function longScript(turns: number): ScriptedTurn[] {
  return [...Array.from({ length: turns - 1 }, (_, i) => ({ calls: [bashCall(`echo ${i}`)] })), { calls: [finishCall()] }];
}

export function rollout(rolloutId: string, outcome: ExportRollout["outcome"], turns: ScriptedTurn[] | ExportRollout["trajectory"], extra: Partial<ExportRollout> = {}): ExportRollout {
  return {
    rolloutId,
    model: "teacher-model",
    outcome,
    createdAt: new Date(`2026-01-0${1 + (n % 8)}T00:00:00Z`),
    patch: "diff --git a/calc/ops.py b/calc/ops.py\n-    return a - b\n+    return a + b\n",
    trajectory: Array.isArray(turns) ? buildTrajectory("tools", turns) : turns,
    signals: [],
    ...extra,
  };
}

export async function* from(groups: TaskGroup[]): AsyncIterable<TaskGroup> {
  yield* groups;
}

export const groups = (): TaskGroup[] => [
  {
    task: task("acme__calc-1"),
    rollouts: [
      rollout("a-long", "resolved", failedActionsScript()),
      rollout("a-short", "resolved", longScript(3)),
      rollout("a-unres", "unresolved", longScript(2)),
      rollout("a-cheat", "cheated", longScript(2)),
      rollout("a-semi", "semi-resolved", longScript(2)),
      rollout("a-infra", "infra-error", longScript(2)),
    ],
  },
  { task: task("acme__calc-2", { pullNumber: 2 }), rollouts: [rollout("b-0", "resolved", longScript(2))] },
  { task: task("acme__calc-3", { failToPass: [] }), rollouts: [rollout("c-0", "resolved", longScript(2))] },
  {
    task: task("acme__calc-4"),
    rollouts: [rollout("d-corrupt", "resolved", { messages: [{ role: "system", content: "s" }], steps: [] }), rollout("d-medium", "resolved", longScript(60))],
  },
  { task: task("acme__calc-5"), rollouts: [rollout("e-hard", "resolved", longScript(80))] },
  { task: task("acme__calc-6"), rollouts: [rollout("f-masked", "resolved", failedActionsScript())] },
];

export const holdout = new HoldoutIndex([{ instanceId: null, repo: "acme/calc", pullNumber: 2, patchHash: null, wholeRepo: false }]);

export function readJsonl<T>(file: string): T[] {
  return readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as T);
}

export function checkHashes(dir: string, manifest: Record<string, unknown>): void {
  const files = manifest.files as { path: string; bytes: number; sha256: string }[];
  expect(files.map((f) => f.path).sort()).toEqual(readdirSync(dir).filter((f) => f !== "manifest.json").sort());
  for (const f of files) {
    const bytes = readFileSync(path.join(dir, f.path));
    expect({ path: f.path, sha256: createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length }).toEqual({ path: f.path, sha256: f.sha256, bytes: f.bytes });
  }
}

