// The `training` and `training-check` workers on the real PostgreSQL and Redis, with the command
// launcher running the CPU trainer: a run exports, trains, records its loss curve, log and
// checkpoint and registers a candidate; never two at once; an empty export, a failing command
// and a transient failure each end as a recorded, explained run.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, migrate, openDatabase } from "../../db/client.js";
import { listModelVersions } from "../../db/model-versions.js";
import { listTrainingRuns } from "../../db/training-runs.js";
import { Queues } from "../../src/queue.js";
import { CommandLauncher } from "../../training/launchers/command.js";
import { LaunchError, type Launcher } from "../../training/launchers/types.js";
import { processTrainingCheck } from "../../workers/training-check.js";
import { processTraining, TransientTrainingError } from "../../workers/training.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { TEST_REDIS_URL } from "../support/services.js";
import { uniquePrefix } from "../support/test-config.js";
import { storeTinyTrajectory, TINY_DB_TRAIN_COMMAND as TINY_TRAIN_COMMAND } from "../support/tiny-export.js";

const work = mkdtempSync(path.join(os.tmpdir(), "lego-training-worker-"));
const log = pino({ level: "silent" });
let temp: TempDatabase;
let database: DatabaseHandle;
let queues: Queues;

const launcher = (template: string) => new CommandLauncher({ template, cwd: path.resolve("training/python"), timeoutMs: 120_000, logDir: path.join(work, "logs") });
const deps = (l: Launcher) => ({ db: database.db, launcher: l, trainDir: work, baseModel: "tiny", pollMs: 500, inContextExample: false, log });

beforeAll(async () => {
  temp = await createTempDatabase();
  database = await openDatabase({ url: temp.url, dataDir: work });
  await migrate(database);
  queues = new Queues(TEST_REDIS_URL, uniquePrefix());
});

afterAll(async () => {
  await queues?.close();
  await database?.close();
  await temp?.drop();
  rmSync(work, { recursive: true, force: true });
});

describe("training runs", () => {
  it("an empty export is a failed run that says what to do", async () => {
    const r = await processTraining({ trigger: "manual" }, deps(launcher(TINY_TRAIN_COMMAND)));
    expect(r).toMatchObject({ status: "failed", reason: expect.stringContaining("the export is empty") });
    const [run] = await listTrainingRuns(database.db);
    expect(run).toMatchObject({ status: "failed", activeSlot: null });
    expect(run?.statusReason).toContain("Next: LegoFactory needs resolved trajectories outside the held-out set");
  });

  it("queues a run once enough new trajectories exist, then trains, records and registers a candidate", async () => {
    const check = () => processTrainingCheck({ db: database.db, queues, minNew: 3, gate: false, log });
    for (let i = 0; i < 2; i++) await storeTinyTrajectory(database.db, i);
    expect(await check()).toMatchObject({ newTrajectories: 2, training: false });
    await storeTinyTrajectory(database.db, 2);
    expect(await check()).toMatchObject({ newTrajectories: 3, training: true });
    const waiting = await queues.get("training").getJobs(["waiting"]);
    expect(waiting.map((j) => j.data)).toEqual([{ trigger: "new-trajectories" }]);

    // Never two at once: a second run while one holds the active slot is skipped.
    const slow = launcher(`sleep 2; ${TINY_TRAIN_COMMAND}`);
    const [first, second] = await Promise.all([processTraining({ trigger: "new-trajectories" }, deps(slow)), new Promise((r) => setTimeout(r, 300)).then(() => processTraining({ trigger: "cron" }, deps(slow)))]);
    expect(second).toMatchObject({ status: "skipped", reason: expect.stringMatching(/^training run \d+ is already (exporting|running); never two at once$/) });
    expect(first).toMatchObject({ status: "succeeded", modelVersion: expect.stringMatching(/^lego-run-\d+$/) });
    const run = (await listTrainingRuns(database.db)).find((r) => r.status === "succeeded");
    expect(run).toMatchObject({ backend: "command", trigger: "new-trajectories", activeSlot: null, externalId: expect.stringMatching(/^pid-/) });
    expect((run?.metrics as { loss: { step: number; loss: number }[] }).loss.map((p) => p.step)).toEqual([1]);
    expect(run?.checkpointUri).toBe(path.join(work, "runs", `run-${run?.id}`, "output", "stages", "easy"));
    expect((run?.manifest as { counts: { records: number } }).counts.records).toBe(3);
    expect(readFileSync(run?.logUri as string, "utf8")).toContain("[lego_train] succeeded");
    const [version] = await listModelVersions(database.db);
    expect(version).toMatchObject({ name: `lego-run-${run?.id}`, status: "candidate", endpoint: null, uri: run?.checkpointUri, trainingRunId: run?.id, baseModel: "tiny" });
    expect(version?.manifest).toMatchObject({ counts: { records: 3 } });
    // The new trajectories were counted into that run: no new run is due.
    expect(await check()).toMatchObject({ newTrajectories: 0, training: false });
  }, 180_000);

  it("a failing command is recorded with its log tail; a transient failure is retried", async () => {
    const r = await processTraining({ trigger: "manual" }, deps(launcher("echo preparing; echo 'CUDA out of memory' >&2; exit 3")));
    expect(r).toMatchObject({ status: "failed", reason: "the command exited with 3" });
    const [run] = await listTrainingRuns(database.db, 1);
    expect(run?.statusReason).toBe("the command exited with 3. Next: read the log tail; fix the cause and the next scheduled run retries.");
    expect(run?.logTail).toContain("CUDA out of memory");

    const refusing: Launcher = Object.assign(launcher("true"), { submit: async () => Promise.reject(new LaunchError("the Kubernetes API could not be reached", true)) });
    await expect(processTraining({ trigger: "manual" }, deps(refusing))).rejects.toBeInstanceOf(TransientTrainingError);
    const [again] = await listTrainingRuns(database.db, 1);
    expect(again).toMatchObject({ status: "failed", activeSlot: null, statusReason: "the launcher could not start the run: the Kubernetes API could not be reached. Next: it is retried." });
    expect((await listModelVersions(database.db)).length).toBe(1);
  }, 120_000);

  it("a run whose worker died is abandoned after the time-out, so the next one can start", async () => {
    const { startTrainingRun } = await import("../../db/training-runs.js");
    const lost = await startTrainingRun(database.db, { backend: "command", trigger: "cron", config: {} });
    expect(lost.started).toBe(true);
    expect((await startTrainingRun(database.db, { backend: "command", trigger: "cron", config: {}, staleAfterMs: 60_000 })).started).toBe(false);
    await new Promise((r) => setTimeout(r, 50));
    const next = await startTrainingRun(database.db, { backend: "command", trigger: "cron", config: {}, staleAfterMs: 10 });
    expect(next.started).toBe(true);
    const old = (await listTrainingRuns(database.db)).find((r) => r.id === lost.run.id);
    expect(old).toMatchObject({ status: "failed", activeSlot: null });
    expect(old?.statusReason).toMatch(/^abandoned: it held the active slot past the training time-out/);
  });
});
