// Whether a task may be exported at all: never a held-out one (decontamination), and for data
// labelled by tests, never one without FAIL_TO_PASS tests. Pure.
import type { HoldoutIndex } from "./holdout.js";
import type { ExportTask } from "./source.js";

export interface TaskScreen {
  holdout?: HoldoutIndex;
  /** The normalised gold-patch hash the held-out set is matched on. */
  patchHash?: (patch: string) => string | null;
}

export function taskExclusion(task: ExportTask, screen: TaskScreen, opts: { requireTests: boolean }): { reason: string; detail: string } | null {
  if (screen.holdout && screen.holdout.size > 0) {
    const patchHash = task.patch && screen.patchHash ? screen.patchHash(task.patch) : null;
    const reason = screen.holdout.match({ instanceId: task.instanceId, repo: task.repo, pullNumber: task.pullNumber, patchHash });
    if (reason) return { reason, detail: `${task.instanceId} is held out for evaluation (${reason.slice("holdout:".length)})` };
  }
  if (opts.requireTests && task.kind !== "fix" && task.failToPass.length === 0) {
    return { reason: "task-without-tests", detail: `${task.instanceId} has no FAIL_TO_PASS tests, so nothing graded its rollouts` };
  }
  return null;
}
