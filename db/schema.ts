// The one drizzle schema for Postgres and PGlite alike. `drizzle-kit generate` turns changes
// into SQL under db/migrations, which is reviewed and committed.
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", { withTimezone: true }).notNull().defaultNow();

export const installations = pgTable("installations", {
  id: bigint("id", { mode: "number" }).primaryKey(),
  accountLogin: text("account_login").notNull(),
  accountType: text("account_type").notNull(),
  repositorySelection: text("repository_selection"),
  suspendedAt: timestamp("suspended_at", { withTimezone: true }),
  deletedAt: timestamp("deleted_at", { withTimezone: true }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const repositories = pgTable(
  "repositories",
  {
    id: bigint("id", { mode: "number" }).primaryKey(),
    installationId: bigint("installation_id", { mode: "number" }).references(() => installations.id),
    fullName: text("full_name").notNull(),
    defaultBranch: text("default_branch"),
    private: boolean("private").notNull().default(false),
    /** The open "Action Required" issue about an invalid .github/lego.yml, updated rather than re-filed. */
    configIssueNumber: integer("config_issue_number"),
    /** The `trajgen` section of its .github/lego.yml when last read (the keys it sets); null: never read. */
    trajgen: jsonb("trajgen").$type<{ k?: number; maxRolloutsPerDay?: number; maxCostUsdPerDay?: number }>(),
    removedAt: timestamp("removed_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("repositories_full_name_idx").on(t.fullName), index("repositories_installation_idx").on(t.installationId)],
);

export const deliveryStatuses = ["received", "enqueued", "processed", "failed"] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    /** X-GitHub-Delivery: GitHub reuses it on redelivery, which is what makes intake idempotent. */
    id: text("id").primaryKey(),
    event: text("event").notNull(),
    action: text("action"),
    installationId: bigint("installation_id", { mode: "number" }),
    repository: text("repository"),
    payload: jsonb("payload").notNull(),
    status: text("status").$type<DeliveryStatus>().notNull().default("received"),
    attempts: integer("attempts").notNull().default(0),
    error: text("error"),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    enqueuedAt: timestamp("enqueued_at", { withTimezone: true }),
    processedAt: timestamp("processed_at", { withTimezone: true }),
  },
  (t) => [
    index("webhook_deliveries_unqueued_idx").on(t.receivedAt).where(sql`${t.enqueuedAt} is null`),
    // The dashboard's time windows and newest-first lists.
    index("webhook_deliveries_received_idx").on(t.receivedAt),
  ],
);

export const environmentStatuses = ["building", "ready", "failed"] as const;
export type EnvironmentStatus = (typeof environmentStatuses)[number];

/** One environment image per repository snapshot, keyed by the hash of its dependency files. */
export const environments = pgTable(
  "environments",
  {
    id: serial("id").primaryKey(),
    repo: text("repo").notNull(),
    key: text("key").notNull(),
    image: text("image").notNull(),
    baseImage: text("base_image").notNull(),
    language: text("language"),
    install: jsonb("install").$type<string[]>().notNull().default([]),
    testCmd: text("test_cmd"),
    status: text("status").$type<EnvironmentStatus>().notNull().default("building"),
    fallback: text("fallback"),
    failureClass: text("failure_class"),
    failureReason: text("failure_reason"),
    buildLog: text("build_log"),
    /** The per-test coverage map synthetic bugs are targeted with (src/synthetic/coverage.ts), made once. */
    coverage: jsonb("coverage").$type<Record<string, unknown>>(),
    /** The whole suite run once at the snapshot when the image was built (src/environment/health.ts). */
    health: jsonb("health").$type<{ ran: boolean; collected: number; passed: number; failed: number; firstError: string | null; durationMs: number; error?: string }>(),
    createdAt: createdAt(),
    builtAt: timestamp("built_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("environments_repo_key_idx").on(t.repo, t.key), index("environments_created_idx").on(t.createdAt)],
);

export const taskStatuses = ["candidate", "validating", "valid", "invalid", "skipped"] as const;
export type TaskStatus = (typeof taskStatuses)[number];

/** SWE-bench task instance fields plus LegoFactory's own (DESIGN.md, "Formats"). */
export const taskInstances = pgTable(
  "task_instances",
  {
    instanceId: text("instance_id").primaryKey(),
    repo: text("repo").notNull(),
    kind: text("kind").$type<"real" | "synthetic">().notNull(),
    strategy: text("strategy"),
    language: text("language"),
    baseCommit: text("base_commit").notNull(),
    patch: text("patch").notNull().default(""),
    /** Synthetic tasks: the diff that introduces the bug at base_commit (`patch` is its reverse). */
    bugPatch: text("bug_patch"),
    testPatch: text("test_patch").notNull().default(""),
    problemStatement: text("problem_statement").notNull().default(""),
    hintsText: text("hints_text").notNull().default(""),
    taskCreatedAt: text("task_created_at"),
    version: text("version"),
    environmentSetupCommit: text("environment_setup_commit"),
    failToPass: jsonb("fail_to_pass").$type<string[]>().notNull().default([]),
    passToPass: jsonb("pass_to_pass").$type<string[]>().notNull().default([]),
    image: text("image"),
    install: jsonb("install").$type<string[]>(),
    testCmd: text("test_cmd"),
    difficulty: text("difficulty"),
    status: text("status").$type<TaskStatus>().notNull().default("candidate"),
    statusReason: text("status_reason"),
    pullNumber: integer("pull_number"),
    issueNumbers: jsonb("issue_numbers").$type<number[]>().notNull().default([]),
    environmentId: integer("environment_id").references(() => environments.id),
    /** Evidence: per-run test statuses, durations, container ids, sandbox checks. */
    evidence: jsonb("evidence").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("task_instances_repo_idx").on(t.repo),
    index("task_instances_status_idx").on(t.status),
    // The dashboard pages newest first, optionally by status or repository, over 100k+ rows.
    // instance_id last: the list's tie-breaker, so deep pages are skipped in the index alone.
    index("task_instances_created_idx").on(t.createdAt, t.instanceId),
    index("task_instances_status_created_idx").on(t.status, t.createdAt, t.instanceId),
    index("task_instances_repo_created_idx").on(t.repo, t.createdAt, t.instanceId),
  ],
);

export const fixAttempts = pgTable(
  "fix_attempts",
  {
    id: serial("id").primaryKey(),
    repo: text("repo").notNull(),
    issueNumber: integer("issue_number").notNull(),
    trigger: text("trigger").notNull(),
    requestedBy: text("requested_by"),
    k: integer("k").notNull(),
    status: text("status").notNull().default("queued"),
    statusReason: text("status_reason"),
    branch: text("branch"),
    pullNumber: integer("pull_number"),
    progressCommentId: bigint("progress_comment_id", { mode: "number" }),
    checkRunId: bigint("check_run_id", { mode: "number" }),
    chosenRolloutId: text("chosen_rollout_id"),
    installationId: bigint("installation_id", { mode: "number" }),
    /** The default-branch commit the rollouts started from. */
    baseSha: text("base_sha"),
    /** The commit LegoFactory last pushed to the PR branch: a different head means a human pushed. */
    headSha: text("head_sha"),
    /** The tests that passed at the base: a candidate that breaks one is dropped. */
    baseline: jsonb("baseline").$type<{ command: string; passed: string[]; collected?: string[] } | null>(),
    /** How the candidate was chosen: the mode, the reproduction tests and runs, every ranking step. */
    selection: jsonb("selection").$type<Record<string, unknown> | null>(),
    /** A follow-up on a LegoFactory PR: the PR, its head, the review feedback, the diff so far. */
    followUp: jsonb("follow_up").$type<Record<string, unknown> | null>(),
    prOpenedAt: timestamp("pr_opened_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("fix_attempts_issue_idx").on(t.repo, t.issueNumber), index("fix_attempts_created_idx").on(t.createdAt)],
);

export const rolloutOutcomes = ["resolved", "semi-resolved", "unresolved", "cheated", "infra-error"] as const;
export type RolloutOutcome = (typeof rolloutOutcomes)[number];

export const rollouts = pgTable(
  "rollouts",
  {
    id: text("id").primaryKey(),
    taskInstanceId: text("task_instance_id").references(() => taskInstances.instanceId),
    fixAttemptId: integer("fix_attempt_id").references(() => fixAttempts.id),
    index: integer("index").notNull(),
    model: text("model").notNull(),
    /** The registry version that produced it; null when the LEGO_POLICY_* settings did. */
    modelVersionId: integer("model_version_id"),
    status: text("status").notNull().default("queued"),
    outcome: text("outcome").$type<RolloutOutcome>(),
    outcomeReason: text("outcome_reason"),
    patch: text("patch"),
    verifierScore: doublePrecision("verifier_score"),
    verifierReasoning: text("verifier_reasoning"),
    /** Checks before ranking: tests edited, previously passing tests broken, drop reason, rank. */
    evaluation: jsonb("evaluation").$type<Record<string, unknown>>(),
    finishReason: text("finish_reason"),
    turns: integer("turns"),
    promptTokens: integer("prompt_tokens"),
    completionTokens: integer("completion_tokens"),
    costUsd: doublePrecision("cost_usd"),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index("rollouts_task_idx").on(t.taskInstanceId), index("rollouts_fix_idx").on(t.fixAttemptId), index("rollouts_created_idx").on(t.createdAt)],
);

export const trajectories = pgTable("trajectories", {
  rolloutId: text("rollout_id")
    .primaryKey()
    .references(() => rollouts.id, { onDelete: "cascade" }),
  /** OpenAI chat messages, as sent to and received from the model. */
  messages: jsonb("messages").notNull(),
  /** Per-step records: action, observation, exit code, error flag, duration, tokens. */
  steps: jsonb("steps").notNull(),
  createdAt: createdAt(),
});

export const outcomeSignals = [
  "approved",
  "changes_requested",
  "merged",
  "closed_unmerged",
  "reaction_up",
  "reaction_down",
] as const;
export type OutcomeSignal = (typeof outcomeSignals)[number];

/** Maintainer signals on a fix PR, linked to the chosen rollout and its siblings via the attempt. */
export const outcomes = pgTable(
  "outcomes",
  {
    id: serial("id").primaryKey(),
    fixAttemptId: integer("fix_attempt_id").references(() => fixAttempts.id),
    rolloutId: text("rollout_id").references(() => rollouts.id),
    signal: text("signal").$type<OutcomeSignal>().notNull(),
    /** The actor had write access when the signal was recorded; only these count as validation labels. */
    maintainer: boolean("maintainer").notNull().default(true),
    actor: text("actor"),
    body: text("body"),
    deliveryId: text("delivery_id"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("outcomes_delivery_signal_idx").on(t.deliveryId, t.signal), index("outcomes_attempt_idx").on(t.fixAttemptId)],
);

/**
 * Evaluation tasks that no training export may contain (decontamination). One row per matcher:
 * an instance id (with its repository and PR when the id names them), a gold-patch hash, or a
 * whole repository. `key` makes adding the same list twice a no-op.
 */
export const holdout = pgTable(
  "holdout",
  {
    key: text("key").primaryKey(),
    instanceId: text("instance_id"),
    repo: text("repo"),
    pullNumber: integer("pull_number"),
    patchHash: text("patch_hash"),
    wholeRepo: boolean("whole_repo").notNull().default(false),
    /** Where the entry came from: a file name or `--repo`. */
    source: text("source").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("holdout_repo_idx").on(t.repo)],
);

export const modelVersionStatuses = ["candidate", "promoted", "rejected", "retired"] as const;
export type ModelVersionStatus = (typeof modelVersionStatuses)[number];

/**
 * The model registry: one row per policy model LegoFactory may use, trained here or added by
 * hand. The user serves checkpoints (vLLM, SGLang); LegoFactory records where. Exactly one row is
 * `promoted` at a time (or none: the LEGO_POLICY_* settings are used then).
 */
export const modelVersions = pgTable("model_versions", {
  id: serial("id").primaryKey(),
  name: text("name").notNull().unique(),
  baseModel: text("base_model").notNull(),
  /** The checkpoint: a directory, `pvc://claim/path`, `s3://…`; empty for a model added by its endpoint alone. */
  uri: text("uri").notNull(),
  /** OpenAI-compatible endpoint serving it, including /v1; null until the user serves it. */
  endpoint: text("endpoint"),
  /** The model name at that endpoint (vLLM's --served-model-name); default the version's name. */
  servedModel: text("served_model"),
  /** The training run that produced it (no foreign key: training_runs points back here too). */
  trainingRunId: integer("training_run_id"),
  /** The export manifest it was trained on (task and rollout ids, hashes, counts). */
  manifest: jsonb("manifest").$type<Record<string, unknown>>(),
  status: text("status").$type<ModelVersionStatus>().notNull().default("candidate"),
  statusReason: text("status_reason"),
  /** The last gate's results: decision, both resolve rates, per-task pairs. */
  evaluation: jsonb("evaluation").$type<Record<string, unknown>>(),
  /** The version that was promoted when this one was promoted: `lego models rollback` goes back to it. */
  previousVersionId: integer("previous_version_id"),
  createdAt: createdAt(),
  promotedAt: timestamp("promoted_at", { withTimezone: true }),
});

export const trainingRunStatuses = ["exporting", "running", "succeeded", "failed", "cancelled"] as const;
export type TrainingRunStatus = (typeof trainingRunStatuses)[number];

export const trainingRuns = pgTable(
  "training_runs",
  {
    id: serial("id").primaryKey(),
    /** The launcher: `command` or `kubernetes`. */
    backend: text("backend").notNull(),
    status: text("status").notNull().default("pending"),
    statusReason: text("status_reason"),
    /** What started it: `cron`, `new-trajectories` or `manual`. */
    trigger: text("trigger"),
    /** `active` while the run exports or trains: a unique value, so two runs can never be active at once. */
    activeSlot: text("active_slot").unique(),
    datasetUri: text("dataset_uri"),
    /** The export manifest of the snapshot it trains on. */
    manifest: jsonb("manifest").$type<Record<string, unknown>>(),
    config: jsonb("config").$type<Record<string, unknown>>().notNull().default({}),
    /** Loss per step as the trainer reported it ({ loss: [{ step, loss }] }), tokens, throughput. */
    metrics: jsonb("metrics").$type<Record<string, unknown>>(),
    /** The launcher's handle: a process id or a Kubernetes Job name. */
    externalId: text("external_id"),
    checkpointUri: text("checkpoint_uri"),
    /** Where the whole log is kept, and its last lines (shown with a failure). */
    logUri: text("log_uri"),
    logTail: text("log_tail"),
    modelVersionId: integer("model_version_id").references(() => modelVersions.id),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index("training_runs_created_idx").on(t.createdAt)],
);
