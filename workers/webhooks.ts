// Queue `webhooks`: hand a stored delivery to Probot, which runs the handlers. The row is the
// source of truth, so a job for a delivery that was already processed does nothing.
import { UnrecoverableError } from "bullmq";
import type { Probot } from "probot";
import type { Db } from "../db/client.js";
import { getDelivery, markProcessed } from "../db/deliveries.js";
import { runForDelivery } from "../src/github/delivery-reply.js";
import type { JobData, JobFailure } from "../src/queue.js";
import { whileDatabaseUnavailable } from "../src/runtime/database-unavailable.js";

export interface WebhookWorkerDeps {
  db: Db;
  probot: Pick<Probot, "receive">;
  /** How long to wait for the database to record a delivery whose handlers ran (default 2 min). */
  recordWaitMs?: number;
}

/** How often the job has run before: a stalled job taken over after its worker died counts too. */
export interface JobRuns {
  attemptsMade: number;
  attemptsStarted: number;
}

/** The job ran before: a retry after a failure, or a stalled job whose worker was killed mid-run. */
export const isRerun = (job: JobRuns | undefined): boolean => job !== undefined && (job.attemptsMade > 0 || job.attemptsStarted > 1);

export async function processWebhookDelivery(data: JobData["webhooks"], deps: WebhookWorkerDeps, job?: JobRuns): Promise<"processed" | "already-processed"> {
  const row = await getDelivery(deps.db, data.deliveryId);
  if (!row) throw new UnrecoverableError(`delivery ${data.deliveryId} is not in the database`);
  if (row.status === "processed") return "already-processed";
  // Probot's typing wants a literal event name; the row holds one that intake checked.
  // In a re-run the handlers look on GitHub for the reply they may have posted already.
  await runForDelivery({ deliveryId: row.id, rerun: isRerun(job) }, () => deps.probot.receive({ id: row.id, name: row.event as "issues", payload: row.payload as never }));
  // The handler's effects (a reply, a reaction) are done: if recording that fails because the
  // database is restarting, wait for it rather than fail the job, whose retry would do them twice.
  await whileDatabaseUnavailable(() => markProcessed(deps.db, row.id, "processed"), deps.recordWaitMs ?? 120_000);
  return "processed";
}

/** Final failure: the delivery's row says why. */
export async function webhookFailed(data: JobData["webhooks"], failure: JobFailure, deps: Pick<WebhookWorkerDeps, "db">): Promise<void> {
  await markProcessed(deps.db, data.deliveryId, "failed", failure.error.message.slice(0, 2000));
}
