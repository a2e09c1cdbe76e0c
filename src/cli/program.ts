// `lego`: the command line. Every command validates configuration first and turns the errors
// users can act on (config, missing services) into one message and a meaningful exit code.
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { type Db, migrate, openDatabase } from "../../db/client.js";
import { listHoldout } from "../../db/training-data.js";
import { parseTierThresholds, type TierThresholds } from "../../training/curriculum.js";
import { parseOverride } from "../../training/llamafactory.js";
import { MASK_MODES, type MaskMode } from "../../training/masking.js";
import { type Config, loadConfig, logLevels } from "../config.js";
import { createLogger } from "../logger.js";
import { openBatch } from "./batch.js";
import { removeContainersOnStop } from "./stop.js";
import { evalCommand } from "./commands/eval.js";
import { exportTasks } from "./commands/export.js";
import { exportSftCommand, exportVerifierCommand, type SourceFlags, UsageError } from "./commands/export-training.js";
import { holdoutAddFile, holdoutAddRepo, type HoldoutReport } from "./commands/holdout.js";
import { harvestCommand } from "./commands/harvest.js";
import { gateCommand } from "./commands/gate.js";
import { parseStrategies, synthCommand } from "./commands/synth.js";
import { modelsAdd, modelsList, modelsPromote, modelsRollback } from "./commands/models.js";
import { rolloutCommand } from "./commands/rollout.js";
import { validateCommand } from "./commands/validate.js";
import { serve } from "../runtime/start.js";

/**
 * Exit codes: 0 ok, 1 unexpected failure, 2 bad configuration or usage, 3 a required service is
 * unavailable, 4 the work ran but did not succeed (no valid task, an invalid task, an evaluation
 * that could not be run).
 */
export const EXIT = { ok: 0, failure: 1, config: 2, unavailable: 3, incomplete: 4 } as const;

const serviceErrorCodes = new Set(["database_unavailable", "redis_unavailable", "docker_unavailable", "image_missing"]);

export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.config;
  const code = (err as { code?: string }).code;
  if (code === "config_invalid" || code === "export_dir_not_empty" || code === "gate_invalid" || code === "bad_location") return EXIT.config;
  if (code && serviceErrorCodes.has(code)) return EXIT.unavailable;
  return EXIT.failure;
}

interface CommonFlags {
  port?: string;
  host?: string;
  logLevel?: string;
  databaseUrl?: string;
  redisUrl?: string;
  dataDir?: string;
}

function withCommon(cmd: Command): Command {
  return cmd
    .addOption(new Option("--log-level <level>", "log level (LOG_LEVEL)").choices(logLevels))
    .option("--database-url <url>", "PostgreSQL URL (DATABASE_URL); default: embedded PGlite under the data dir")
    .option("--redis-url <url>", "Redis URL (REDIS_URL)")
    .option("--data-dir <dir>", "state directory (LEGO_DATA_DIR)");
}

function withHttp(cmd: Command): Command {
  return cmd.option("-p, --port <port>", "HTTP port (PORT)").option("--host <host>", "interface to bind (HOST)");
}

function configFrom(flags: CommonFlags): Config {
  return loadConfig(process.env, {
    PORT: flags.port,
    HOST: flags.host,
    LOG_LEVEL: flags.logLevel,
    DATABASE_URL: flags.databaseUrl,
    REDIS_URL: flags.redisUrl,
    LEGO_DATA_DIR: flags.dataDir,
  });
}

const print = (line: string) => {
  if (line) process.stdout.write(`${line}\n`);
};
const printErr = (line: string) => process.stderr.write(`${line}\n`);

function int(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a whole number");
  return n;
}

function positive(v: string): number {
  const n = int(v);
  if (n < 1) throw new InvalidArgumentError("expected a whole number of at least 1");
  return n;
}

