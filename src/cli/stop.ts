// Batch commands start sandbox containers; when the command is stopped (SIGTERM from a parent's
// time-out, SIGINT from a terminal, SIGHUP from a closed session) it removes the containers it
// owns before exiting, instead of leaving them running until their lifetime ends.
import type Docker from "dockerode";
import type { Logger } from "pino";
import { sandboxOwner } from "../../sandbox/labels.js";
import { reapSandboxes } from "../../sandbox/reaper.js";

const SIGNALS = { SIGTERM: 15, SIGINT: 2, SIGHUP: 1 } as const;
/** Removing containers and scratch files may take this long; then the process exits regardless. */
const CLEANUP_DEADLINE_MS = 20_000;
// A container whose creation was in flight at the signal appears a moment later: reap again.
const SECOND_PASS_MS = 750;

export interface StopHandle {
  /** Whether a signal arrived; the command's own failure (its containers vanished) is then not the outcome. */
  readonly stopping: boolean;
  /** Never resolves: the signal handler exits the process once its clean-up is done. */
  untilExit(): Promise<never>;
  dispose(): void;
}

export function removeContainersOnStop(docker: Docker, log: Logger, cleanup: () => Promise<void>): StopHandle {
  let stopping = false;
  const onSignal = (signal: keyof typeof SIGNALS): void => {
    const code = 128 + SIGNALS[signal];
    if (stopping) process.exit(code);
    stopping = true;
    log.warn({ signal }, "stopping: removing this command's sandbox containers");
    setTimeout(() => {
      log.error({ signal }, "clean-up did not finish in time; exiting");
      process.exit(code);
    }, CLEANUP_DEADLINE_MS).unref();
    const owner = sandboxOwner();
    const work = (async () => {
      let removed = await reapSandboxes(docker, { owner });
      await new Promise((r) => setTimeout(r, SECOND_PASS_MS));
      removed += await reapSandboxes(docker, { owner });
      log.warn({ removed }, "sandbox containers removed");
      await cleanup();
    })();
    work.then(
      () => process.exit(code),
      (err: unknown) => {
        log.error({ err }, "clean-up after the signal failed");
        process.exit(code);
      },
    );
  };
  const handlers = Object.keys(SIGNALS).map((s) => {
    const signal = s as keyof typeof SIGNALS;
    const h = (): void => onSignal(signal);
    process.on(signal, h);
    return [signal, h] as const;
  });
  return {
    get stopping() {
      return stopping;
    },
    untilExit: () => new Promise<never>(() => undefined),
    dispose: () => handlers.forEach(([s, h]) => process.off(s, h)),
  };
}
