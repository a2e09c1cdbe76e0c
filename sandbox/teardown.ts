// Tearing a sandbox down when the Docker engine may be away (restarting, socket gone). The
// decisions are pure; the ledger remembers containers whose removal failed, so the next sweep
// (reaper.ts: sweepSandboxes) tries them again instead of leaving them behind unnoticed.
import { statusCode } from "./docker.js";

/** Removal tries in Sandbox.destroy() before the container is left to the next sweep. */
export const TEARDOWN_TRIES = 4;
const FIRST_DELAY_MS = 250;

export type TeardownStep = { kind: "gone" } | { kind: "retry"; delayMs: number } | { kind: "give-up"; reason: string };

/**
 * What to do after removal try `tryIndex` (0-based) failed with `error`: 404 (already gone) and
 * 409 (AutoRemove is removing it) mean done; no status (no engine: ECONNREFUSED, ENOENT, reset)
 * or a 5xx is transient, retried with doubling delays; any other status will not change.
 */
export function teardownStep(error: unknown, tryIndex: number, tries = TEARDOWN_TRIES): TeardownStep {
  const code = statusCode(error);
  if (code === 404 || code === 409) return { kind: "gone" };
  const reason = describeError(error);
  const transient = code === undefined || code >= 500;
  if (transient && tryIndex + 1 < tries) return { kind: "retry", delayMs: FIRST_DELAY_MS * 2 ** tryIndex };
  return { kind: "give-up", reason: `removal failed ${tryIndex + 1} time(s): ${reason}` };
}

export function describeError(error: unknown): string {
  const err = error as { code?: unknown; statusCode?: unknown; message?: unknown } | null;
  const parts = [typeof err?.statusCode === "number" ? `HTTP ${err.statusCode}` : undefined, typeof err?.code === "string" ? err.code : undefined, typeof err?.message === "string" ? err.message : String(error)];
  return [...new Set(parts.filter((p): p is string => Boolean(p)))].join(": ");
}

export interface FailedTeardown {
  containerId: string;
  reason: string;
  at: Date;
}

/** Containers this process failed to remove, by id: what the next sweep retries first. */
const ledger = new Map<string, FailedTeardown>();

export function recordFailedTeardown(containerId: string, reason: string, at = new Date()): void {
  ledger.set(containerId, { containerId, reason, at });
}

export function forgetTeardown(containerId: string): void {
  ledger.delete(containerId);
}

export function failedTeardowns(): FailedTeardown[] {
  return [...ledger.values()];
}

/**
 * Whether a sandbox labelled with `owner` (`hostname:pid`, see sandboxOwner()) was left by a
 * process that no longer runs: same host, and that pid is not alive. Another host's sandboxes
 * are never judged here (their owner may be alive), only by age.
 */
export function ownerIsGone(owner: string | undefined, host: string, isAlive: (pid: number) => boolean): boolean {
  if (!owner) return false;
  const at = owner.lastIndexOf(":");
  if (at <= 0 || owner.slice(0, at) !== host) return false;
  const pid = Number(owner.slice(at + 1));
  if (!Number.isInteger(pid) || pid <= 0) return false;
  return !isAlive(pid);
}
