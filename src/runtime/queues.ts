// The one table of queues: for each, the worker that serves it, what that worker is given,
// its final-failure policy and its schedule. Adding a queue: its payload in JobData
// (src/queue.ts), a worker file in workers/, and its line here; tsc points at whichever is missing.
import path from "node:path";
import type { FlowProducer, Job } from "bullmq";
import type { Logger } from "pino";
import type { Probot } from "probot";
import { processBackfill } from "../../workers/backfill.js";
import { processSelect, selectFailed } from "../../workers/fix-select.js";
import { fixFailed, processFix } from "../../workers/fix.js";
import { harvestFailed, type HarvestDeps, processHarvest } from "../../workers/harvest.js";
import { processSynth, synthFailed } from "../../workers/synth.js";
import { processRollout, rolloutFailed } from "../../workers/rollout.js";
import { trajgenFailed, trajgenProcessor } from "../../workers/trajgen.js";
import { processGate } from "../../workers/gate.js";
import { trainingFailed, trainingProcessor } from "../../workers/training.js";
import { processTrainingCheck } from "../../workers/training-check.js";
import { launcherFrom, trainDirOf } from "../../training/launchers/from-config.js";
import { processTrajgenSweep, trajgenSweepSchedule } from "../../workers/trajgen-sweep.js";
import { pollSignals, signalsSchedule } from "../../workers/signals.js";
import { processWebhookDelivery, webhookFailed } from "../../workers/webhooks.js";
import { cacheDirOf, pipIndexOf, sandboxLimitsOf } from "../config.js";
import type { FixDeps } from "../fix/checkout.js";
import type { InstallationOctokit } from "../github/probot.js";
import type { JobData, JobFailure, QueueName } from "../queue.js";
import { synthJob } from "../synthetic/enqueue.js";
import { writerFrom } from "../synthetic/writer.js";
import { enqueueTrajgenNow } from "../trajgen/enqueue.js";
import { repoTrajgen } from "../../db/trajgen.js";
import type { Runtime } from "./runtime.js";

export interface QueueWorker<N extends QueueName> {
  process(data: JobData[N], job: Job<JobData[N]>): Promise<unknown>;
  /** The job failed for good (attempts used up, or UnrecoverableError): record why. */
  failed?(data: JobData[N], failure: JobFailure): Promise<void>;
  /** Enqueued by a BullMQ job scheduler with this id, every `every` ms or on a cron `pattern`, with `data`. */
  schedule?: { id: string; every?: number; pattern?: string; data?: JobData[N] };
}

export type QueueWorkers = { [N in QueueName]?: QueueWorker<N> };

/** What the workers share, opened once per process. */
export interface WorkerParts {
  rt: Runtime;
  probot: Probot;
  github(installationId: number): Promise<InstallationOctokit>;
  flows: FlowProducer;
  /** Sandbox work (harvest, fixes): absent without a Docker engine. */
  sandbox: FixDeps | undefined;
  log(queue: QueueName): Logger;
}

/** A queue's worker from the parts, or null when a part it needs is not configured. */
type WorkerFactory<N extends QueueName> = (parts: WorkerParts) => QueueWorker<N> | null;

/** A task that turns valid gets the rollouts of the model serving trajgen at that moment, if any, as many as its repository asks for. */
function trajgenOnValidated(rt: Runtime): (task: { instanceId: string; repo: string }, installationId: number) => Promise<void> {
  return async (task, installationId) => void (await enqueueTrajgenNow(rt.queues, rt.teachers, task, installationId, (await repoTrajgen(rt.database.db, task.repo)).k));
}

