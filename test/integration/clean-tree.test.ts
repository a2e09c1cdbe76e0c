// Clean snapshots in the real Docker engine: a task's /repo holds what is tracked at its base
// commit and what the install put there; a build output another commit left in the shared
// environment image is removed before any run, and the history check reports any leftover.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../sandbox/container.js";
import { createDocker } from "../../sandbox/docker.js";
import { checkNoFutureHistory, prepareRepoAtBase } from "../../sandbox/git-history.js";
import { applyCodeState } from "../../sandbox/images.js";
import { commit, git } from "../support/fixture-repos.js";
import { TEST_BASE_IMAGE } from "../support/services.js";

const work = mkdtempSync(path.join(os.tmpdir(), "lego-clean-"));
const docker = createDocker();
let sandbox: Sandbox;
let head: string;
let repoDir: string;

beforeAll(async () => {
  const src = path.join(work, "src");
  git(work, "init", "-q", "-b", "main", src);
  const base = commit(src, "base", { "package.json": "{}\n", "src/index.js": "module.exports = 1;\n", ".gitignore": "dist/\nnode_modules/\n" });
  repoDir = path.join(work, "at-base");
  head = await prepareRepoAtBase(src, base, repoDir);
  sandbox = await Sandbox.create(docker, { image: TEST_BASE_IMAGE, limits: { network: false }, labels: { "org.legofactory.role": "test-clean-tree" }, workdir: "/" });
  // What an environment image built at a newer commit holds: its install and its build outputs.
  const seeded = await sandbox.exec(
    "mkdir -p /repo/dist /repo/node_modules/dep /repo/pkg.egg-info /repo/src/generated && echo stale > /repo/dist/index.js && echo dep > /repo/node_modules/dep/index.js && echo meta > /repo/pkg.egg-info/PKG-INFO && echo gen > /repo/src/generated/x.js",
    { timeoutMs: 30_000 },
  );
  expect(seeded.exitCode).toBe(0);
}, 120_000);

afterAll(async () => {
  await sandbox?.destroy();
  rmSync(work, { recursive: true, force: true });
});

describe("clean snapshots", () => {
  it("removes a stale build output before a run and keeps the install's files", async () => {
    await applyCodeState(sandbox, repoDir);
    const ls = await sandbox.exec("cd /repo && for f in dist/index.js src/generated/x.js node_modules/dep/index.js pkg.egg-info/PKG-INFO src/index.js; do [ -e $f ] && echo \"have $f\" || echo \"gone $f\"; done", { timeoutMs: 30_000 });
    expect(ls.stdout.trim().split("\n")).toEqual(["gone dist/index.js", "gone src/generated/x.js", "have node_modules/dep/index.js", "have pkg.egg-info/PKG-INFO", "have src/index.js"]);
    expect(await checkNoFutureHistory(sandbox, "/repo", head)).toEqual({ ok: true, problems: [] });
  }, 120_000);

  it("keeps a file the image's install listed in /etc/lego-keep (a VCS version file), and nothing else untracked", async () => {
    const seeded = await sandbox.exec("mkdir -p /repo/src/pkg && echo \"version = '1'\" > /repo/src/pkg/_version.py && echo /src/pkg/_version.py > /etc/lego-keep && echo stale > /repo/src/pkg/other.py", { timeoutMs: 30_000 });
    expect(seeded.exitCode).toBe(0);
    await applyCodeState(sandbox, repoDir);
    const ls = await sandbox.exec("cd /repo && for f in src/pkg/_version.py src/pkg/other.py; do [ -e $f ] && echo \"have $f\" || echo \"gone $f\"; done", { timeoutMs: 30_000 });
    expect(ls.stdout.trim().split("\n")).toEqual(["have src/pkg/_version.py", "gone src/pkg/other.py"]);
    expect(await checkNoFutureHistory(sandbox, "/repo", head)).toEqual({ ok: true, problems: [] });
    await sandbox.exec("rm -f /etc/lego-keep", { timeoutMs: 30_000 });
    const check = await checkNoFutureHistory(sandbox, "/repo", head);
    expect(check.problems).toEqual([expect.stringMatching(/: src\/pkg\/$/)]);
    await applyCodeState(sandbox, repoDir);
  }, 120_000);

  it("the history check reports a file left from another commit", async () => {
    await sandbox.exec("mkdir -p /repo/dist && echo stale > /repo/dist/index.js", { timeoutMs: 30_000 });
    const check = await checkNoFutureHistory(sandbox, "/repo", head);
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([expect.stringMatching(/^files not tracked at the base commit \(left by another commit's build\?\): dist\//)]);
  }, 120_000);
});
