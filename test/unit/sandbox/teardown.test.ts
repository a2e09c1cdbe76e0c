import type Docker from "dockerode";
import { afterEach, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/container.js";
import { OWNER_LABEL, SANDBOX_LABEL } from "../../../sandbox/labels.js";
import { sweepSandboxes } from "../../../sandbox/reaper.js";
import { failedTeardowns, forgetTeardown, ownerIsGone, teardownStep } from "../../../sandbox/teardown.js";

const refused = () => Object.assign(new Error("connect ECONNREFUSED /tmp/d.sock"), { code: "ECONNREFUSED" });
const http = (statusCode: number) => Object.assign(new Error(`HTTP ${statusCode}`), { statusCode });

/** A Docker double whose container removals fail `failures` times (engine away), then succeed. */
function fakeDocker(opts: { failures: number; error?: () => Error; listed?: Docker.ContainerInfo[] }) {
  const removed: string[] = [];
  let failures = opts.failures;
  const containers = new Map<string, boolean>();
  const container = (id: string) => ({
    id,
    start: async () => undefined,
    remove: async () => {
      if (failures > 0) {
        failures -= 1;
        throw (opts.error ?? refused)();
      }
      if (!containers.has(id) && !opts.listed?.some((c) => c.Id === id)) throw http(404);
      containers.delete(id);
      removed.push(id);
    },
  });
  const docker = {
    createContainer: async () => {
      const id = `c${containers.size + 1}`;
      containers.set(id, true);
      return container(id);
    },
    getContainer: (id: string) => container(id),
    listContainers: async () => (opts.listed ?? []).filter((c) => !removed.includes(c.Id)),
  };
  return { docker: docker as unknown as Docker, removed, setFailures: (n: number) => (failures = n) };
}

const noSleep = async () => undefined;

afterEach(() => {
  for (const f of failedTeardowns()) forgetTeardown(f.containerId);
});

describe("teardownStep", () => {
  it("treats 404 and 409 as done, whatever the try", () => {
    expect(teardownStep(http(404), 0)).toEqual({ kind: "gone" });
    expect(teardownStep(http(409), 9)).toEqual({ kind: "gone" });
  });

  it("retries an absent engine or a 5xx with doubling delays, then gives up with the reason", () => {
    expect(teardownStep(refused(), 0, 3)).toEqual({ kind: "retry", delayMs: 250 });
    expect(teardownStep(http(500), 1, 3)).toEqual({ kind: "retry", delayMs: 500 });
    const last = teardownStep(refused(), 2, 3);
    expect(last.kind).toBe("give-up");
    expect(last.kind === "give-up" && last.reason).toBe("removal failed 3 time(s): ECONNREFUSED: connect ECONNREFUSED /tmp/d.sock");
  });

  it("does not retry a 4xx that will not change", () => {
    expect(teardownStep(http(400), 0)).toMatchObject({ kind: "give-up", reason: expect.stringContaining("HTTP 400") });
  });
});

describe("ownerIsGone", () => {
  const alive = new Set([42]);
  const isAlive = (pid: number) => alive.has(pid);
  it("is true only for this host's owner labels whose pid is not running", () => {
    expect(ownerIsGone("box:7", "box", isAlive)).toBe(true);
    expect(ownerIsGone("box:42", "box", isAlive)).toBe(false);
    expect(ownerIsGone("other:7", "box", isAlive)).toBe(false);
    expect(ownerIsGone("box:x", "box", isAlive)).toBe(false);
    expect(ownerIsGone(undefined, "box", isAlive)).toBe(false);
    expect(ownerIsGone("a:b:7", "a:b", isAlive)).toBe(true);
  });
});

describe("Sandbox.destroy while the engine is away", () => {
  it("retries the removal until the engine answers", async () => {
    const fake = fakeDocker({ failures: 0 });
    const sandbox = await Sandbox.create(fake.docker, { image: "x" });
    fake.setFailures(2);
    expect(await sandbox.destroy({ sleep: noSleep })).toBe(true);
    expect(fake.removed).toEqual([sandbox.id]);
    expect(failedTeardowns()).toEqual([]);
  });

  it("records a removal that keeps failing without throwing, and a second destroy tries again", async () => {
    const fake = fakeDocker({ failures: 0 });
    const sandbox = await Sandbox.create(fake.docker, { image: "x" });
    fake.setFailures(10);
    expect(await sandbox.destroy({ tries: 3, sleep: noSleep })).toBe(false);
    expect(failedTeardowns()).toMatchObject([{ containerId: sandbox.id, reason: expect.stringMatching(/removal failed 3 time\(s\): ECONNREFUSED/) }]);
    fake.setFailures(0);
    expect(await sandbox.destroy({ sleep: noSleep })).toBe(true);
    expect(fake.removed).toEqual([sandbox.id]);
    expect(failedTeardowns()).toEqual([]);
  });
});

describe("sweepSandboxes", () => {
  const info = (Id: string, owner: string, createdMs = Date.now()): Docker.ContainerInfo =>
    ({ Id, Created: Math.floor(createdMs / 1000), Labels: { [SANDBOX_LABEL]: "1", [OWNER_LABEL]: owner, "org.legofactory.created": String(createdMs) } }) as unknown as Docker.ContainerInfo;

  it("removes failed teardowns, dead owners' and overaged sandboxes, and leaves live ones", async () => {
    const listed = [info("dead", "box:7"), info("live", "box:42"), info("elsewhere", "other:7"), info("old", "other:8", Date.now() - 3 * 3600_000)];
    const fake = fakeDocker({ failures: 0, listed });
    const sandbox = await Sandbox.create(fake.docker, { image: "x" });
    fake.setFailures(10);
    await sandbox.destroy({ tries: 2, sleep: noSleep });
    fake.setFailures(0);
    const result = await sweepSandboxes(fake.docker, { host: "box", isAlive: (pid) => pid === 42 });
    expect(result).toEqual({ removed: 3, stillFailing: [] });
    expect(fake.removed.sort()).toEqual([sandbox.id, "dead", "old"].sort());
    expect(failedTeardowns()).toEqual([]);
  });

  it("keeps a failed teardown on the ledger while the engine is still away", async () => {
    const fake = fakeDocker({ failures: 0 });
    const sandbox = await Sandbox.create(fake.docker, { image: "x" });
    fake.setFailures(2);
    await sandbox.destroy({ tries: 1, sleep: noSleep });
    fake.setFailures(1);
    const result = await sweepSandboxes(fake.docker, { host: "box", isAlive: () => true });
    expect(result).toEqual({ removed: 0, stillFailing: [sandbox.id] });
    expect(failedTeardowns().map((f) => f.containerId)).toEqual([sandbox.id]);
  });
});
