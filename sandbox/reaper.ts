import { hostname } from "node:os";
import type Docker from "dockerode";
import { statusCode } from "./docker.js";
import { CREATED_LABEL, OWNER_LABEL, SANDBOX_LABEL } from "./labels.js";
import { failedTeardowns, forgetTeardown, ownerIsGone, teardownStep } from "./teardown.js";

export interface ReapOptions {
  /** Only containers created more than this long ago (by the created label). */
  olderThanMs?: number;
  /** Only containers of this owner (`hostname:pid`, see sandboxOwner()). */
  owner?: string;
  /** Every sandbox container on the engine, whoever made it. */
  all?: boolean;
}

/**
 * Force-removes leftover sandbox containers and returns how many went. Criteria combine: with
 * `owner` and `olderThanMs` both given, a container must match both. One of the three options
 * is required, so a bare call cannot wipe out sandboxes that other workers are still using.
 */
export async function reapSandboxes(docker: Docker, options: ReapOptions): Promise<number> {
  const { olderThanMs, owner, all = false } = options;
  if (!all && olderThanMs === undefined && owner === undefined) {
    throw new TypeError("reapSandboxes needs all: true, olderThanMs or owner");
  }
  const labelFilters = [`${SANDBOX_LABEL}=1`, ...(owner !== undefined ? [`${OWNER_LABEL}=${owner}`] : [])];
  const containers = await docker.listContainers({ all: true, filters: { label: labelFilters } });
  const now = Date.now();
  let removed = 0;
  for (const info of containers) {
    if (!all && olderThanMs !== undefined && now - createdAt(info) < olderThanMs) continue;
    try {
      await docker.getContainer(info.Id).remove({ force: true });
      removed += 1;
    } catch (error) {
      // Gone meanwhile (AutoRemove, or another reaper): not ours to count, not an error.
      const code = statusCode(error);
      if (code !== 404 && code !== 409) throw error;
    }
  }
  return removed;
}

/** Epoch ms from our label, falling back to the engine's creation time (seconds). */
function createdAt(info: Docker.ContainerInfo): number {
  const labelled = Number(info.Labels[CREATED_LABEL]);
  return Number.isFinite(labelled) && labelled > 0 ? labelled : info.Created * 1000;
}

export interface SweepOptions {
  /** This machine's hostname, as in the owner label (default os.hostname()). */
  host?: string;
  /** Whether a pid on this host is alive (default: process.kill(pid, 0)). */
  isAlive?: (pid: number) => boolean;
  /** Any sandbox created longer ago than this is a leftover, whoever made it (default 2 h: twice the default lifetime). */
  olderThanMs?: number;
}

export interface SweepResult {
  /** Containers removed: earlier failed teardowns, dead owners' and overaged ones. */
  removed: number;
  /** Failed teardowns that could still not be removed (the engine is still away). */
  stillFailing: string[];
}

const SWEEP_AGE_MS = 2 * 3600_000;

/**
 * A worker's start-up and periodic sweep: first the containers this process failed to tear
 * down (teardown.ts's ledger), then labelled sandboxes whose owner process on this host is
 * gone, and any sandbox older than `olderThanMs`. Throws when the engine cannot be listed.
 */
export async function sweepSandboxes(docker: Docker, options: SweepOptions = {}): Promise<SweepResult> {
  const host = options.host ?? hostname();
  const isAlive = options.isAlive ?? pidAlive;
  const olderThanMs = options.olderThanMs ?? SWEEP_AGE_MS;
  let removed = 0;
  const stillFailing: string[] = [];
  for (const failed of failedTeardowns()) {
    try {
      await docker.getContainer(failed.containerId).remove({ force: true });
      removed += 1;
      forgetTeardown(failed.containerId);
    } catch (error) {
      const step = teardownStep(error, 0, 1);
      if (step.kind === "gone") forgetTeardown(failed.containerId);
      else stillFailing.push(failed.containerId);
    }
  }
  const containers = await docker.listContainers({ all: true, filters: { label: [`${SANDBOX_LABEL}=1`] } });
  const now = Date.now();
  for (const info of containers) {
    if (!ownerIsGone(info.Labels[OWNER_LABEL], host, isAlive) && now - createdAt(info) < olderThanMs) continue;
    try {
      await docker.getContainer(info.Id).remove({ force: true });
      removed += 1;
    } catch (error) {
      const code = statusCode(error);
      if (code !== 404 && code !== 409) throw error;
    }
  }
  return { removed, stillFailing };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, someone else's.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
