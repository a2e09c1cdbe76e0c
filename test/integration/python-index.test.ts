// The Python install path in the real Docker engine: dependencies from a PEP 503 index (a real
// HTTP server with wheels built here), the build backend fetched from it (a PEP 639 license
// string Debian's setuptools rejects), a missing dependency and a version conflict handled by
// the one-at-a-time fallback, and the Debian fallback (with the apt fix) when no index answers.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../sandbox/container.js";
import { applyCodeState, buildEnvironmentImage, type EnvironmentBuildResult } from "../../sandbox/images.js";
import { detectEnvironment } from "../../src/environment/detect.js";
import { indexBuildEnv } from "../../src/environment/ensure.js";
import { parseEnvMarkers } from "../../src/environment/python-index.js";
import { snapshotAt } from "../../src/environment/snapshot.js";
import type { EnvironmentPlan } from "../../src/environment/types.js";
import { commit, type Files, git } from "../support/fixture-repos.js";
import { buildBackendWheel, buildWheel, type PypiDouble, startPypiDouble } from "../support/pypi-double/index.js";
import { TEST_BASE_IMAGE } from "../support/services.js";

const docker = new Docker();
let work: string;
let index: PypiDouble;
const images: string[] = [];

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "lego-pyindex-"));
  const wheels = path.join(work, "wheels");
  buildBackendWheel(wheels);
  buildWheel(wheels, { name: "alpha", version: "1.0", files: { "alpha.py": "VERSION = '1.0'\n" } });
  buildWheel(wheels, { name: "alpha", version: "2.0", files: { "alpha.py": "VERSION = '2.0'\n" } });
  buildWheel(wheels, { name: "beta", version: "1.0", requires: ["alpha>=1.0"], files: { "beta.py": "import alpha\n" } });
  buildWheel(wheels, { name: "gamma", version: "1.0", files: { "gamma.py": "G = 1\n" } });
  // Containers reach the host through the bridge's gateway.
  const bridge = (await docker.getNetwork("bridge").inspect()) as { IPAM: { Config: { Gateway?: string }[] } };
  const gateway = bridge.IPAM.Config.find((c) => c.Gateway)?.Gateway ?? "172.17.0.1";
  index = await startPypiDouble(wheels, { host: gateway, listen: "0.0.0.0" });
}, 60_000);

afterAll(async () => {
  await index?.close();
  for (const tag of images) await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
  if (work) rmSync(work, { recursive: true, force: true });
});

async function build(name: string, files: Files, indexUrl: string): Promise<{ result: EnvironmentBuildResult; plan: EnvironmentPlan; dir: string }> {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  git(dir, "init", "-q");
  const sha = commit(dir, "snapshot", files);
  const plan = detectEnvironment(await snapshotAt(dir, sha));
  if ("error" in plan) throw new Error(plan.error);
  const tag = `lego-test-pyindex/${name}:${Date.now()}`;
  images.push(tag);
  const result = await buildEnvironmentImage(docker, {
    baseImage: TEST_BASE_IMAGE,
    tag,
    repoDir: dir,
    install: plan.install,
    fallbacks: plan.fallbacks,
    env: plan.env,
    buildEnv: indexBuildEnv(indexUrl),
    timeoutMs: 300_000,
  });
  return { result, plan, dir };
}

/** Runs `cmd` in a container of the built image with the snapshot's code, network off. */
async function runIn(image: string, dir: string, plan: EnvironmentPlan, cmd: string): Promise<{ exitCode: number; out: string }> {
  const sandbox = await Sandbox.create(docker, { image, env: plan.env });
  try {
    await applyCodeState(sandbox, dir);
    const r = await sandbox.exec(cmd, { timeoutMs: 120_000, cwd: "/repo", env: plan.env });
    return { exitCode: r.exitCode, out: `${r.stdout}${r.stderr}` };
  } finally {
    await sandbox.destroy();
  }
}

const tinyTest = "import alpha, beta, gamma, tinyproj\n\ndef test_versions():\n    assert tinyproj.X == 1\n    assert alpha.VERSION == '2.0'\n";

