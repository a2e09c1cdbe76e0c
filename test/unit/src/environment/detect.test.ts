import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { EnvironmentPlan, RepoSnapshot } from "../../../../src/environment/detect.js";
import { detectEnvironment, frameworkOfCommand, NO_PROJECT_ERROR, overrideCommand } from "../../../../src/environment/detect.js";
import { goVersion } from "../../../../src/environment/go.js";
import { iniList, parseIni } from "../../../../src/environment/ini.js";
import { carriedArgs } from "../../../../src/environment/js-commands.js";
import { allowsMajor, chooseNode, nodeFromPin, nodeFromRange } from "../../../../src/environment/node-version.js";
import { replaceNodeCommand, runnerInSource } from "../../../../src/environment/node.js";
import { debianCandidates, requirementName } from "../../../../src/environment/python-deps.js";
import { scanScripts } from "../../../../src/environment/scripts.js";
import { shQuote } from "../../../../sandbox/quote.js";
import { splitCommands, splitWords, wordArg } from "../../../../src/environment/shell.js";
import { parseToml, tomlGet } from "../../../../src/environment/toml.js";

/** A unittest command through our runner (sandbox/test-logs/unittest-runner.ts) written as the `python3 -m unittest` it stands for. */
function asUnittest(command: string): string {
  const written = /^printf '%s' '(?:[^']|'\\'')*' > \/tmp\/lego-unittest-runner\.py && /;
  return command.replace(written, "").replace("LEGO_UNITTEST_REPORT=__LEGO_REPORT_PATH__ python3 /tmp/lego-unittest-runner.py", "python3 -m unittest");
}

function snapshot(files: Record<string, string>): RepoSnapshot {
  return { files: Object.keys(files), read: (p) => files[p] };
}

function plan(files: Record<string, string>, overrides?: Parameters<typeof detectEnvironment>[1]): EnvironmentPlan {
  const result = detectEnvironment(snapshot(files), overrides);
  if ("error" in result) throw new Error(result.error);
  return result;
}

const pkg = (o: object): string => JSON.stringify(o);

