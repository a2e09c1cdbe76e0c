// One-machine batch work from the CLI: the same processors as the workers, run in-process with
// no queue, against the database (embedded by default) and the Docker engine.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import cliProgress from "cli-progress";
import type Docker from "dockerode";
import type { Logger } from "pino";
import { type DatabaseHandle, migrate, openDatabase } from "../../db/client.js";
import { assertDockerAvailable, assertImageAvailable, createDocker } from "../../sandbox/docker.js";
import type { SandboxLimits } from "../../sandbox/limits.js";
import { cacheDirOf, type Config, pipIndexOf, sandboxLimitsOf } from "../config.js";
import type { EnvironmentDeps } from "../environment/ensure.js";
import { git } from "../git.js";
import { githubWebUrl } from "../web/server.js";

export interface Batch {
  config: Config;
  log: Logger;
  database: DatabaseHandle;
  docker: Docker;
  limits: Partial<SandboxLimits>;
  scratch: string;
  envDeps: EnvironmentDeps;
  /** A clone per repository (a local path, a URL, or owner/name on GitHub), made once. */
  cloneOf(repo: string, location?: string): Promise<string>;
  progress(total: number, label: string): { tick(detail: string): void; stop(): void };
  close(): Promise<void>;
}

export async function openBatch(config: Config, log: Logger, opts: { json: boolean }): Promise<Batch> {
  const docker = createDocker(config.DOCKER_HOST ? { ...process.env, DOCKER_HOST: config.DOCKER_HOST } : process.env);
  await assertDockerAvailable(docker);
  await assertImageAvailable(docker, config.LEGO_BASE_IMAGE);
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: path.join(config.LEGO_DATA_DIR, "db") });
  await migrate(database);
  const work = path.resolve(config.LEGO_DATA_DIR, "work");
  await mkdir(work, { recursive: true });
  const scratch = await mkdtemp(path.join(work, "cli-"));
  const limits = sandboxLimitsOf(config);
  const clones = new Map<string, Promise<string>>();
  const interactive = !opts.json && process.stderr.isTTY;
  return {
    config,
    log,
    database,
    docker,
    limits,
    scratch,
    envDeps: {
      db: database.db,
      docker,
      baseImage: config.LEGO_BASE_IMAGE,
      dataDir: scratch,
      cacheDir: cacheDirOf(config),
      buildTimeoutMs: config.LEGO_SANDBOX_TIMEOUT_SEC * 1000,
      limits,
      pipIndexUrl: pipIndexOf(config),
      log,
    },
    cloneOf(repo, location) {
      const key = location ?? repo;
      let p = clones.get(key);
      if (!p) {
        const dest = path.join(scratch, `clone-${clones.size}`);
        const from = location ?? `${githubWebUrl(config)}/${repo}.git`;
        p = git(process.cwd(), ["clone", "--quiet", "--no-checkout", from, dest]).then(() => dest);
        clones.set(key, p);
      }
      return p;
    },
    progress(total, label) {
      if (!interactive) return { tick: () => {}, stop: () => {} };
      const bar = new cliProgress.SingleBar(
        { format: `${label} [{bar}] {value}/{total} {detail}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { detail: "" });
      return { tick: (detail) => bar.increment(1, { detail }), stop: () => bar.stop() };
    },
    async close() {
      await rm(scratch, { recursive: true, force: true });
      await database.close();
    },
  };
}