describe("Python dependencies from a package index", () => {
  it("installs the project, its test extra, requirement files and runner into a venv, the backend from the index", async () => {
    const { result, plan, dir } = await build(
      "tiny",
      {
        "pyproject.toml":
          '[build-system]\nrequires = ["legobackend"]\nbuild-backend = "legobackend"\n\n[project]\nname = "tinyproj"\nversion = "0.1"\nlicense = "MIT"\nrequires-python = ">=3.8"\ndependencies = ["beta"]\n\n[project.optional-dependencies]\ntest = ["gamma"]\n\n[tool.pytest.ini_options]\n',
        "requirements-dev.txt": "alpha==2.0\n",
        "tinyproj/__init__.py": "X = 1\n",
        "tests/test_tiny.py": tinyTest,
      },
      index.url,
    );
    expect(result.ok, result.log.slice(-3000)).toBe(true);
    if (!result.ok) return;
    expect(result.fallback).toBeNull();
    expect(parseEnvMarkers(result.log)).toMatchObject({ path: "index", requiresPython: ">=3.8", pythonSatisfies: true, python: expect.stringMatching(/^3\.\d+\.\d+$/) });
    expect(index.requests).toEqual(expect.arrayContaining(["/simple/legobackend/", "/simple/beta/", "/simple/gamma/", "/simple/alpha/"]));
    const run = await runIn(result.image, dir, plan, plan.testCommand("all"));
    expect(run.out).toMatch(/PASSED tests\/test_tiny.py::test_versions/);
    expect(run.exitCode).toBe(0);
  }, 300_000);

  it("installs what exists when a dependency is missing from the index, and names what it skipped", async () => {
    const { result, plan, dir } = await build(
      "missing",
      {
        "setup.py": "from setuptools import setup\nsetup(name='holey', version='0.1', packages=['holey'], install_requires=['gamma', 'delta-not-on-index'])\n",
        "requirements.txt": "gamma\ndelta-not-on-index\n",
        "holey/__init__.py": "",
        "tests/conftest.py": "",
        "tests/test_h.py": "import gamma\n\ndef test_g():\n    assert gamma.G == 1\n",
      },
      index.url,
    );
    expect(result.ok, result.log.slice(-3000)).toBe(true);
    if (!result.ok) return;
    expect(result.failures[0]).toMatchObject({ class: "dependency-resolution", attempt: "install", step: "install the project and its test dependencies" });
    expect(result.failures[0]?.evidence).toMatch(/delta-not-on-index/);
    expect(result.fallback).toBe("package index, one requirement at a time");
    expect(parseEnvMarkers(result.log).skipped).toContain("delta-not-on-index");
    const run = await runIn(result.image, dir, plan, plan.testCommand("all"));
    expect(run.out).toMatch(/PASSED tests\/test_h.py::test_g/);
  }, 300_000);

  it("reports a version conflict as the resolver sees it, then installs one requirement at a time", async () => {
    const { result, plan, dir } = await build(
      "conflict",
      {
        "setup.py": "from setuptools import setup\nsetup(name='clash', version='0.1', packages=['clash'], install_requires=['alpha==1.0'])\n",
        "requirements.txt": "alpha==2.0\n",
        "clash/__init__.py": "",
        "tests/conftest.py": "",
        "tests/test_c.py": "import alpha\n\ndef test_a():\n    assert alpha.VERSION == '2.0'\n",
      },
      index.url,
    );
    expect(result.ok, result.log.slice(-3000)).toBe(true);
    if (!result.ok) return;
    expect(result.failures[0]?.class).toBe("dependency-resolution");
    expect(result.log).toMatch(/conflict|ResolutionImpossible/i);
    expect(result.fallback).toBe("package index, one requirement at a time");
    const run = await runIn(result.image, dir, plan, plan.testCommand("all"));
    expect(run.out).toMatch(/PASSED tests\/test_c.py::test_a/);
  }, 300_000);

  it("falls back to Debian's packages when no index answers, installing what Debian has", async () => {
    // Port 9 (discard) on the gateway: nothing listens, so the probe fails at once.
    const offline = index.url.replace(/:\d+\/simple$/, ":9/simple");
    const { result, plan, dir } = await build(
      "offline",
      {
        // The last candidate is not in Debian: before the apt fix nothing at all was installed.
        "setup.py": "from setuptools import setup\nsetup(name='offl', version='0.1', packages=['offl'], install_requires=['attrs', 'zzz-not-in-debian'])\n",
        "offl/__init__.py": "",
        "tests/conftest.py": "",
        "tests/test_o.py": "import attr\n\ndef test_attr():\n    assert attr.s\n",
      },
      offline,
    );
    expect(result.ok, result.log.slice(-3000)).toBe(true);
    if (!result.ok) return;
    expect(result.failures[0]).toMatchObject({ class: "network", step: "reach the package index" });
    expect(result.failures[0]?.evidence).toMatch(/lego: no package index reachable/);
    expect(result.fallback).toBe("Debian python3-* packages (no package index reachable)");
    expect(parseEnvMarkers(result.log).path).toBe("debian");
    const run = await runIn(result.image, dir, plan, plan.testCommand("all"));
    expect(run.out).toMatch(/PASSED tests\/test_o.py::test_attr/);
  }, 400_000);
});