describe("Python projects", () => {
  const cases: { name: string; files: Record<string, string>; expect: Partial<EnvironmentPlan>; all: string; some: [string[], string]; index: RegExp[]; debian?: RegExp; fallbacks: string[] }[] = [
    {
      name: "plain pytest project (PEP 621, setuptools)",
      files: {
        "pyproject.toml": `[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "widgets"\ndependencies = [\n  "requests>=2",  # http\n  "PyYAML",\n]\n[project.optional-dependencies]\ntest = ["pytest-mock"]\ndocs = ["sphinx"]\n\n[tool.pytest.ini_options]\naddopts = "--cov=widgets -n auto --import-mode=importlib -p no:randomly"\ntestpaths = ["tests"]\n`,
        "widgets/__init__.py": "",
        "tests/test_api.py": "",
      },
      expect: { language: "python", framework: "pytest", packageManager: "pip", reporterFlags: "-rA", dependencyFiles: ["pyproject.toml"] },
      all: `python3 -m pytest -rA --continue-on-collection-errors -p no:cacheprovider -o addopts="" --import-mode=importlib -p no:randomly --junitxml=__LEGO_REPORT_PATH__ -o junit_family=xunit1`,
      some: [["tests/test_api.py", "tests/data/x.json"], `python3 -m pytest -rA --continue-on-collection-errors -p no:cacheprovider -o addopts="" --import-mode=importlib -p no:randomly --junitxml=__LEGO_REPORT_PATH__ -o junit_family=xunit1 tests/test_api.py`],
      index: [/\$lego_pip -e '\.\[test\]' -r \/tmp\/lego-requirements.txt$/, /printf '%s\\n' pytest >/],
      debian: /for p in python3-coverage python3-pytest-mock python3-requests python3-yaml;/,
      fallbacks: ["package index, one requirement at a time", "Debian python3-* packages (no package index reachable)", "Debian python3-* packages, run from source (PYTHONPATH=/repo)"],
    },
    {
      name: "src-layout setuptools project (setup.cfg)",
      files: {
        "setup.cfg": "[metadata]\nname = mypkg\n\n[options]\npackage_dir =\n    =src\ninstall_requires =\n    click>=8\n    attrs  # classes\n\n[tool:pytest]\ntestpaths = tests\n",
        "setup.py": "from setuptools import setup\nsetup()\n",
        "src/mypkg/__init__.py": "",
        "tests/test_cli.py": "",
      },
      expect: { framework: "pytest", env: { CI: "true", TZ: "UTC", LANG: "C.UTF-8", LC_ALL: "C.UTF-8", PYTHONHASHSEED: "0", PYTHONPATH: "/repo/src:/repo", PYTHONDONTWRITEBYTECODE: "1" }, dependencyFiles: ["setup.cfg", "setup.py"] },
      all: `python3 -m pytest -rA --continue-on-collection-errors -p no:cacheprovider -o addopts="" --junitxml=__LEGO_REPORT_PATH__ -o junit_family=xunit1`,
      some: [["tests/test_cli.py"], `python3 -m pytest -rA --continue-on-collection-errors -p no:cacheprovider -o addopts="" --junitxml=__LEGO_REPORT_PATH__ -o junit_family=xunit1 tests/test_cli.py`],
      index: [/\$lego_pip -e \. -r \/tmp\/lego-requirements.txt$/],
      debian: /python3-attr python3-click python3-coverage;/,
      fallbacks: ["package index, one requirement at a time", "Debian python3-* packages (no package index reachable)", "Debian python3-* packages, run from source (PYTHONPATH=/repo/src:/repo)"],
    },
    {
      name: "unittest-only project with a tests package",
      files: {
        "setup.py": "from setuptools import setup\nsetup(name='calc', install_requires=['six'])\n",
        "calc/__init__.py": "",
        "tests/__init__.py": "",
        "tests/test_add.py": "",
        "tests/unit/__init__.py": "",
        "tests/unit/test_mul.py": "",
      },
      expect: { framework: "unittest", reporterFlags: "-v" },
      all: "python3 -m unittest discover -v -s tests -t .",
      some: [["tests/test_add.py", "tests/unit/test_mul.py", "tests/__init__.py"], "python3 -m unittest -v tests.test_add tests.unit.test_mul"],
      index: [/\$lego_pip -e \.$/],
      debian: /for p in python3-coverage python3-six;/,
      fallbacks: ["package index, one requirement at a time", "Debian python3-* packages (no package index reachable)", "Debian python3-* packages, run from source (PYTHONPATH=/repo)"],
    },
    {
      name: "unittest with a plain test directory (no __init__.py) and requirements.txt",
      files: {
        "requirements.txt": "numpy==1.26\n-r requirements-dev.txt\n--index-url https://x\ngit+https://github.com/a/b\n",
        "requirements-dev.txt": "freezegun\n",
        "app.py": "",
        "test/test_app.py": "",
      },
      expect: { framework: "unittest", dependencyFiles: ["requirements-dev.txt", "requirements.txt"] },
      all: "python3 -m unittest discover -v -s test",
      some: [["test/test_app.py"], "PYTHONPATH=test${PYTHONPATH:+:$PYTHONPATH} python3 -m unittest -v test_app"],
      index: [/\$lego_pip -r requirements-dev.txt -r requirements.txt$/],
      debian: /for p in python3-coverage python3-freezegun python3-numpy;/,
      fallbacks: ["package index, one requirement at a time", "Debian python3-* packages, run from source (PYTHONPATH=/repo)"],
    },
    {
      name: "tox.ini running pytest",
      files: {
        "tox.ini": "[tox]\nenvlist = py311\n\n[testenv]\ndeps =\n    mock\n    -rrequirements.txt\ncommands = pytest {posargs:tests}\n",
        "setup.py": "from setuptools import setup\nsetup()\n",
        "tests/test_x.py": "",
      },
      expect: { framework: "pytest", dependencyFiles: ["setup.py", "tox.ini"] },
      all: `python3 -m pytest -rA --continue-on-collection-errors -p no:cacheprovider -o addopts="" --junitxml=__LEGO_REPORT_PATH__ -o junit_family=xunit1`,
      some: [["tests/test_x.py"], `python3 -m pytest -rA --continue-on-collection-errors -p no:cacheprovider -o addopts="" --junitxml=__LEGO_REPORT_PATH__ -o junit_family=xunit1 tests/test_x.py`],
      index: [/\$lego_pip -e \. -r \/tmp\/lego-requirements.txt$/, /printf '%s\\n' mock -r\/repo\/requirements.txt pytest >/],
      debian: /for p in python3-coverage python3-mock;/,
      fallbacks: ["package index, one requirement at a time", "Debian python3-* packages (no package index reachable)", "Debian python3-* packages, run from source (PYTHONPATH=/repo)"],
    },
    {
      name: "tox.ini running unittest discover with its own start dir and pattern",
      files: {
        "tox.ini": '[testenv]\ncommands =\n    python -m unittest discover -s checks -p "*_test.py"\n[pytest]\n',
        "checks/__init__.py": "",
        "checks/math_test.py": "",
      },
      expect: { framework: "pytest" },
      all: `python3 -m pytest -rA --continue-on-collection-errors -p no:cacheprovider -o addopts="" --junitxml=__LEGO_REPORT_PATH__ -o junit_family=xunit1`,
      some: [["checks/math_test.py"], `python3 -m pytest -rA --continue-on-collection-errors -p no:cacheprovider -o addopts="" --junitxml=__LEGO_REPORT_PATH__ -o junit_family=xunit1 checks/math_test.py`],
      index: [/\$lego_pip -r \/tmp\/lego-requirements.txt$/],
      fallbacks: ["package index, one requirement at a time", "Debian python3-* packages, run from source (PYTHONPATH=/repo)"],
    },
    {
      name: "poetry project (poetry-core backend, src via packages.from)",
      files: {
        "pyproject.toml": `[tool.poetry]\nname = "app"\npackages = [{ include = "app", from = "src" }]\n\n[tool.poetry.dependencies]\npython = "^3.9"\nrequests = { version = "^2.31", extras = ["socks"] }\n\n[tool.poetry.group.dev.dependencies]\npytest = "^7"\npytest-asyncio = "*"\n\n[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n`,
        "poetry.lock": "",
        "src/app/__init__.py": "",
        "tests/test_app.py": "",
      },
      expect: { framework: "pytest", env: { CI: "true", TZ: "UTC", LANG: "C.UTF-8", LC_ALL: "C.UTF-8", PYTHONHASHSEED: "0", PYTHONPATH: "/repo/src:/repo", PYTHONDONTWRITEBYTECODE: "1" }, dependencyFiles: ["poetry.lock", "pyproject.toml"] },
      all: `python3 -m pytest -rA --continue-on-collection-errors -p no:cacheprovider -o addopts="" --junitxml=__LEGO_REPORT_PATH__ -o junit_family=xunit1`,
      some: [["tests/test_app.py"], `python3 -m pytest -rA --continue-on-collection-errors -p no:cacheprovider -o addopts="" --junitxml=__LEGO_REPORT_PATH__ -o junit_family=xunit1 tests/test_app.py`],
      index: [/\$lego_pip -e \. -r \/tmp\/lego-requirements.txt$/, /printf '%s\\n' pytest pytest-asyncio >/],
      debian: /for p in python3-coverage python3-poetry-core python3-pytest-asyncio python3-requests;/,
      fallbacks: ["package index, one requirement at a time", "Debian python3-* packages, run from source (PYTHONPATH=/repo/src:/repo)"],
    },
  ];
  it.each(cases)("$name", (c) => {
    const p = plan(c.files);
    expect(p).toMatchObject(c.expect);
    expect(asUnittest(p.testCommand("all"))).toBe(c.all);
    expect(asUnittest(p.testCommand(c.some[0]))).toBe(c.some[1]);
    // pytest and unittest projects get coverage.py (synth's line map) after their own install, best effort.
    const coverage = c.index.length > 0 && (p.framework === "pytest" || p.framework === "unittest");
    expect(p.install).toHaveLength(c.index.length > 0 ? (coverage ? 2 : 1) : 0);
    for (const re of c.index) expect(p.install[0]).toMatch(re);
    if (coverage) expect(p.install[1]).toMatch(/pip install .*coverage; fi; \} \|\| echo 'lego: coverage\.py could not be installed/);
    expect(p.fallbacks.map((f) => f.name)).toEqual(c.fallbacks);
    if (c.debian) expect(p.fallbacks.at(-1)?.install.join("\n")).toMatch(c.debian);
    expect(p.env.PATH).toMatch(/^\/opt\/lego-venv\/bin:/);
    expect(p.notes.length).toBeGreaterThan(1);
  });

  it("tox.ini running unittest discover keeps its start dir and pattern", () => {
    const p = plan({
      "tox.ini": '[testenv]\ncommands =\n    python -m unittest discover -s checks -p "*_test.py"\n',
      "checks/__init__.py": "",
      "checks/math_test.py": "",
    });
    expect(p.framework).toBe("unittest");
    expect(asUnittest(p.testCommand("all"))).toBe("python3 -m unittest discover -v -s checks -t . -p '*_test.py'");
    expect(asUnittest(p.testCommand(["checks/math_test.py"]))).toBe("python3 -m unittest -v checks.math_test");
    // Through our runner, which writes the per-test report; a repeat keeps the first run's words and selects by id.
    const all = p.testCommand("all");
    expect(p.report).toBe("unittest-json");
    expect(all).toMatch(/^printf '%s' 'import json, os, re, sys, unittest\n[\s\S]*' > \/tmp\/lego-unittest-runner\.py && LEGO_UNITTEST_REPORT=__LEGO_REPORT_PATH__ python3 \/tmp\/lego-unittest-runner\.py discover -v/);
    expect(p.selectTests?.(["checks.math_test.T.test_a", "it's"], all)).toBe(`printf '%s\\n' ${shQuote("checks.math_test.T.test_a")} ${shQuote("it's")} > /tmp/lego-unittest-only && export LEGO_UNITTEST_ONLY=/tmp/lego-unittest-only && ${all}`);
    expect(p.selectTests?.(["x".repeat(100_000)], all)).toBe(all);
    expect(p.install).toEqual([]);
  });

  it("reads tox settings from pyproject.toml's legacy_tox_ini", () => {
    const p = plan({ "pyproject.toml": '[tool.tox]\nlegacy_tox_ini = """\n[testenv]\ncommands = python -m unittest discover -s tests\n"""\n', "tests/test_a.py": "" });
    expect(p.framework).toBe("unittest");
    expect(asUnittest(p.testCommand("all"))).toBe("python3 -m unittest discover -v -s tests");
  });

  it("picks pytest from conftest.py alone, and unittest when there is no pytest hint", () => {
    expect(plan({ "setup.py": "", "tests/conftest.py": "", "tests/test_a.py": "" }).framework).toBe("pytest");
    expect(plan({ "setup.py": "", "tests/test_a.py": "" }).framework).toBe("unittest");
  });

  it("rebuilds compiled extensions in place before the tests when setup.py declares them and their sources are tracked", () => {
    const setupPy = 'from setuptools import Extension, setup\nsetup(ext_modules=[Extension("markupsafe._speedups", ["src/markupsafe/_speedups.c"])])\n';
    const p = plan({ "setup.py": setupPy, "pyproject.toml": '[project]\nname = "markupsafe"\n', "src/markupsafe/__init__.py": "", "src/markupsafe/_speedups.c": "", "tests/test_a.py": "" });
    expect(p.build).toBe("python3 setup.py -q build_ext --inplace");
    expect(p.notes.join("\n")).toContain("compiled extensions (setup.py declares ext_modules; sources such as src/markupsafe/_speedups.c): `python3 setup.py -q build_ext --inplace` rebuilds them in place");
    // Headers from Debian before the install, in every install path.
    expect(p.install[0]).toMatch(/for p in python3-dev; do/);
    for (const f of p.fallbacks) expect(f.install.join("\n")).toMatch(/python3-dev/);
    const fromPyproject = plan({ "pyproject.toml": '[project]\nname = "x"\n[tool.setuptools]\next-modules = [{name = "x._c", sources = ["x/_c.c"]}]\n', "x/__init__.py": "", "x/_c.c": "", "tests/test_a.py": "" });
    expect(fromPyproject.build).toBe("python3 -c 'from setuptools import setup; setup()' -q build_ext --inplace");
    // No declared extension, or only C files of tests or docs: no build step.
    expect(plan({ "setup.py": "from setuptools import setup\nsetup()\n", "x/_c.c": "", "tests/test_a.py": "" }).build).toBeUndefined();
    expect(plan({ "setup.py": setupPy, "tests/fixtures/x.c": "", "tests/test_a.py": "" }).build).toBeUndefined();
    expect(plan({ "setup.py": setupPy, "src/markupsafe/_speedups.c": "", "tests/test_a.py": "" }).install.join("\n")).toMatch(/python3-dev/);
  });

  it("retries the extension build with PEP 639 license fields read the old way, only where pyproject.toml uses them", () => {
    const setupPy = 'from setuptools import Extension, setup\nsetup(ext_modules=[Extension("markupsafe._speedups", ["src/markupsafe/_speedups.c"])])\n';
    const files = { "setup.py": setupPy, "src/markupsafe/__init__.py": "", "src/markupsafe/_speedups.c": "", "tests/test_a.py": "" };
    // markupsafe at HEAD: license = "BSD-3-Clause", license-files, setuptools>=77.
    const p = plan({ ...files, "pyproject.toml": '[project]\nname = "MarkupSafe"\nlicense = "BSD-3-Clause"\nlicense-files = ["LICENSE.txt"]\n[build-system]\nrequires = ["setuptools>=77"]\n' });
    expect(p.build).toMatch(/^python3 setup\.py -q build_ext --inplace \|\| \{ echo 'lego: retrying the extension build with pyproject\.toml'\\''s PEP 639 license fields/);
    expect(p.build).toContain('j["license"] = {"text": j["license"]}');
    expect(p.build).toContain('j.pop("license-files", None)');
    expect(p.build).toMatch(/exec\(compile\(open\("setup\.py"\)\.read\(\), "setup\.py", "exec"\).*' -q build_ext --inplace; \}$/s);
    expect(p.notes.join("\n")).toContain("pyproject.toml uses PEP 639 license fields (a license string, license-files), which setuptools before 77 rejects");
    expect(plan({ ...files, "pyproject.toml": '[project]\nname = "x"\nlicense-files = ["LICENSE"]\n' }).build).toContain(" || ");
    // The old table form, or no license: the plain command.
    expect(plan({ ...files, "pyproject.toml": '[project]\nname = "x"\nlicense = {text = "MIT"}\n' }).build).toBe("python3 setup.py -q build_ext --inplace");
    expect(plan({ ...files, "pyproject.toml": '[project]\nname = "x"\n' }).build).toBe("python3 setup.py -q build_ext --inplace");
  });

  it("strips the source directory from unittest module names in src layouts", () => {
    const p = plan({ "setup.py": "", "src/pkg/__init__.py": "", "src/pkg/tests/__init__.py": "", "src/pkg/tests/test_a.py": "" });
    expect(asUnittest(p.testCommand(["src/pkg/tests/test_a.py"]))).toBe("python3 -m unittest -v pkg.tests.test_a");
  });

  it("installs nothing and runs from source when nothing is declared", () => {
    const p = plan({ "app.py": "", "tox.ini": "[testenv]\ncommands = python -m unittest\n", "test_main.py": "" });
    expect(p.install).toEqual([]);
    expect(p.fallbacks).toEqual([]);
    expect(p.notes.join("\n")).toMatch(/nothing to install/);
  });

  it("runs requirements-only projects from source, their requirements from the index", () => {
    const p = plan({ "requirements.txt": "", "test_main.py": "" });
    expect(p.install[0]).toMatch(/\$lego_pip -r requirements.txt$/);
    expect(p.notes.join("\n")).toMatch(/nothing to install/);
  });
});

describe("JavaScript and TypeScript projects", () => {
  it("npm + jest: npm ci, the script's config kept, files by path", () => {
    const p = plan({
      "package.json": pkg({ scripts: { test: "jest --coverage --config jest.unit.js --watchAll" }, devDependencies: { jest: "^29" } }),
      "package-lock.json": "{}",
      "src/a.test.js": "",
    });
    expect(p).toMatchObject({ language: "javascript", framework: "jest", packageManager: "npm", nodeVersion: "22", dependencyFiles: ["package-lock.json", "package.json"] });
    expect(p.install).toEqual([expect.stringMatching(/^PUPPETEER_SKIP_DOWNLOAD=1 .* npm_config_nodedir=\/opt\/node npm ci --no-audit --no-fund$/)]);
    expect(p.fallbacks.map((f) => f.name)).toEqual(["install without lifecycle scripts", "install ignoring the lockfile, without lifecycle scripts"]);
    expect(p.fallbacks[0]?.install[0]).toMatch(/npm ci --no-audit --no-fund --ignore-scripts$/);
    expect(p.testCommand("all")).toBe("npx --no-install jest --config jest.unit.js --ci --json --outputFile=__LEGO_REPORT_PATH__");
    expect(p.report).toBe("jest-json");
    expect(p.testCommand(["src/a.test.js", "src/__snapshots__/a.test.js.snap", "README.md"])).toBe(
      "npx --no-install jest --config jest.unit.js --ci --json --outputFile=__LEGO_REPORT_PATH__ --runTestsByPath src/a.test.js",
    );
    expect(p.env).toEqual({ CI: "true", TZ: "UTC", LANG: "C.UTF-8", LC_ALL: "C.UTF-8", PYTHONHASHSEED: "0" });
  });

  it("yarn classic + mocha with .mocharc.yml: the config's spec is replaced for chosen files", () => {
    const p = plan({
      "package.json": pkg({ scripts: { test: "mocha" }, devDependencies: { mocha: "^10", "ts-node": "^10" } }),
      "yarn.lock": "",
      ".mocharc.yml": "spec: test/**/*.spec.ts\nrequire:\n  - ts-node/register\ntimeout: 5000\nrecursive: true\nreporter: dot\n",
      "test/a.spec.ts": "",
    });
    expect(p).toMatchObject({ framework: "mocha", packageManager: "yarn", dependencyFiles: ["package.json", "yarn.lock"] });
    expect(p.install[0]).toMatch(/ npx --yes yarn@1 install --frozen-lockfile --non-interactive$/);
    expect(p.testCommand("all")).toBe("npx --no-install mocha --reporter json --reporter-option output=__LEGO_REPORT_PATH__");
    expect(p.report).toBe("mocha-json");
    expect(p.testCommand(["test/a.spec.ts"])).toBe(
      "npx --no-install mocha --no-config --require=ts-node/register --timeout=5000 --recursive --reporter json --reporter-option output=__LEGO_REPORT_PATH__ test/a.spec.ts",
    );
  });

  it("pnpm + vitest: pnpm from packageManager, vitest run with the JSON reporter", () => {
    const p = plan({
      "package.json": pkg({ packageManager: "pnpm@8.15.4+sha256.abc", scripts: { test: "vitest --run --coverage" }, devDependencies: { vitest: "^1", typescript: "^5" } }),
      "pnpm-lock.yaml": "lockfileVersion: '6.0'\n",
      "test/x.test.ts": "",
    });
    expect(p).toMatchObject({ framework: "vitest", packageManager: "pnpm", language: "typescript" });
    expect(p.install[0]).toMatch(/ npx --yes pnpm@8.15.4 install --frozen-lockfile$/);
    // Ignoring the lockfile means not reading it: --no-frozen-lockfile alone still fetches what it pins.
    expect(p.fallbacks.find((f) => f.name === "install ignoring the lockfile, without lifecycle scripts")?.install[0]).toMatch(
      / npx --yes pnpm@8.15.4 install --no-frozen-lockfile --config.lockfile=false --ignore-scripts$/,
    );
    expect(p.testCommand(["test/x.test.ts"])).toBe("npx --no-install vitest run --reporter=json --outputFile=__LEGO_REPORT_PATH__ test/x.test.ts");
  });

  it("pnpm without packageManager follows the lockfile format", () => {
    const p = plan({ "package.json": pkg({ devDependencies: { vitest: "1" } }), "pnpm-lock.yaml": "lockfileVersion: 5.4\n" });
    expect(p.install[0]).toMatch(/npx --yes pnpm@7 install --frozen-lockfile$/);
  });

  it("yarn berry: yarnPath release, immutable, node-modules linker", () => {
    const p = plan({
      "package.json": pkg({ packageManager: "yarn@3.6.4", scripts: { test: "yarn jest" }, devDependencies: { jest: "29" } }),
      "yarn.lock": "",
      ".yarnrc.yml": "yarnPath: .yarn/releases/yarn-3.6.4.cjs\nnodeLinker: pnp\n",
      ".yarn/releases/yarn-3.6.4.cjs": "",
    });
    expect(p.framework).toBe("jest");
    expect(p.install[0]).toMatch(/YARN_NODE_LINKER=node-modules YARN_ENABLE_TELEMETRY=0 node .yarn\/releases\/yarn-3.6.4.cjs install --immutable$/);
    expect(p.dependencyFiles).toContain(".yarn/releases/yarn-3.6.4.cjs");
    expect(p.fallbacks[0]?.install[0]).toMatch(/YARN_ENABLE_SCRIPTS=false/);
    // yarn 2 and 3 have no --no-immutable, and --no-immutable still installs what yarn.lock pins.
    expect(p.fallbacks.find((f) => f.name === "install ignoring the lockfile, without lifecycle scripts")?.install[0]).toMatch(
      /^rm -f yarn\.lock && .*YARN_ENABLE_SCRIPTS=false YARN_ENABLE_IMMUTABLE_INSTALLS=false node \.yarn\/releases\/yarn-3\.6\.4\.cjs install$/,
    );
  });

  it("never takes a script's subcommand for a file filter (vitest bench)", () => {
    const p = plan({ "package.json": pkg({ scripts: { test: "vitest bench --config vitest.bench.ts" }, devDependencies: { vitest: "^2" } }) });
    expect(p.testCommand("all")).toMatch(/npx --no-install vitest run --config vitest\.bench\.ts --reporter=json /);
    expect(p.testCommand("all")).not.toMatch(/ bench /);
  });

  it("a wrapper script hides the runner: vitest from devDependencies", () => {
    const p = plan({ "package.json": pkg({ scripts: { test: "node scripts/test.js" }, devDependencies: { vitest: "^2" } }), "scripts/test.js": undefined as unknown as string });
    expect(p.framework).toBe("vitest");
    expect(p.notes[0]).toBe("vitest is a dependency");
  });

  it("a readable wrapper script names its runner", () => {
    const p = plan({
      "package.json": pkg({ scripts: { test: "npm run unit", unit: "cross-env NODE_ENV=test node ./scripts/run-tests.js" }, devDependencies: { jest: "^29", mocha: "^10" } }),
      "scripts/run-tests.js": "const { run } = require('jest');\nrun(process.argv.slice(2));\n",
    });
    expect(p.framework).toBe("jest");
    expect(p.notes[0]).toBe("scripts.test runs scripts/run-tests.js, which starts jest");
  });

  it("follows npm run chains and keeps env assignments and node flags", () => {
    const p = plan({
      "package.json": pkg({
        scripts: { test: "npm run lint && npm run test:unit", lint: "eslint .", "test:unit": "NODE_ENV=test node --experimental-vm-modules node_modules/jest/bin/jest.js --runInBand" },
        devDependencies: { jest: "^29" },
      }),
      "a.test.js": "",
    });
    expect(p.notes[0]).toBe('scripts.test starts jest (through the "test:unit" script)');
    expect(p.testCommand(["a.test.js"])).toMatch(/^NODE_ENV=test NODE_OPTIONS=--experimental-vm-modules npx --no-install jest --runInBand --ci /);
  });

  it("node:test via node --test (Node 20 at least)", () => {
    const p = plan({ "package.json": pkg({ engines: { node: ">=16" }, scripts: { test: "node --test --import tsx --test-reporter=spec test/" } }), "test/a.test.ts": "" });
    expect(p).toMatchObject({ framework: "node-test", nodeVersion: "24", reporterFlags: "--test-reporter=tap --test-reporter-destination=__LEGO_REPORT_PATH__", report: "tap" });
    expect(p.testCommand("all")).toBe("node --test --test-reporter=tap --test-reporter-destination=__LEGO_REPORT_PATH__ --import tsx test/");
    expect(p.testCommand(["test/a.test.ts"])).toBe("node --test --test-reporter=tap --test-reporter-destination=__LEGO_REPORT_PATH__ --import tsx test/a.test.ts");
    const old = plan({ "package.json": pkg({ engines: { node: "^18" }, scripts: { test: "node --test" } }) });
    expect(old.nodeVersion).toBe("20");
  });

  it("ava with its TAP report (its stdout) redirected to the report path, workers forked", () => {
    const p = plan({ "package.json": pkg({ scripts: { test: "ava --verbose --worker-threads --timeout=1m" }, devDependencies: { ava: "^6" } }), "test/a.js": "" });
    expect(p).toMatchObject({ framework: "ava", report: "tap", reporterFlags: "--tap" });
    expect(p.testCommand("all")).toBe("npx --no-install ava --timeout=1m --tap --no-worker-threads > __LEGO_REPORT_PATH__");
    expect(p.testCommand(["test/a.js"])).toBe("npx --no-install ava --timeout=1m --tap --no-worker-threads test/a.js > __LEGO_REPORT_PATH__");
    // ava 3 always forks its workers and knows no --no-worker-threads.
    const old = plan({ "package.json": pkg({ scripts: { test: "ava" }, devDependencies: { ava: "^3.15.0" } }), "test/a.js": "" });
    expect(old.testCommand("all")).toBe("npx --no-install ava --tap > __LEGO_REPORT_PATH__");
  });

  it.each([
    ["uvu tests", "tests"],
    ["uvu -r tsm test", "-r tsm test"],
    ["uvu test .js", "test .js"],
  ])("uvu from scripts.test %j: its own flags, our preload writing the TAP report", (script, args) => {
    const p = plan({ "package.json": pkg({ scripts: { test: script }, devDependencies: { uvu: "^0.5.6" } }), "test/a.js": "", "tests/b.js": "" });
    expect(p).toMatchObject({ framework: "uvu", report: "tap", reporterFlags: "LEGO_UVU_REPORT=__LEGO_REPORT_PATH__ NODE_OPTIONS=--require=/tmp/lego-uvu-hook.cjs" });
    const all = p.testCommand("all");
    expect(all).toMatch(/^printf '%s' ''\\''use strict'\\'';\n[\s\S]*' > \/tmp\/lego-uvu-hook\.cjs && /);
    expect(all.slice(all.lastIndexOf(".cjs && ") + 8)).toBe(`LEGO_UVU_REPORT=__LEGO_REPORT_PATH__ NODE_OPTIONS=--require=/tmp/lego-uvu-hook.cjs npx --no-install uvu ${args}`);
    const some = p.testCommand(["tests/b.js", "test/a.js"]);
    const flags = script.includes("-r tsm") ? "-r tsm " : "";
    expect(some.slice(some.lastIndexOf(".cjs && ") + 8)).toBe(`LEGO_UVU_REPORT=__LEGO_REPORT_PATH__ NODE_OPTIONS=--require=/tmp/lego-uvu-hook.cjs npx --no-install uvu ${flags}. '^(?:tests\\/b\\.js|test\\/a\\.js)$'`);
  });

  it("uvu from the dependencies alone, and node flags kept beside the preload", () => {
    const p = plan({ "package.json": pkg({ devDependencies: { uvu: "0.5.6" } }) });
    expect(p.framework).toBe("uvu");
    expect(p.notes[0]).toBe("uvu is a dependency");
    const q = plan({ "package.json": pkg({ scripts: { test: "node --loader tsm node_modules/uvu/bin.js tests -b" } }) });
    expect(q.testCommand("all")).toMatch(/ NODE_OPTIONS='--loader tsm --require=\/tmp\/lego-uvu-hook\.cjs' npx --no-install uvu tests$/);
  });

  it.each([
    [{ scripts: { test: "jasmine" }, devDependencies: { jasmine: "^5" } }, "jasmine"],
    [{ devDependencies: { jasmine: "^5" } }, "jasmine"],
    [{ scripts: { test: "lab -t 100 -L" }, devDependencies: { "@hapi/lab": "^25" } }, "lab"],
    [{ devDependencies: { "@hapi/lab": "^25" } }, "lab"],
  ])("an unsupported runner is named: %j", (fields, name) => {
    expect(detectEnvironment(snapshot({ "package.json": pkg(fields) }))).toEqual({
      error: `unsupported runner ${name}; set sandbox.testCmd in .github/lego.yml (LegoFactory cannot read per-test results from it)`,
    });
  });

  it("tap with its raw TAP written to the report path and coverage checks off for its major", () => {
    const modern = plan({ "package.json": pkg({ scripts: { test: "tap" }, devDependencies: { tap: "^18.6.1" } }) });
    expect(modern).toMatchObject({ report: "tap", reporterFlags: "--reporter=tap --disable-coverage" });
    expect(modern.testCommand("all")).toBe("npx --no-install tap --reporter=tap --reporter-file=__LEGO_REPORT_PATH__ --disable-coverage");
    // The script's own report file is dropped with its value: ours is the only one.
    // TAP=1 would send tap 18's report to stdout instead of the file.
    const raw = plan({ "package.json": pkg({ scripts: { test: "TAP=1 CI=1 tap" }, devDependencies: { tap: "^18" } }) });
    expect(raw.testCommand("all")).toBe("CI=1 npx --no-install tap --reporter=tap --reporter-file=__LEGO_REPORT_PATH__ --disable-coverage");
    const old = plan({ "package.json": pkg({ scripts: { test: "tap test/*.js --100 -o out.tap" }, devDependencies: { tap: "^16" } }) });
    expect(old.testCommand("all")).toBe("npx --no-install tap test/*.js --reporter=tap --output-file=__LEGO_REPORT_PATH__ --no-coverage");
  });

  it("react-scripts runs jest through its own wrapper", () => {
    const p = plan({ "package.json": pkg({ scripts: { test: "react-scripts test" }, dependencies: { "react-scripts": "5" } }) });
    expect(p.testCommand("all")).toMatch(/^npx --no-install react-scripts test --watchAll=false --ci --json /);
  });

  it("config files decide when scripts do not", () => {
    const p = plan({ "package.json": pkg({ devDependencies: { jest: "1", vitest: "1" } }), "jest.config.ts": "" });
    expect(p.framework).toBe("jest");
    expect(p.notes[0]).toBe("jest.config.ts configures jest");
  });

  it("TypeScript project from tsconfig.json", () => {
    const p = plan({ "package.json": pkg({ scripts: { test: "mocha -r ts-node/register 'test/**/*.ts'" } }), "tsconfig.json": "{}" });
    expect(p.language).toBe("typescript");
    expect(p.testCommand("all")).toMatch(/npx --no-install mocha -r ts-node\/register 'test\/\*\*\/\*.ts' --reporter json/);
    expect(p.testCommand(["test/a.ts"])).toMatch(/npx --no-install mocha -r ts-node\/register --reporter json --reporter-option output=__LEGO_REPORT_PATH__ test\/a.ts$/);
  });

  it.each([
    [{ engines: { node: ">=18 <21" } }, {}, "20"],
    [{ engines: { node: "^18.17.0 || ^20.3.0" } }, {}, "20"],
    [{ engines: { node: "20.11.1" } }, {}, "20.11.1"],
    [{ engines: { node: "14.x" } }, {}, "14"],
    [{}, { ".nvmrc": "lts/iron\n" }, "20"],
    [{}, { ".nvmrc": "v20" }, "20"],
    [{}, { ".node-version": "20.11.1" }, "20.11.1"],
    [{}, { ".nvmrc": "lts/*" }, "24"],
    [{ volta: { node: "18.19.0" }, engines: { node: ">=20" } }, { ".nvmrc": "22" }, "18.19.0"],
    [{}, {}, "22"],
  ])("node version: %j %j → %s", (fields, extra, version) => {
    const p = plan({ "package.json": pkg({ ...fields, devDependencies: { jest: "29" } }), ...extra });
    expect(p.nodeVersion).toBe(version);
    expect(p.fallbacks.some((f) => f.name.startsWith("Node 22 from the npm registry"))).toBe(!version.startsWith("22"));
  });

  it("says precisely why a package.json has no usable runner", () => {
    const r = detectEnvironment(snapshot({ "package.json": pkg({ scripts: { test: "karma start" } }) }));
    expect(r).toEqual({ error: "unsupported runner karma; set sandbox.testCmd in .github/lego.yml (LegoFactory cannot read per-test results from it)" });
    expect(detectEnvironment(snapshot({ "package.json": "{nope" }))).toEqual({ error: expect.stringMatching(/^package.json is not valid JSON/) });
  });
});

describe("Go projects", () => {
  it("go test -json for all packages or the packages of the given files", () => {
    const p = plan({ "go.mod": "module example.com/x\n\ngo 1.22\n", "go.sum": "", "pkg/a/a_test.go": "", "main_test.go": "" });
    expect(p).toMatchObject({ language: "go", framework: "go-test", packageManager: "go", dependencyFiles: ["go.mod", "go.sum"], reporterFlags: "-json", report: "go-json" });
    expect(p.install[0]).toMatch(/^curl -fsSL https:\/\/go.dev\/dl\/go1.22.0.linux-\$\(dpkg --print-architecture\).tar.gz \| tar -C \/usr\/local -xz && ln -sf /);
    expect(p.install[1]).toBe("GOPATH=/go GOCACHE=/go/cache go mod download");
    expect(p.testCommand("all")).toBe("GOPATH=/go GOCACHE=/go/cache GOPROXY=off go test -json -count=1 ./... > __LEGO_REPORT_PATH__");
    expect(p.testCommand(["pkg/a/a_test.go", "pkg/a/testdata/in.txt", "main_test.go", "pkg/a/testdata/gen.go"])).toBe(
      "GOPATH=/go GOCACHE=/go/cache GOPROXY=off go test -json -count=1 ./pkg/a . > __LEGO_REPORT_PATH__",
    );
  });

  it.each([
    ["go 1.22\n", "1.22.0"],
    ["go 1.20\n", "1.20"],
    ["go 1.21.5\ntoolchain go1.22.3\n", "1.22.3"],
    ["module x\n", undefined],
  ])("go.mod %j → %s", (mod, v) => expect(goVersion(mod)).toBe(v));
});

describe("detectEnvironment", () => {
  it("an empty repository is an error that says what was looked for", () => {
    expect(detectEnvironment(snapshot({}))).toEqual({ error: NO_PROJECT_ERROR });
    expect(detectEnvironment(snapshot({ "README.md": "" }))).toEqual({
      error: "no supported project files found (looked for pyproject.toml, setup.py, setup.cfg, requirements*.txt, tox.ini, package.json, go.mod)",
    });
  });

  it("with several ecosystems, the one with the most test files wins", () => {
    const p = plan({ "package.json": pkg({ devDependencies: { jest: "1" } }), "setup.py": "", "tests/test_a.py": "", "tests/test_b.py": "", "web/a.test.js": "" });
    expect(p.language).toBe("python");
    expect(p.notes[0]).toMatch(/^chose python \(2 test files\) over javascript \(1 test files\)/);
  });

  it("falls through to another ecosystem when one cannot be planned", () => {
    expect(plan({ "package.json": pkg({}), "go.mod": "module x\n" }).language).toBe("go");
  });
});

describe("overrides from .github/lego.yml", () => {
  const base = { "setup.py": "", "tests/test_a.py": "" };

  it("install replaces install and drops the fallbacks", () => {
    const p = plan(base, { install: ["make deps"] });
    expect(p.install).toEqual(["make deps"]);
    expect(p.fallbacks).toEqual([]);
  });

  it("testCmd gets the files appended, or substituted for {files}", () => {
    expect(plan(base, { testCmd: "tox -e py -- -rA" }).testCommand(["tests/test_a.py"])).toBe("tox -e py -- -rA tests/test_a.py");
    expect(plan(base, { testCmd: "tox -e py -- -rA" }).testCommand("all")).toBe("tox -e py -- -rA");
    expect(plan(base, { testCmd: "pytest {files} -q" }).testCommand(["tests/it's.py"])).toBe(`pytest 'tests/it'\\''s.py' -q`);
    expect(overrideCommand("run {files}", "all")).toBe("run ");
  });

  it("a testCmd naming another runner changes the framework the log is read as", () => {
    expect(plan(base, { testCmd: "python3 -m pytest -rA" }).framework).toBe("pytest");
    expect(plan(base, { testCmd: "make test" }).framework).toBe("unittest");
  });

  it("test ids run through the testCmd too: pytest takes node ids, other runners none", () => {
    const ids = ["tests/test_a.py::T::test_x", "tests/test_a.py::test_y[a b]"];
    const pytestBase = { ...base, "conftest.py": "" };
    expect(plan(base, { testCmd: "python3 -m pytest -rA -p no:cacheprovider" }).selectTests?.(ids, "unused")).toBe("python3 -m pytest -rA -p no:cacheprovider tests/test_a.py::T::test_x 'tests/test_a.py::test_y[a b]'");
    expect(plan(pytestBase, { testCmd: "tox -e py -- -rA {files}" }).selectTests?.(ids, "unused")).toBe("tox -e py -- -rA tests/test_a.py::T::test_x 'tests/test_a.py::test_y[a b]'");
    expect(plan(base, { testCmd: "make test" }).selectTests).toBeUndefined();
    expect(plan(base, { testCmd: "tox -e py" }).selectTests).toBeUndefined();
    expect(plan(pytestBase).selectTests?.(ids, "unused")).toMatch(/^python3 -m pytest .* tests\/test_a.py::T::test_x/);
  });

  it("image skips building, and works for repositories we do not recognise", () => {
    const p = plan({ "Makefile": "" }, { image: "ghcr.io/acme/env:1", testCmd: "go test -json ./..." });
    expect(p).toMatchObject({ image: "ghcr.io/acme/env:1", language: "go", framework: "go-test", install: [] });
    expect(detectEnvironment(snapshot({}), { testCmd: "make check" })).toEqual({ error: expect.stringContaining("names no test runner") });
  });

  it.each([
    ["npx jest --ci", "jest"],
    ["yarn vitest run", "vitest"],
    ["py.test -x", "pytest"],
    ["python -m unittest discover", "unittest"],
    ["cd sub && go test ./...", "go-test"],
    ["make", undefined],
  ])("frameworkOfCommand(%j) → %s", (cmd, fw) => expect(frameworkOfCommand(cmd)).toBe(fw));
});

describe("shell quoting of untrusted paths", () => {
  const weird = ["a b.py", "it's.py", 'say "hi".py', "$(touch /tmp/pwned).py", "`id`.py", "semi;colon.py", "new\nline.py", "-rf.py", "glob*.py", "ünï.py"];

  it("globs the script left to the shell stay globs, the rest is quoted", () => {
    const [cmd] = splitWords(`mocha test/**/*.spec.js 'lit/*.js' "my dir"/*.js`);
    expect(cmd?.slice(1).map(wordArg)).toEqual(["test/**/*.spec.js", "'lit/*.js'", "'my dir/'*.js"]);
  });

  it("shQuote round-trips through sh", () => {
    for (const w of weird) {
      const out = execFileSync("sh", ["-c", `printf '%s' ${shQuote(w)}`]).toString();
      expect(out).toBe(w);
    }
  });

  it("every runner gets each weird path as exactly one argument, never as an option", () => {
    const files = weird.map((w) => `tests/${w}`).concat(["-dash.py"]);
    const py = plan({ "pyproject.toml": "[tool.pytest.ini_options]\n", "x.py": "" });
    const argv = execFileSync("sh", ["-c", py.testCommand(files).replace(/^python3 -m pytest -rA --continue-on-collection-errors -p no:cacheprovider -o addopts="" --junitxml=__LEGO_REPORT_PATH__ -o junit_family=xunit1 /, `printf '%s\\0' `)])
      .toString()
      .split("\0")
      .slice(0, -1);
    expect(argv).toEqual([...weird.map((w) => `tests/${w}`), "./-dash.py"]);
    const js = plan({ "package.json": pkg({ devDependencies: { vitest: "1" } }) }).testCommand(["src/it's here.test.ts", "-x.test.ts"]);
    expect(js.endsWith(" 'src/it'\\''s here.test.ts' ./-x.test.ts")).toBe(true);
  });
});

describe("parsers", () => {
  it("TOML: tables, arrays of tables, strings, arrays and inline tables, tolerating junk", () => {
    const t = parseToml(
      [
        "# comment",
        'title = "a \\"q\\" \\u00e9"',
        "lit = 'C:\\path'",
        'multi = """',
        "line1",
        'line2"""',
        "[a.b]",
        'list = [ "x", # c',
        "  'y',",
        "]",
        'inline = { k = "v", n = 1, deep = { t = true } }',
        '"quoted key".x = 2',
        "this line is junk",
        "[[bin]]",
        'name = "one"',
        "[[bin]]",
        'name = "two"',
        "[broken",
        "lost = 1",
        "[c]",
        "date = 1979-05-27",
        "__proto__ = 1",
      ].join("\n"),
    );
    expect(t.title).toBe('a "q" é');
    expect(t.lit).toBe("C:\\path");
    expect(t.multi).toBe("line1\nline2");
    expect(tomlGet(t, "a", "b", "list")).toEqual(["x", "y"]);
    expect(tomlGet(t, "a", "b", "inline")).toEqual({ k: "v", n: 1, deep: { t: true } });
    expect(tomlGet(t, "a", "b", "quoted key", "x")).toBe(2);
    expect(t.bin).toEqual([{ name: "one" }, { name: "two" }]);
    expect(tomlGet(t, "c", "date")).toBe("1979-05-27");
    expect(tomlGet(t, "c", "lost")).toBeUndefined();
    expect(tomlGet(t, "c", "__proto__")).toBe(1);
  });

  it("INI: sections, both separators, continuation lines, comments", () => {
    const ini = parseIni("[options]\ninstall_requires =\n    a>=1\n    # no\n\n    b ; c\nzip_safe: False\n[tool:pytest]\naddopts = -ra\n");
    expect(iniList(ini.get("options")?.get("install_requires"))).toEqual(["a>=1", "b"]);
    expect(ini.get("options")?.get("zip_safe")).toBe("False");
    expect(ini.get("tool:pytest")?.get("addopts")).toBe("-ra");
    expect(iniList("a, b,c")).toEqual(["a", "b", "c"]);
  });

  it("requirement names and their Debian packages", () => {
    expect(["Django>=4", "zope.interface", "foo[bar]==1", "-e .", "./local", "https://x/y.whl", "# c", "PyYAML ; python_version<'3.8'"].map(requirementName)).toEqual([
      "django", "zope.interface", "foo", undefined, undefined, undefined, undefined, "pyyaml",
    ]);
    expect(debianCandidates(["pyyaml", "python-dateutil", "zope.interface", "pytest", "pip"])).toEqual([
      "python3-dateutil", "python3-yaml", "python3-zope-interface", "python3-zope.interface",
    ]);
  });

  it("semver: which majors a range allows", () => {
    const allowed = (r: string): number[] => [14, 16, 18, 20, 22, 24].filter((m) => allowsMajor(r, m));
    expect(allowed(">=18 <21")).toEqual([18, 20]);
    expect(allowed("^16 || ^18.17")).toEqual([16, 18]);
    expect(allowed(">= 14.0.0")).toEqual([14, 16, 18, 20, 22, 24]);
    expect(allowed("16 - 20")).toEqual([16, 18, 20]);
    expect(allowed("~20.5")).toEqual([20]);
    expect(allowed(">18.17.0 <18.17.2")).toEqual([18]);
    expect(allowed("*")).toEqual([14, 16, 18, 20, 22, 24]);
    expect(nodeFromRange(">=18 <21")?.version).toBe("20");
    expect(nodeFromRange("junk")).toBeUndefined();
    expect(nodeFromPin("lts/hydrogen")).toBe("18");
    expect(nodeFromPin("lts/unknown")).toBeUndefined();
    expect(chooseNode({ engines: "junk" })).toMatchObject({ version: "22" });
  });

  it("script chains: wrappers, npm-run-all globs, unsupported runners", () => {
    const scan = scanScripts(
      { test: "run-s lint test:*", lint: "eslint .", "test:unit": "c8 --reporter lcov mocha", "test:e2e": "playwright test", "test:wrap": "node ./tools/t.mjs > out.txt" },
      "test",
    );
    expect(scan.invocations.map((i) => [i.runner, i.script])).toEqual([["mocha", "test:unit"]]);
    expect(scan.unsupported).toEqual(["playwright"]);
    expect(scan.wrappers).toEqual(["tools/t.mjs"]);
    expect(scanScripts({ test: "echo run jest later && npx -y -p x dotenv -e .env -- vitest" }, "test").invocations.map((i) => i.runner)).toEqual(["vitest"]);
    expect(runnerInSource("import { startVitest } from 'vitest/node'")).toBe("vitest");
    expect(runnerInSource("spawnSync(process.execPath, ['--test', dir])")).toBe("node-test");
  });

  it("splitCommands: quotes, operators and redirections", () => {
    expect(splitCommands(`A=1 jest "a b" 'c d' e\\ f && mocha 2>&1 | tee log; x >out y`)).toEqual([
      ["A=1", "jest", "a b", "c d", "e f"],
      ["mocha"],
      ["tee", "log"],
      ["x", "y"],
    ]);
  });

  it("carriedArgs: everything but reporters/watch/coverage for a full run, loading flags for files", () => {
    const args = splitWords("run --config v.config.ts --coverage --reporter verbose src/")[0] ?? [];
    const texts = (mode: "all" | "files"): string[] => carriedArgs("vitest", args, mode).map((w) => w.text);
    expect(texts("all")).toEqual(["--config", "v.config.ts", "src/"]);
    expect(texts("files")).toEqual(["--config", "v.config.ts"]);
  });

  it("the Node swap command picks the newest release of the major from the registry metadata", () => {
    const cmd = replaceNodeCommand(22);
    const script = /python3 -c '([^']+)'/.exec(cmd)?.[1] ?? "";
    const meta = JSON.stringify({ versions: { "22.9.0": {}, "22.10.1": {}, "22.11.0-rc.1": {}, "24.1.0": {} } });
    expect(execFileSync("python3", ["-c", script], { input: meta }).toString().trim()).toBe("22.10.1");
    expect(cmd).toContain("tar -xz -C /opt/node --strip-components=1 package/bin/node");
  });
});