function strategyList(v: string): ReturnType<typeof parseStrategies> {
  try {
    return parseStrategies(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function date(v: string): Date {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError("expected a date such as 2024-01-31");
  return d;
}

function tiers(v: string): TierThresholds {
  const t = parseTierThresholds(v);
  if (!t) throw new InvalidArgumentError("expected two increasing turn counts, e.g. 50,70 (easy up to 50, medium up to 70, hard above)");
  return t;
}

function override(v: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const o = parseOverride(v);
  if (!o) throw new InvalidArgumentError("expected KEY=VALUE with a YAML value, e.g. learning_rate=2e-5");
  return { ...previous, [o.key]: o.value };
}

/** Opens and migrates the database for a command that only reads and writes rows. */
async function withDb(flags: CommonFlags, body: (db: Db) => Promise<number>): Promise<void> {
  const config = configFrom(flags);
  const handle = await openDatabase({ url: config.DATABASE_URL, dataDir: path.join(config.LEGO_DATA_DIR, "db") });
  try {
    await migrate(handle);
    process.exitCode = await body(handle.db);
  } finally {
    await handle.close();
  }
}

function withExportSource(cmd: Command): Command {
  return cmd
    .option("--from <traj.jsonl>", "read trajectories from this file (lego rollout --out) instead of the database")
    .option("--tasks <tasks.jsonl>", "with --from: the task instances (lego validate --json)")
    .option("--repo <owner/name>", "only this repository (database only)")
    .option("--since <date>", "only rollouts made since (database only)", date)
    .option("--until <date>", "only rollouts made until (database only)", date)
    .option("--batch-size <n>", "tasks read per database query", int, 100)
    .option("--name <name>", "dataset name: the files' and dataset_info's prefix")
    .option("--base-model <name>", "the model to fine-tune; 8B-class gets learning rate 1e-4, 32B-class 5e-5", "Qwen/Qwen3-8B")
    .option("--set <key=value>", "override a training YAML value (repeatable)", override, {})
    .addOption(new Option("--file-format <format>", "JSON lines or one JSON array").choices(["jsonl", "json"]).default("jsonl"))
    .option("--json", "print the manifest as JSON");
}

/** Runs a batch command and exits with its code; progress and logs go to stderr. */
async function withBatch(flags: CommonFlags, body: (batch: Awaited<ReturnType<typeof openBatch>>) => Promise<number>): Promise<void> {
  // Batch commands are quiet unless asked: their output is the result, not the log.
  const config = configFrom({ ...flags, logLevel: flags.logLevel ?? (process.env.LOG_LEVEL ? undefined : "warn") });
  const log = createLogger(config.LOG_LEVEL, "lego", true);
  const batch = await openBatch(config, log, { json: Boolean((flags as { json?: boolean }).json) });
  const stop = removeContainersOnStop(batch.docker, log, () => batch.close());
  let code: number;
  try {
    code = await body(batch);
  } catch (err) {
    if (stop.stopping) return stop.untilExit();
    throw err;
  } finally {
    if (!stop.stopping) {
      stop.dispose();
      await batch.close();
    }
  }
  if (stop.stopping) return stop.untilExit();
  process.exitCode = code;
}

/** After LEGO_SHUTDOWN_TIMEOUT_SEC the active jobs are released; closing connections gets this long more. */
const SHUTDOWN_GRACE_MS = 5_000;

async function runService(flags: CommonFlags, roles: { web: boolean; worker: boolean }): Promise<void> {
  const config = configFrom(flags);
  const log = createLogger(config.LOG_LEVEL);
  // The handlers are in place before start-up ends, so a signal during start-up (schedulers still
  // being registered) stops the service gracefully once it has started, instead of killing it.
  const starting = serve(config, log, roles);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      // An operator who signals twice wants the process gone: active jobs stall and are retried.
      log.warn({ signal }, "second signal: exiting now; active jobs will be retried by another worker");
      process.exit(EXIT.failure);
    }
    stopping = true;
    log.info({ signal }, "shutting down: no new jobs, finishing active ones");
    // A job stuck in a call that never returns can keep a close from resolving: after the
    // deadline and a grace period the process exits whatever is still pending.
    const deadlineMs = config.LEGO_SHUTDOWN_TIMEOUT_SEC * 1000 + SHUTDOWN_GRACE_MS;
    setTimeout(() => {
      log.error({ deadlineMs }, "shutdown did not complete in time; exiting with work released to be retried");
      process.exit(EXIT.failure);
    }, deadlineMs).unref();
    starting.then((running) => running.stop()).then(
      () => process.exit(EXIT.ok),
      (err) => {
        log.error({ err }, "unclean shutdown");
        process.exit(EXIT.failure);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  await starting;
}

export function buildCli(): Command {
  const program = new Command("lego")
    .description("LegoFactory: verified training data and candidate fixes from a project's own history and issues.")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ outputError: (s, write) => write(s) })
    .exitOverride();

  withCommon(withHttp(program.command("serve").description("run the web server and the workers in one process (the main job)"))).action(
    (flags: CommonFlags) => runService(flags, { web: true, worker: true }),
  );
  withCommon(withHttp(program.command("web").description("run only the web server: health, webhook intake, app registration"))).action(
    (flags: CommonFlags) => runService(flags, { web: true, worker: false }),
  );
  withCommon(program.command("worker").description("run only the queue workers (webhook handlers, harvest)")).action((flags: CommonFlags) =>
    runService(flags, { web: false, worker: true }),
  );

  withCommon(
    program
      .command("harvest")
      .description("harvest task instances from merged pull requests in a local clone, a git URL or owner/name on GitHub (through the app's installation), and validate them")
      .argument("<path-or-git-url>", "repository to read (history is cloned, never modified); owner/name that is no local path: the repository on GitHub, read through the API with APP_ID and PRIVATE_KEY")
      .option("--pr <number>", "only this pull request", int)
      .option("--since <date>", "only PRs merged since this date (YYYY-MM-DD)", date)
      .option("--limit <n>", "at most this many PRs scanned, newest first", int)
      .option("--max-tasks <n>", "stop after this many valid tasks (PRs with no test change are skipped before any clone or build)", int)
      .option("--issue-text <file>", "problem statement from this file instead of the PR message")
      .option("--no-validate", "stop at candidates: no environment build or test runs")
      .option("--json", "write task instances as JSON lines on stdout"),
  ).action(async (location: string, flags: CommonFlags & { pr?: number; since?: Date; limit?: number; maxTasks?: number; issueText?: string; validate: boolean; json?: boolean }) => {
    await withBatch(flags, async (batch) => {
      const rows = await harvestCommand(batch, location, { ...flags, json: Boolean(flags.json) }, print, printErr);
      return rows.some((r) => r.status === "valid") || (!flags.validate && rows.some((r) => r.status === "candidate")) ? EXIT.ok : EXIT.incomplete;
    });
  });

  withCommon(
    program
      .command("synth")
      .description("inject bugs into a repository's sandbox at HEAD and keep those its tests catch as synthetic tasks")
      .argument("<path-or-git-url>", "repository to read (cloned, never modified)")
      .option("--strategies <list>", "comma-separated: ast, llm-modify, llm-rewrite, combine", strategyList, ["ast", "combine"])
      .option("--max <n>", "valid synthetic tasks wanted", int, 10)
      .option("--max-candidates <n>", "candidates validated per strategy at most", int, 50)
      .option("--group <n>", "surviving bugs confirmed together by one full-suite run at most (covering tests disjoint; split in halves when the run cannot be read per bug); 1: one run each", positive, 16)
      .option("--seed <n>", "seed for the choice of targets and mutation sites", int, 1)
      .option("--runs <n>", "full-suite runs of the clean tree and of each surviving bug (flaky tests dropped)", int, 2)
      .addOption(new Option("--validation <mode>", "coverage: covering tests first, full suite for survivors; full: every candidate on the full suite").choices(["coverage", "full"]).default("coverage"))
      .option("--json", "write the valid synthetic tasks as JSON lines on stdout"),
  ).action(async (location: string, flags: CommonFlags & { strategies: ReturnType<typeof parseStrategies>; max: number; maxCandidates: number; group: number; seed: number; runs: number; validation: "coverage" | "full"; json?: boolean }) => {
    await withBatch(flags, async (batch) => {
      const report = await synthCommand(batch, location, { ...flags, json: Boolean(flags.json) }, print, printErr);
      return report.outcomes.some((o) => o.row.status === "valid") ? EXIT.ok : EXIT.incomplete;
    });
  });

  withCommon(
    program
      .command("validate")
      .description("validate SWE-bench task instances: NOP and Oracle runs give FAIL_TO_PASS and PASS_TO_PASS")
      .argument("<tasks.jsonl>", "task instances, one JSON object per line")
      .option("--repo <path-or-url>", "where the tasks' repository is (default: clone https://github.com/<repo>)")
      .option("--runs <n>", "runs of each state; tests whose status varies are dropped as flaky", int, 2)
      .addOption(new Option("--scope <scope>", "tests to run").choices(["touched", "all"]).default("touched"))
      .option("--json", "write the validated instances as JSON lines on stdout"),
  ).action(async (file: string, flags: CommonFlags & { repo?: string; runs: number; scope: "touched" | "all"; json?: boolean }) => {
    await withBatch(flags, async (batch) => {
      const r = await validateCommand(batch, file, { ...flags, json: Boolean(flags.json) }, print, printErr);
      return r.total > 0 && r.valid === r.total ? EXIT.ok : EXIT.incomplete;
    });
  });

  withCommon(
    program
      .command("eval")
      .description("evaluate SWE-bench predictions (model patches) on validated tasks; a per-instance resolved report")
      .argument("<tasks.jsonl>", "validated task instances")
      .argument("<predictions.jsonl>", "instance_id, model_name_or_path, model_patch per line")
      .option("--repo <path-or-url>", "where the tasks' repository is (default: clone https://github.com/<repo>)")
      .addOption(new Option("--scope <scope>", "tests to run").choices(["touched", "all"]).default("touched"))
      .option("--json", "write one report per prediction as JSON lines on stdout")
      .option("--report-file <path>", "the SWE-bench-style report.json (resolved / unresolved / error ids); default beside the predictions file"),
  ).action(async (tasks: string, predictions: string, flags: CommonFlags & { repo?: string; scope: "touched" | "all"; json?: boolean; reportFile?: string }) => {
    await withBatch(flags, async (batch) => {
      const r = await evalCommand(batch, tasks, predictions, { ...flags, json: Boolean(flags.json) }, print, printErr);
      return r.invalid === 0 ? EXIT.ok : EXIT.incomplete;
    });
  });

  withCommon(
    program
      .command("rollout")
      .description("run the agent k times on validated tasks and grade each trajectory with the task's tests")
      .argument("<tasks.jsonl>", "validated task instances")
      .requiredOption("--model <url>", "OpenAI-compatible endpoint, including /v1")
      .option("--model-name <name>", "model name at that endpoint", process.env.LEGO_POLICY_MODEL ?? "SWE-Lego-Qwen3-8B")
      .option("--api-key <key>", "API key for the endpoint (default LEGO_POLICY_API_KEY)", process.env.LEGO_POLICY_API_KEY)
      .addOption(new Option("--mode <mode>", "native tool calls or the OpenHands text action format").choices(["tools", "text"]).default("tools"))
      .option("-k <n>", "rollouts per task", int, 1)
      .option("--max-turns <n>", "assistant turns per rollout", int, 100)
      .option("--parallel <n>", "rollouts at once", int, 2)
      .option("--repo <path-or-url>", "where the tasks' repository is (default: clone https://github.com/<repo>)")
      .option("--json", "write trajectories as JSON lines on stdout")
      .option("--out <file>", "write trajectories as JSON lines to this file")
      .option("--store", "also keep each graded rollout and its trajectory in the database, as the trajgen service does"),
  ).action(async (file: string, flags: CommonFlags & { model: string; modelName: string; apiKey?: string; mode: "tools" | "text"; k: number; maxTurns: number; parallel: number; repo?: string; json?: boolean; out?: string; store?: boolean }) => {
    await withBatch(flags, async (batch) => {
      const r = await rolloutCommand(batch, file, { ...flags, parallel: Math.max(1, flags.parallel), json: Boolean(flags.json) }, print, printErr);
      return r.total > 0 && !r.counts["infra-error"] ? EXIT.ok : EXIT.incomplete;
    });
  });

  const exp = program.command("export").description("export stored data");
  withCommon(
    exp
      .command("tasks")
      .description("task instances as JSON lines")
      .addOption(new Option("--format <format>", "output format").choices(["swebench"]).default("swebench"))
      .addOption(new Option("--status <status>", "which tasks").choices(["valid", "invalid", "skipped", "candidate", "all"]).default("valid"))
      .option("--repo <owner/name>", "only this repository")
      .option("--out <file>", "write to this file instead of stdout"),
  ).action(async (flags: CommonFlags & { status: "valid" | "all"; repo?: string; out?: string }) => {
    const config = configFrom(flags);
    const handle = await openDatabase({ url: config.DATABASE_URL, dataDir: path.join(config.LEGO_DATA_DIR, "db") });
    try {
      await migrate(handle);
      const lines: string[] = [];
      const n = await exportTasks(handle.db, { status: flags.status, ...(flags.repo ? { repo: flags.repo } : {}) }, (l) => lines.push(l));
      if (flags.out) {
        writeFileSync(flags.out, lines.map((l) => `${l}\n`).join(""));
        printErr(`wrote ${n} task instance(s) to ${flags.out}`);
      } else for (const l of lines) print(l);
    } finally {
      await handle.close();
    }
  });

  withCommon(
    withExportSource(
      exp
        .command("sft")
        .description("SFT trajectories for LLaMA-Factory (sharegpt, turn_mask, curriculum stages) or OpenAI fine-tuning (weight)")
        .requiredOption("--out <dir>", "a new (or empty) directory")
        .addOption(new Option("--format <format>", "output format").choices(["llamafactory", "openai"]).default("llamafactory"))
        .addOption(new Option("--mask <mode>", "error masking: failed actions, also failing commands, or nothing").choices([...MASK_MODES]).default("tool-errors"))
        .addOption(new Option("--include <outcome>", "also include semi-resolved trajectories").choices(["semi-resolved"]))
        .option("--per-task <n>", "trajectories per task, the shortest resolved first", int, 1)
        .option("--cutoff-len <tokens>", "drop a trajectory longer than this (estimated tokens)", int, 131072)
        .option("--tiers <easy,medium>", "most assistant turns of an easy and of a medium trajectory", tiers, { easy: 50, medium: 70 })
        .option("--no-in-context-example", "leave OpenHands' worked example out of the first user message"),
    ),
  ).action(async (flags: CommonFlags & SourceFlags & { out: string; format: "llamafactory" | "openai"; mask: MaskMode; include?: "semi-resolved"; perTask: number; cutoffLen: number; tiers: TierThresholds; name?: string; baseModel: string; set: Record<string, unknown>; fileFormat: "jsonl" | "json"; inContextExample: boolean; json?: boolean }) => {
    await withDb(flags, async (db) => {
      const include = flags.include ? (["resolved", flags.include] as const) : (["resolved"] as const);
      const r = await exportSftCommand(db, { ...flags, include: [...include], json: Boolean(flags.json) }, print, printErr);
      return r.code === 0 ? EXIT.ok : EXIT.incomplete;
    });
  });
  withCommon(
    withExportSource(
      exp
        .command("verifier")
        .description("verifier judgements (SWE-Lego judge format) labelled by tests or maintainers, balanced per task")
        .requiredOption("--out <dir>", "a new (or empty) directory")
        .option("--no-balance", "keep every labelled trajectory instead of as many YES as NO per task"),
    ),
  ).action(async (flags: CommonFlags & SourceFlags & { out: string; balance: boolean; name?: string; baseModel: string; set: Record<string, unknown>; fileFormat: "jsonl" | "json"; json?: boolean }) => {
    await withDb(flags, async (db) => {
      const r = await exportVerifierCommand(db, { ...flags, json: Boolean(flags.json) }, print, printErr);
      return r.code === 0 ? EXIT.ok : EXIT.incomplete;
    });
  });

  const holdout = program.command("holdout").description("the held-out evaluation set that no training export may contain");
  withCommon(
    holdout
      .command("add")
      .description("hold out tasks by instance id (a file of ids; a SWE-bench id list works) or a whole repository")
      .argument("[file]", "instance ids: one a line, JSON lines with instance_id, or a JSON array")
      .option("--repo <owner/name>", "hold out every task of this repository")
      .option("--json", "print the report as JSON"),
  ).action(async (file: string | undefined, flags: CommonFlags & { repo?: string; json?: boolean }) => {
    if (!file === !flags.repo) throw new UsageError("lego holdout add takes either a file of instance ids or --repo OWNER/NAME.");
    await withDb(flags, async (db) => {
      const report: HoldoutReport = file ? await holdoutAddFile(db, file) : await holdoutAddRepo(db, flags.repo as string);
      for (const r of report.rejected) printErr(`${r.id}: not held out: ${r.reason}`);
      for (const id of report.unknownTask) printErr(`${id}: LegoFactory has no such task; held out by its id and repository + PR`);
      print(flags.json ? JSON.stringify(report) : `${report.added} new held-out entr${report.added === 1 ? "y" : "ies"} (${report.entries - report.added} already there)${report.rejected.length ? `; ${report.rejected.length} rejected` : ""}`);
      return report.rejected.length > 0 ? EXIT.incomplete : EXIT.ok;
    });
  });
  withCommon(holdout.command("list").description("the held-out entries").option("--json", "one JSON line per entry")).action(async (flags: CommonFlags & { json?: boolean }) => {
    await withDb(flags, async (db) => {
      for (const row of await listHoldout(db)) print(flags.json ? JSON.stringify(row) : `${row.key.padEnd(48)} ${row.source}`);
      return EXIT.ok;
    });
  });

  const models = program.command("models").description("the model registry: versions, the promoted one, rollback");
  withCommon(models.command("list").description("every model version with its status, endpoint and gate result").option("--json", "one JSON line per version")).action(
    async (flags: CommonFlags & { json?: boolean }) => withDb(flags, (db) => modelsList(db, Boolean(flags.json), print)),
  );
  withCommon(
    models
      .command("add")
      .description("record a served model (vLLM, SGLang, any OpenAI-compatible endpoint) as a candidate, or the endpoint of a trained one")
      .argument("<name>", "the version's name")
      .requiredOption("--endpoint <url>", "OpenAI-compatible base URL, including /v1")
      .option("--model-name <name>", "the model's name at that endpoint (default: the version's name)")
      .option("--base <model>", "the base model it was trained from"),
  ).action(async (name: string, flags: CommonFlags & { endpoint: string; modelName?: string; base?: string }) => withDb(flags, (db) => modelsAdd(db, name, flags, print)));
  withCommon(models.command("promote").description("make a version the policy model of the next fixes and trajectories").argument("<name>", "the version's name")).action(
    async (name: string, flags: CommonFlags) => withDb(flags, (db) => modelsPromote(db, name, print, printErr)),
  );
  withCommon(models.command("rollback").description("go back to the version promoted before the current one")).action(async (flags: CommonFlags) =>
    withDb(flags, (db) => modelsRollback(db, print, printErr)),
  );

  withCommon(
    program
      .command("gate")
      .description("evaluate a candidate model against the current one on held-out tasks; promote it only when it is better by a margin")
      .argument("<candidate>", "the candidate's registry name (it needs an endpoint)")
      .requiredOption("--tasks <tasks.jsonl>", "held-out validated task instances")
      .option("--against <name>", "the version to beat (default: the promoted one, or LEGO_POLICY_*)")
      .option("--repo <path-or-url>", "where the tasks' repository is (default: clone https://github.com/<repo>)")
      .option("-k <n>", "rollouts per task and model", int, 1)
      .option("--margin <points>", "resolve-rate points the candidate must gain", (v) => {
        const n = Number(v);
        if (!Number.isFinite(n) || n < 0 || n > 100) throw new InvalidArgumentError("expected points between 0 and 100");
        return n;
      }, 2)
      .option("--min-tasks <n>", "tasks with evidence from both models needed for a decision", int, 20)
      .option("--parallel <n>", "rollouts at once", int, 2)
      .option("--max-turns <n>", "assistant turns per rollout", int, 100)
      .addOption(new Option("--mode <mode>", "native tool calls or the OpenHands text action format").choices(["tools", "text"]).default("tools"))
      .option("--dry-run", "report the decision; record and promote nothing")
      .option("--json", "print the report as JSON"),
  ).action(async (candidate: string, flags: CommonFlags & { tasks: string; against?: string; repo?: string; k: number; margin: number; minTasks: number; parallel: number; maxTurns: number; mode: "tools" | "text"; dryRun?: boolean; json?: boolean }) => {
    if (flags.k < 1) throw new UsageError("-k must be at least 1");
    await withBatch(flags, async (batch) => {
      const report = await gateCommand(batch, candidate, { ...flags, json: Boolean(flags.json), dryRun: Boolean(flags.dryRun) }, print, printErr);
      return report.decision === "promote" ? EXIT.ok : EXIT.incomplete;
    });
  });

  const db = program.command("db").description("database maintenance");
  withCommon(db.command("migrate").description("apply the committed migrations (PostgreSQL or the embedded database)")).action(
    async (flags: CommonFlags) => {
      const config = configFrom(flags);
      const handle = await openDatabase({ url: config.DATABASE_URL, dataDir: path.join(config.LEGO_DATA_DIR, "db") });
      try {
        await migrate(handle);
        process.stdout.write(`migrations applied to ${handle.kind} at ${handle.location}\n`);
      } finally {
        await handle.close();
      }
    },
  );
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // Probot's convention: credentials may live in .env in the working directory.
  if (existsSync(".env")) process.loadEnvFile(".env");
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    const code = exitCodeFor(err);
    // Commander has already printed its own usage message (or the help).
    if (err instanceof CommanderError) process.exit(code);
    process.stderr.write(`lego: ${(err as Error).message}\n`);
    if (code === EXIT.failure && process.env.LOG_LEVEL === "debug") process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(code);
  }
}

