// The repository a task's sandboxes start from. A real task: the base commit with its history
// (nothing later). A synthetic task: the buggy tree as one fresh commit and no history at all,
// so neither `git log` nor `git diff HEAD~` can show the clean code.
import { prepareRepoAtBase } from "../../sandbox/git-history.js";

export interface TaskSource {
  kind?: "real" | "synthetic" | null;
  baseCommit: string;
  bugPatch?: string | null;
}

/** Writes the task's starting repository to `dest`; returns its HEAD for the in-sandbox history check. */
export async function prepareTaskRepo(clone: string, task: TaskSource, dest: string): Promise<string> {
  if (task.kind === "synthetic") {
    if (!task.bugPatch?.trim()) throw new Error("the synthetic task has no bug_patch, so its buggy tree cannot be made");
    return prepareRepoAtBase(clone, task.baseCommit, dest, "single-commit", task.bugPatch);
  }
  return prepareRepoAtBase(clone, task.baseCommit, dest);
}
