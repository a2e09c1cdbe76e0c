// Queue `gate`: the evaluation gate the service runs on its own once a trained candidate is
// served (its endpoint recorded): the held-out tasks of LEGO_GATE_TASKS, both models through the
// same rollout harness, and the registry updated by the decision. An error leaves the promoted
// model as it is.
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { UnrecoverableError } from "bullmq";
import type { Config } from "../src/config.js";
import { getModelVersionById, recordEvaluation } from "../db/model-versions.js";
import type { SandboxWorkDeps } from "../src/environment/ensure.js";
import { git } from "../src/git.js";
import type { JobData } from "../src/queue.js";
import { parseJsonl, taskInstanceSchema } from "../src/tasks/swebench.js";
import { runGate, GateError, type GateRun } from "../training/gate/run.js";

export interface GateDeps extends SandboxWorkDeps {
  config: Config;
  tasksFile: string;
  testTimeoutMs: number;
}

export async function processGate(data: JobData["gate"], deps: GateDeps): Promise<{ decision: string; applied: string } | { skipped: string }> {
  const version = await getModelVersionById(deps.db, data.versionId);
  if (!version) return { skipped: `model version ${data.versionId} no longer exists` };
  if (version.status !== "candidate" || version.evaluation) return { skipped: `${version.name} is ${version.status}${version.evaluation ? " and already gated" : ""}` };
  const tasks = parseJsonl(await readFile(deps.tasksFile, "utf8"), taskInstanceSchema).flatMap((l) => (l.ok ? [l.value] : []));
  await mkdir(deps.workDir, { recursive: true });
  const scratch = await mkdtemp(path.join(deps.workDir, "gate-"));
  const clones = new Map<string, Promise<string>>();
  try {
    let run: GateRun;
    try {
      run = await runGate(
        deps.db,
        {
          docker: deps.docker,
          envDeps: { db: deps.db, docker: deps.docker, baseImage: deps.baseImage, dataDir: scratch, cacheDir: deps.cacheDir, buildTimeoutMs: deps.buildTimeoutMs, limits: deps.limits, log: deps.log },
          limits: deps.limits,
          testTimeoutMs: deps.testTimeoutMs,
          scratch,
          cloneOf: (repo) => {
            let p = clones.get(repo);
            if (!p) {
              const dest = path.join(scratch, `clone-${clones.size}`);
              p = git(scratch, ["clone", "--quiet", "--no-checkout", deps.config.LEGO_GATE_REPO ?? `https://github.com/${repo}.git`, dest]).then(() => dest);
              clones.set(repo, p);
            }
            return p;
          },
        },
        deps.config,
        version.name,
        tasks,
        { k: deps.config.LEGO_GATE_K, margin: deps.config.LEGO_GATE_MARGIN, minTasks: deps.config.LEGO_GATE_MIN_TASKS, parallel: 2, maxTurns: deps.config.LEGO_AGENT_MAX_TURNS, mode: deps.config.LEGO_POLICY_MODE, dryRun: false },
      );
    } catch (err) {
      if (!(err instanceof GateError)) throw err;
      // Nothing to compare with, no endpoint, no tasks: said on the version, which stays a candidate.
      await recordEvaluation(deps.db, version.id, { decision: "not-run", reason: err.message, gatedAt: new Date().toISOString() });
      throw new UnrecoverableError(err.message);
    }
    deps.log.info({ version: version.name, decision: run.report.decision, applied: run.applied, reason: run.report.reason }, "gate decided");
    return { decision: run.report.decision, applied: run.applied };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
