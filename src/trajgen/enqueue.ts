// Where a task becomes valid (the harvest worker; synthetic tasks wherever they are stored as
// valid), its k teacher rollouts are enqueued on `trajgen`, one job per rollout. Job ids are
// those of the rollouts, so enqueueing the same task twice is a no-op.
import { rolloutIdFor } from "../fix/graded-rollout.js";
import { type JobData, jobId, type Queues } from "../queue.js";
import type { Teacher, TeacherSource } from "./teacher.js";

export function trajgenJobs(task: { instanceId: string; repo: string }, installationId: number, teacher: Pick<Teacher, "model" | "k">): { id: string; data: JobData["trajgen"] }[] {
  return Array.from({ length: teacher.k }, (_, index) => {
    const rolloutId = rolloutIdFor(task.instanceId, teacher.model, index);
    return { id: jobId("trajgen", rolloutId), data: { instanceId: task.instanceId, repo: task.repo, installationId, index, model: teacher.model, rolloutId } };
  });
}

export async function enqueueTrajgen(queues: Queues, teacher: Pick<Teacher, "model" | "k">, task: { instanceId: string; repo: string }, installationId: number): Promise<string[]> {
  const jobs = trajgenJobs(task, installationId, teacher);
  for (const j of jobs) await queues.add("trajgen", j.id, j.data);
  return jobs.map((j) => j.id);
}

/**
 * Enqueues for the model that serves trajgen now (resolved at the call); none: nothing. `repoK`
 * is the repository's own rollout count (`trajgen.k` in its .github/lego.yml), when it sets one.
 */
export async function enqueueTrajgenNow(queues: Queues, teachers: TeacherSource, task: { instanceId: string; repo: string }, installationId: number, repoK?: number): Promise<string[]> {
  const teacher = await teachers.resolve();
  return teacher ? enqueueTrajgen(queues, { model: teacher.model, k: repoK ?? teacher.k }, task, installationId) : [];
}
