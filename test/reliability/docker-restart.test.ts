// The Docker engine restarted under running work, on a private dockerd (its own socket, data
// root and network namespace; the shared engine is only read once, to save the base image):
// the work in flight fails as an infra error with a reason, the teardown attempted while the
// engine is down is recorded instead of lost, the sweep after the restart leaves no labelled
// container, and the same work retried on the restarted engine succeeds.
import { execFileSync } from "node:child_process";
import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../sandbox/container.js";
import { createDocker } from "../../sandbox/docker.js";
import { SANDBOX_LABEL } from "../../sandbox/labels.js";
import { sweepSandboxes } from "../../sandbox/reaper.js";
import { failedTeardowns } from "../../sandbox/teardown.js";
import { PrivateDockerd, sleep } from "../support/private-services.js";
import { TEST_BASE_IMAGE } from "../support/services.js";

const haveDockerd = (() => {
  try {
    execFileSync("sh", ["-c", "command -v dockerd && command -v unshare && docker -H unix:///var/run/docker.sock image inspect " + TEST_BASE_IMAGE], { stdio: "ignore" });
    return process.getuid?.() === 0;
  } catch {
    return false;
  }
})();

const labelled = async (docker: Docker) => (await docker.listContainers({ all: true, filters: { label: [`${SANDBOX_LABEL}=1`] } })).length;

describe.runIf(haveDockerd)("a Docker daemon restarted mid-run (private dockerd)", () => {
  const dockerd = new PrivateDockerd();
  let docker: Docker;

  beforeAll(async () => {
    await dockerd.start();
    dockerd.loadImage(TEST_BASE_IMAGE);
    docker = createDocker({ DOCKER_HOST: dockerd.host });
  }, 180_000);

  afterAll(async () => {
    await dockerd.remove();
  }, 60_000);

  it("fails the exec in flight, records the teardown it could not do, sweeps to zero, and runs again", async () => {
    const sandbox = await Sandbox.create(docker, { image: TEST_BASE_IMAGE, labels: { "org.legofactory.role": "restart-test" } });
    const inFlight = sandbox.exec("echo started; sleep 60; echo finished", { timeoutMs: 90_000 }).then(
      (result) => ({ result }),
      (error: Error) => ({ error }),
    );
    await sleep(1500);
    await dockerd.stop();
    const outcome = await inFlight;
    // Either the call rejects (the engine went away under it) or the command was killed: never a clean finish.
    if ("result" in outcome) {
      expect(outcome.result.stdout).not.toContain("finished");
      expect(outcome.result.exitCode).not.toBe(0);
    } else {
      expect(outcome.error.message).not.toBe("");
    }
    // Torn down while the engine is down: not thrown, recorded with the reason.
    expect(await sandbox.destroy({ tries: 2, sleep: async () => { await sleep(50); } })).toBe(false);
    expect(failedTeardowns()).toMatchObject([{ containerId: sandbox.id, reason: expect.stringMatching(/removal failed 2 time\(s\)/) }]);

    await dockerd.start();
    const swept = await sweepSandboxes(docker);
    expect(swept.stillFailing).toEqual([]);
    expect(failedTeardowns()).toEqual([]);
    expect(await labelled(docker)).toBe(0);

    // The retry, on the restarted engine (same data root: the image is still there).
    const again = await Sandbox.create(docker, { image: TEST_BASE_IMAGE, labels: { "org.legofactory.role": "restart-test" } });
    const result = await again.exec("echo started; echo finished", { timeoutMs: 30_000 });
    expect(result).toMatchObject({ exitCode: 0, stdout: "started\nfinished\n" });
    expect(await again.destroy()).toBe(true);
    expect(await labelled(docker)).toBe(0);
    console.log(JSON.stringify({ inFlight: "result" in outcome ? { exitCode: outcome.result.exitCode } : { error: outcome.error.message.slice(0, 200) }, swept }));
  }, 180_000);
});
