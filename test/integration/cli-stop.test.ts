// A batch command stopped by a signal (a parent's time-out sends SIGTERM) removes the sandbox
// containers it started before it exits: none of them keeps running after `lego harvest` dies.
import { mkdtempSync, rmSync } from "node:fs";
import os, { hostname } from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { afterAll, describe, expect, it } from "vitest";
import { OWNER_LABEL, SANDBOX_LABEL } from "../../sandbox/labels.js";
import { pythonFix, pythonProject, repoWithMergedPulls } from "../support/fixture-repos.js";
import { runLego } from "../support/lego-process.js";
import { TEST_CACHE_DIR } from "../support/services.js";

const docker = new Docker();
const work = mkdtempSync(path.join(os.tmpdir(), "lego-cli-stop-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const owned = async (pid: number): Promise<Docker.ContainerInfo[]> =>
  docker.listContainers({ all: true, filters: { label: [`${SANDBOX_LABEL}=1`, `${OWNER_LABEL}=${hostname()}:${pid}`] } });

describe("stopping a batch command", () => {
  it.each(["SIGTERM", "SIGINT"] as const)("removes its containers on %s and exits with 128+signal", async (signal) => {
    const repo = repoWithMergedPulls(path.join(work, `calc-${signal}`), pythonProject, pythonFix, { "README.md": "calc\n" });
    const proc = runLego(["harvest", repo.dir, "--json"], { LEGO_DATA_DIR: path.join(work, `data-${signal}`), LEGO_CACHE_DIR: TEST_CACHE_DIR, LEGO_SANDBOX_CPUS: "1", LEGO_SANDBOX_MEMORY_MB: "1024" }, work);
    let stderr = "";
    proc.stderr?.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => proc.once("exit", (code, sig) => resolve(code ?? (sig ? -1 : null))));
    const pid = proc.pid as number;
    const deadline = Date.now() + 150_000;
    let seen: Docker.ContainerInfo[] = [];
    while (Date.now() < deadline && proc.exitCode === null) {
      seen = await owned(pid);
      if (seen.length > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(seen.length, `no container appeared; stderr:\n${stderr}`).toBeGreaterThan(0);
    proc.kill(signal);
    const code = await exited;
    expect(code).toBe(signal === "SIGTERM" ? 143 : 130);
    expect(await owned(pid)).toEqual([]);
  }, 240_000);
});
