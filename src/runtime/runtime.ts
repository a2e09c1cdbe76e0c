// The composition root shared by `lego serve`, `lego web` and `lego worker`: opens each real
// part once, checks it answers, and closes everything in reverse order.
import path from "node:path";
import type Docker from "dockerode";
import type { Probot } from "probot";
import type { Logger } from "pino";
import { type DatabaseHandle, migrate, openDatabase } from "../../db/client.js";
import { legoApp } from "../../handlers/index.js";
import { assertDockerAvailable, assertImageAvailable, createDocker } from "../../sandbox/docker.js";
import { sweepSandboxes } from "../../sandbox/reaper.js";
import type { Config } from "../config.js";
import { ConnectionErrors } from "../connection-errors.js";
import { createProbot } from "../github/probot.js";
import { assertRedisAvailable, Queues } from "../queue.js";
import { type ModelSource, modelSource } from "../fix/models.js";
import { Metrics } from "../metrics.js";
import { type TeacherSource, teacherSource } from "../trajgen/teacher.js";

export interface RuntimeNeeds {
  docker?: boolean;
  github?: boolean;
  /** Octokit retry/throttle plugins; off in tests. */
  githubRetries?: boolean;
}

export interface Runtime {
  config: Config;
  log: Logger;
  database: DatabaseHandle;
  queues: Queues;
  probot: Probot | undefined;
  docker: Docker | undefined;
  /** Policy and verifier endpoints, resolved per job from the registry and the settings. */
  models: ModelSource;
  /** The model that makes training trajectories on validated tasks, resolved per job (explicit teacher, else the promoted version, else LEGO_POLICY_*). */
  teachers: TeacherSource;
  /** The app's bot login (`<slug>[bot]`), for commits it makes. */
  botName: string | undefined;
  /** This process's Prometheus registry. */
  metrics: Metrics;
  close(): Promise<void>;
}

export async function openRuntime(config: Config, log: Logger, needs: RuntimeNeeds = {}): Promise<Runtime> {
  // Cheapest and most often missing first, so the first error is the one to fix.
  await assertRedisAvailable(config.REDIS_URL);
  let docker: Docker | undefined;
  if (needs.docker) {
    docker = createDocker(config.DOCKER_HOST ? { ...process.env, DOCKER_HOST: config.DOCKER_HOST } : process.env);
    await assertDockerAvailable(docker);
    await assertImageAvailable(docker, config.LEGO_BASE_IMAGE);
  }
  // Sandboxes left by a crashed worker on this host, or whose teardown failed while the engine
  // was away: removed at start and every SWEEP_EVERY_MS after.
  const sweep = docker ? sandboxSweeper(docker, log) : undefined;
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: path.join(config.LEGO_DATA_DIR, "db") });
  try {
    await migrate(database);
  } catch (err) {
    await database.close();
    throw err;
  }
  const queues = new Queues(config.REDIS_URL, config.LEGO_QUEUE_PREFIX, undefined, new ConnectionErrors(log.child({ component: "redis" })));
  const models = modelSource(config, database.db);
  const teachers = teacherSource(config, database.db);
  let probot: Probot | undefined;
  let botName: string | undefined;
  if (needs.github && config.hasAppCredentials) {
    probot = createProbot(config, log, { retries: needs.githubRetries ?? true });
    await probot.load(legoApp({ db: database.db, queues, fixEnabled: async () => (await models.resolve()) !== null }));
    botName = await probot
      .auth()
      .then((app) => app.rest.apps.getAuthenticated())
      .then(({ data }) => `${data?.slug ?? "legofactory"}[bot]`)
      .catch((err) => {
        log.warn({ err: (err as Error).message }, "could not read the app's slug; commits will be signed legofactory[bot]");
        return undefined;
      });
  }
  log.info({ database: database.kind, at: database.location }, "database ready");
  return {
    config,
    log,
    database,
    queues,
    probot,
    docker,
    models,
    teachers,
    botName,
    metrics: new Metrics(),
    async close() {
      if (sweep) clearInterval(sweep);
      await queues.close();
      await database.close();
    },
  };
}

const SWEEP_EVERY_MS = 10 * 60_000;

function sandboxSweeper(docker: Docker, log: Logger): NodeJS.Timeout {
  const run = () =>
    sweepSandboxes(docker)
      .then(({ removed, stillFailing }) => {
        if (removed > 0 || stillFailing.length > 0) log.warn({ removed, stillFailing }, "swept leftover sandbox containers");
      })
      .catch((err) => log.warn({ err: (err as Error).message }, "could not sweep leftover sandbox containers"));
  void run();
  const timer = setInterval(run, SWEEP_EVERY_MS);
  timer.unref();
  return timer;
}
