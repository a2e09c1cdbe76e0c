import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseIni } from "../../../../src/environment/ini.js";
import { extraRequirementLines, indexInstallCommand, oneAtATimeCommand, parseEnvMarkers, requiresPythonOf, testExtrasOf } from "../../../../src/environment/python-index.js";
import { parseToml } from "../../../../src/environment/toml.js";

const input = { installable: true, extras: ["test"], requirementFiles: ["requirements-dev.txt", "-odd name.txt"], extraRequirements: ["pytest", "mock>=2; python_version<'3.8'"], requiresPython: ">=3.9" };

describe("the index install scripts", () => {
  it.each([
    ["one resolve", indexInstallCommand(input)],
    ["one requirement at a time", oneAtATimeCommand(input)],
  ])("%s is valid bash with every repository value quoted", (_, script) => {
    execFileSync("bash", ["-n", "-c", script]);
    expect(script).toContain("'./-odd name.txt'");
    expect(script).toContain(`'mock>=2; python_version<'\\''3.8'\\'''`);
  });
});

describe("what the index install reads", () => {
  const py = parseToml(
    '[project]\nname = "x"\nrequires-python = ">=3.10"\n[project.optional-dependencies]\ntest = ["a"]\ndocs = ["b"]\ndev = ["c"]\n[dependency-groups]\ntest = ["pytest-x", {include-group = "lint"}]\nlint = ["ruff"]\ndocs = ["sphinx"]\n',
  );
  it("takes the test extras that exist, test dependency groups with their includes, tox deps with absolute -r paths", () => {
    expect(testExtrasOf({ pyproject: py })).toEqual(["test", "dev"]);
    const tox = parseIni("[testenv]\ndeps =\n    -r{toxinidir}/requirements-test.txt\n    mock\n    py38: old\n    {envname}-x\n");
    expect(extraRequirementLines({ pyproject: py, toxIni: tox }, "pytest")).toEqual(["pytest-x", "ruff", "-r/repo/requirements-test.txt", "mock", "pytest"]);
  });
  it("reads requires-python from [project], setup.cfg, setup.py and poetry", () => {
    expect(requiresPythonOf({ pyproject: py })).toBe(">=3.10");
    expect(requiresPythonOf({ setupCfg: parseIni("[options]\npython_requires = >=3.8\n") })).toBe(">=3.8");
    expect(requiresPythonOf({ setupPy: "setup(python_requires='>=3.7')" })).toBe(">=3.7");
    expect(requiresPythonOf({ pyproject: parseToml('[tool.poetry.dependencies]\npython = "^3.9"\n') })).toBe(">=3.9");
  });
  it("merges the install's ##lego-env lines and lists what was skipped", () => {
    const log = 'x\n##lego-env {"path":"index"}\n##lego-env {"python":"3.11.2","pythonSatisfies":false}\n##lego-env {"path":"index-one-at-a-time"}\n##lego-skip delta\n##lego-env {broken\n';
    expect(parseEnvMarkers(log)).toEqual({ path: "index-one-at-a-time", python: "3.11.2", pythonSatisfies: false, skipped: ["delta"] });
  });
});