const queueTable: { [N in QueueName]: WorkerFactory<N> } = {
  webhooks: ({ rt, probot }) => ({
    process: (data, job) => processWebhookDelivery(data, { db: rt.database.db, probot }, job),
    failed: (data, f) => webhookFailed(data, f, { db: rt.database.db }),
  }),
  backfill: ({ rt, github, log }) => ({ process: (data) => processBackfill(data, { github, queues: rt.queues, db: rt.database.db, log: log("backfill") }) }),
  signals: ({ rt, github, log }) => ({ process: () => pollSignals({ db: rt.database.db, github, log: log("signals") }), schedule: signalsSchedule }),
  harvest: ({ rt, sandbox, log }) => {
    const onValidated = trajgenOnValidated(rt);
    // A fresh environment build on a repository with synth on: its snapshot gets a synth job.
    const onEnvironmentBuilt: HarvestDeps["onEnvironmentBuilt"] = async (snapshot, settings, installationId) => {
      const job = synthJob(snapshot, settings, installationId);
      await rt.queues.add("synth", job.id, job.data);
    };
    return sandbox ? { process: (data) => processHarvest(data, { ...sandbox, log: log("harvest"), onEnvironmentBuilt, onValidated }), failed: (data, f) => harvestFailed(data, f, sandbox) } : null;
  },
  synth: ({ rt, sandbox, log }) => {
    const onValidated = trajgenOnValidated(rt);
    return sandbox
      ? { process: (data) => processSynth(data, { ...sandbox, writer: writerFrom(rt.config), log: log("synth"), onValidated }), failed: (data, f) => synthFailed(data, f, { log: log("synth") }) }
      : null;
  },
  trajgen: ({ rt, sandbox, log }) => {
    // Served whenever a sandbox is: the model is resolved per job, and a job finding none is skipped.
    if (!sandbox) return null;
    return { process: trajgenProcessor({ ...sandbox, teacher: rt.teachers, testTimeoutMs: rt.config.LEGO_SANDBOX_TIMEOUT_SEC * 1000, log: log("trajgen") }), failed: (data, f) => trajgenFailed(data, f, sandbox) };
  },
  "trajgen-sweep": ({ rt, log }) => ({
    // Each run enqueues for the model serving now; with none, it does nothing.
    process: async () => {
      const teacher = await rt.teachers.resolve();
      return teacher ? processTrajgenSweep({ db: rt.database.db, queues: rt.queues, teacher, log: log("trajgen-sweep") }) : { tasks: 0 };
    },
    schedule: trajgenSweepSchedule,
  }),
  fix: ({ rt, sandbox, flows, log }) =>
    sandbox
      ? { process: (data) => processFix(data, { ...sandbox, flows, prefix: rt.config.LEGO_QUEUE_PREFIX, log: log("fix") }), failed: (data, f) => fixFailed(data, f, sandbox) }
      : null,
  rollout: ({ rt, sandbox, log }) =>
    sandbox ? { process: (data) => processRollout(data, { ...sandbox, models: rt.models, log: log("rollout") }), failed: (data, f) => rolloutFailed(data, f, sandbox) } : null,
  training: ({ rt, log }) => {
    const launcher = launcherFrom(rt.config);
    if (!launcher) return null;
    const deps = { db: rt.database.db, launcher, trainDir: trainDirOf(rt.config), baseModel: rt.config.LEGO_TRAIN_BASE_MODEL, pollMs: rt.config.LEGO_TRAIN_POLL_SEC * 1000, staleAfterMs: (rt.config.LEGO_TRAIN_TIMEOUT_SEC + 3600) * 1000, inContextExample: rt.config.LEGO_TRAIN_IN_CONTEXT_EXAMPLE === "true", log: log("training") };
    return {
      process: trainingProcessor(deps),
      failed: (data, f) => trainingFailed(data, f, deps),
      ...(rt.config.LEGO_TRAIN_CRON ? { schedule: { id: "training-cron", pattern: rt.config.LEGO_TRAIN_CRON, data: { trigger: "cron" as const } } } : {}),
    };
  },
  "training-check": ({ rt, sandbox, log }) => {
    const gate = Boolean(sandbox && rt.config.LEGO_GATE_TASKS);
    const minNew = launcherFrom(rt.config) ? rt.config.LEGO_TRAIN_MIN_NEW : undefined;
    if (!gate && minNew === undefined) return null;
    return { process: () => processTrainingCheck({ db: rt.database.db, queues: rt.queues, minNew, gate, log: log("training-check") }), schedule: { id: "training-check", every: rt.config.LEGO_TRAIN_CHECK_SEC * 1000 } };
  },
  gate: ({ rt, sandbox, log }) => {
    const tasksFile = rt.config.LEGO_GATE_TASKS;
    return sandbox && tasksFile ? { process: (data) => processGate(data, { ...sandbox, config: rt.config, tasksFile, testTimeoutMs: rt.config.LEGO_SANDBOX_TIMEOUT_SEC * 1000, log: log("gate") }) } : null;
  },
  "fix-select": ({ rt, sandbox, log }) =>
    sandbox
      ? { process: (data) => processSelect(data, { ...sandbox, botName: rt.botName ?? "legofactory[bot]", log: log("fix-select") }), failed: (data, f) => selectFailed(data, f, sandbox) }
      : null,
};

/** Every queue this process can serve; none without GitHub App credentials. */
export function queueWorkers(rt: Runtime, flows: FlowProducer): QueueWorkers {
  const probot = rt.probot;
  if (!probot) return {};
  const github = async (id: number) => await probot.auth(id);
  const parts: WorkerParts = { rt, probot, github, flows, sandbox: sandboxDeps(rt, github), log: (queue) => rt.log.child({ queue }) };
  const workers: QueueWorkers = {};
  for (const name of Object.keys(queueTable) as QueueName[]) {
    const worker = (queueTable[name] as WorkerFactory<typeof name>)(parts);
    if (worker) (workers as Record<QueueName, QueueWorker<typeof name>>)[name] = worker;
  }
  return workers;
}

function sandboxDeps(rt: Runtime, github: FixDeps["github"]): FixDeps | undefined {
  if (!rt.docker) return undefined;
  return {
    db: rt.database.db,
    docker: rt.docker,
    github,
    baseImage: rt.config.LEGO_BASE_IMAGE,
    limits: sandboxLimitsOf(rt.config),
    buildTimeoutMs: rt.config.LEGO_SANDBOX_TIMEOUT_SEC * 1000,
    workDir: path.resolve(rt.config.LEGO_DATA_DIR, "work"),
    cacheDir: cacheDirOf(rt.config),
    pipIndexUrl: pipIndexOf(rt.config),
    log: rt.log,
  };
}
