// applyCodeState's failure: a container the engine killed under the clean (a daemon restart)
// is an infra error that says so, not an empty "failed: " (seen when a restart landed there).
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../../sandbox/container.js";
import { SandboxExecError } from "../../../sandbox/errors.js";
import { lostContainerReason } from "../../../sandbox/engine-failure.js";
import { applyCodeState } from "../../../sandbox/images.js";

function sandboxWhere(clean: { exitCode: number; stdout?: string; stderr?: string }, running: boolean, copyError?: Error): Sandbox {
  return {
    id: "0123456789abcdef",
    copyIn: async () => {
      if (copyError) throw copyError;
    },
    exec: async () => ({ stdout: "", stderr: "", timedOut: false, ...clean }),
    assertRunning: async () => {
      const reason = lostContainerReason("0123456789abcdef", running ? { running: true, exitCode: 0, oomKilled: false } : { running: false, exitCode: 137, oomKilled: false });
      if (reason) throw new SandboxExecError(reason);
    },
  } as unknown as Sandbox;
}

describe("applyCodeState", () => {
  it("says the container was killed when it was", async () => {
    await expect(applyCodeState(sandboxWhere({ exitCode: 137 }, false), "/nonexistent")).rejects.toThrow(/is no longer running \(exit 137; killed under the work, e\.g\. by a Docker engine restart\)/);
  });

  it("says the container was killed when the upload failed under a stopping engine, else passes the engine's error on", async () => {
    const tar = Object.assign(new Error("(HTTP code 500) server error - Error processing tar file(exit status 1): Error after fallback to chroot: no such file or directory"), { statusCode: 500 });
    await expect(applyCodeState(sandboxWhere({ exitCode: 0 }, false, tar), "/nonexistent")).rejects.toThrow(/is no longer running \(exit 137; killed under the work/);
    await expect(applyCodeState(sandboxWhere({ exitCode: 0 }, true, tar), "/nonexistent")).rejects.toThrow(/^\(HTTP code 500\) server error - Error processing tar file/);
  });

  it("names the exit code and the output when the clean itself failed", async () => {
    await expect(applyCodeState(sandboxWhere({ exitCode: 1, stderr: "git: index.lock exists" }, true), "/nonexistent")).rejects.toThrow(
      "removing files not tracked at the base commit from /repo failed (exit 1): git: index.lock exists",
    );
    await expect(applyCodeState(sandboxWhere({ exitCode: 2 }, true), "/nonexistent")).rejects.toThrow(/failed \(exit 2\): no output$/);
  });
});
