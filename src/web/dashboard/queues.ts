// Queue depths and failed jobs for the dashboard and /metrics, each read with a time-out so a
// slow Redis makes a page say so instead of hanging it.
import type { Job } from "bullmq";
import { queueNames, type QueueName, type Queues } from "../../queue.js";

export interface QueueDepth {
  queue: QueueName;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

export interface FailedJob {
  queue: QueueName;
  id: string;
  name: string;
  attempts: number;
  reason: string;
  failedAt: Date | null;
}

export class QueueReadError extends Error {}

export async function withTimeout<T>(what: string, p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QueueReadError(`${what} took over ${ms} ms: is Redis up?`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function queueDepths(queues: Queues, timeoutMs = 2000): Promise<QueueDepth[]> {
  return withTimeout(
    "reading queue depths",
    Promise.all(
      queueNames.map(async (queue) => {
        const c = await queues.get(queue).getJobCounts("waiting", "active", "delayed", "failed", "completed", "prioritized", "waiting-children");
        return {
          queue,
          waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c["waiting-children"] ?? 0),
          active: c.active ?? 0,
          delayed: c.delayed ?? 0,
          failed: c.failed ?? 0,
          completed: c.completed ?? 0,
        };
      }),
    ),
    timeoutMs,
  );
}

function describe(queue: QueueName, job: Job): FailedJob {
  return {
    queue,
    id: String(job.id),
    name: job.name,
    attempts: job.attemptsMade,
    reason: (job.failedReason ?? "").slice(0, 300),
    failedAt: job.finishedOn ? new Date(job.finishedOn) : null,
  };
}

/** The newest failed jobs of every queue, newest first. */
export async function failedJobs(queues: Queues, perQueue = 10, timeoutMs = 3000): Promise<FailedJob[]> {
  const lists = await withTimeout(
    "reading failed jobs",
    Promise.all(queueNames.map(async (q) => (await queues.get(q).getFailed(0, perQueue - 1)).filter(Boolean).map((j) => describe(q, j)))),
    timeoutMs,
  );
  return lists.flat().sort((a, b) => (b.failedAt?.getTime() ?? 0) - (a.failedAt?.getTime() ?? 0));
}

/** Moves a failed job back to waiting; false when there is no such failed job. */
export async function retryJob(queues: Queues, queue: QueueName, id: string, timeoutMs = 3000): Promise<boolean> {
  return withTimeout(
    `retrying ${queue}/${id}`,
    (async () => {
      const job = await queues.get(queue).getJob(id);
      if (!job || !(await job.isFailed())) return false;
      await job.retry("failed");
      return true;
    })(),
    timeoutMs,
  );
}
