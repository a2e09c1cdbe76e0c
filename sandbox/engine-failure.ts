// Whether a failure came from the Docker engine (the daemon went away or restarted, the
// container was killed or removed under the work) rather than from the code the work ran.
// An engine failure is an infra error, retried: never a verdict on a task, never shown to an
// agent as a command that failed. Pure.
import { statusCode } from "./docker.js";
import { SandboxError } from "./errors.js";

/** Socket errors from talking to the engine: it is down, restarting, or dropped the connection. */
const ENGINE_SOCKET_CODES = new Set(["ENOENT", "ECONNREFUSED", "ECONNRESET", "EPIPE", "ECONNABORTED"]);
const ENGINE_MESSAGES = /socket hang up|connect ENOENT|connect ECONNREFUSED|no such container|is not running|container .* is restarting|is marked for removal/i;

/** A thrown error → why it is the engine's failure, or null when it is something else. */
export function engineFailureOf(error: unknown): string | null {
  if (error instanceof SandboxError && (error.code === "docker_unavailable" || error.code === "sandbox_exec_failed")) return error.message;
  if (!(error instanceof Error)) return null;
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === "string" && ENGINE_SOCKET_CODES.has(code)) return `the Docker engine is unreachable (${code}): ${error.message}`;
  const status = statusCode(error);
  if ((status === 404 || status === 409) && ENGINE_MESSAGES.test(error.message)) return `the sandbox container is gone (HTTP ${status}): ${error.message}`;
  if (ENGINE_MESSAGES.test(error.message)) return `the Docker engine failed: ${error.message}`;
  return null;
}

/** What `docker inspect` said about a sandbox's container; null when it no longer exists. */
export interface ContainerState {
  running: boolean;
  exitCode: number;
  oomKilled: boolean;
}

/**
 * After a command returned (any exit code, 137 included): the reason the sandbox is lost, or
 * null when the container still runs, so the command's result is its own.
 * An OOM kill of the whole container is the engine's too (the sandbox is gone either way).
 */
export function lostContainerReason(id: string, state: ContainerState | null): string | null {
  const short = id.slice(0, 12);
  if (state === null) return `the sandbox container ${short} no longer exists (removed under the work, e.g. by a Docker engine restart)`;
  if (!state.running) {
    return `the sandbox container ${short} is no longer running (exit ${state.exitCode}${state.oomKilled ? ", OOM-killed" : ""}; killed under the work, e.g. by a Docker engine restart)`;
  }
  return null;
}
