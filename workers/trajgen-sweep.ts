// Queue `trajgen-sweep`, on a schedule: every valid task that still lacks its teacher rollouts
// gets them enqueued. The harvest worker enqueues at validation; this catches every other way a
// task becomes valid (synthetic tasks, `lego validate` on a stored task, an enqueue lost to a
// Redis outage) and tasks validated before a teacher was configured. Job ids are the rollouts',
// so a job already queued, delayed by a budget or done is not added twice.
import type { Logger } from "pino";
import type { Db } from "../db/client.js";
import { tasksNeedingRollouts } from "../db/trajgen.js";
import type { Queues } from "../src/queue.js";
import { enqueueTrajgen } from "../src/trajgen/enqueue.js";
import type { Teacher } from "../src/trajgen/teacher.js";

export const trajgenSweepSchedule = { id: "trajgen-sweep", every: 600_000 };

const PAGE = 500;

export async function processTrajgenSweep(deps: { db: Db; queues: Queues; teacher: Pick<Teacher, "model" | "k">; log: Logger }): Promise<{ tasks: number }> {
  let after = "";
  let tasks = 0;
  for (;;) {
    const page = await tasksNeedingRollouts(deps.db, deps.teacher.model, deps.teacher.k, after, PAGE);
    // Each task as many as its repository asks for (trajgen.k in .github/lego.yml), else the teacher's k.
    for (const t of page) await enqueueTrajgen(deps.queues, { model: deps.teacher.model, k: t.k }, t, t.installationId);
    tasks += page.length;
    if (page.length < PAGE) break;
    after = page.at(-1)!.instanceId;
  }
  if (tasks > 0) deps.log.info({ tasks }, "enqueued teacher rollouts for valid tasks that lacked them");
  return { tasks };
}
