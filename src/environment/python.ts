// Python projects: installed as a user would, into a virtual environment from a package index;
// when no index answers, dependencies come from Debian where it has them, the project is
// installed editable without its dependencies when Debian's setuptools can build it, and
// otherwise runs from source on PYTHONPATH.
import path from "node:path";
import { KEEP_FILE } from "../../sandbox/clean-tree.js";
import { REPORT_PLACEHOLDER } from "../../sandbox/test-logs/report.js";
import { shQuote } from "../../sandbox/quote.js";
import { unittestRunnerCommand, unittestSelectCommand } from "../../sandbox/test-logs/unittest-runner.js";
import type { Ini } from "./ini.js";
import { iniGet, parseIni } from "./ini.js";
import { IMAGE_PATH } from "../../sandbox/images.js";
import { aptInstallCommand, debianCandidates, declaredDependencies } from "./python-deps.js";
import { coverageInstallCommand, ENV_MARKER, extraRequirementLines, indexInstallCommand, oneAtATimeCommand, requiresPythonOf, testExtrasOf, VENV } from "./python-index.js";
import { pathArg, splitCommands } from "./shell.js";
import type { TomlTable } from "./toml.js";
import { isTable, parseToml, tomlGet, tomlStrings } from "./toml.js";
import type { EnvironmentPlan, RepoSnapshot } from "./types.js";

const REQUIREMENTS = /^([^/]*requirements[^/]*|requirements\/[^/]+)\.txt$/;
const ROOT_FILES = ["pyproject.toml", "setup.py", "setup.cfg", "tox.ini"];

/** Whether the snapshot has Python project files at its root. */
export function isPythonProject(files: string[]): boolean {
  return files.some((f) => ROOT_FILES.includes(f) || REQUIREMENTS.test(f));
}

interface Sources {
  pyproject?: TomlTable;
  setupCfg?: Ini;
  setupPy?: string;
  toxIni?: Ini;
}

export function planPython(repo: RepoSnapshot): EnvironmentPlan {
  const files = new Set(repo.files);
  const read = (f: string): string | undefined => (files.has(f) ? repo.read(f) : undefined);
  const pyprojectText = read("pyproject.toml");
  const pyproject = pyprojectText === undefined ? undefined : parseToml(pyprojectText);
  const setupCfgText = read("setup.cfg");
  // tox also reads its INI from pyproject.toml's [tool.tox] legacy_tox_ini.
  const legacyTox = pyproject ? tomlGet(pyproject, "tool", "tox", "legacy_tox_ini") : undefined;
  const toxText = read("tox.ini") ?? (typeof legacyTox === "string" ? legacyTox : undefined);
  const src: Sources = {
    pyproject,
    setupCfg: setupCfgText === undefined ? undefined : parseIni(setupCfgText),
    setupPy: read("setup.py"),
    toxIni: toxText === undefined ? undefined : parseIni(toxText),
  };
  const requirementFiles = repo.files.filter((f) => REQUIREMENTS.test(f)).sort();
  const requirements = requirementFiles.map((f) => repo.read(f)).filter((t): t is string => t !== undefined);
  const deps = declaredDependencies({ ...src, requirements });
  const notes: string[] = [];

  const framework = choosePythonFramework(repo.files, src, deps);
  notes.push(framework.why);

  const srcDir = sourceDir(repo.files, src);
  const pythonPath = srcDir ? `/repo/${srcDir}:/repo` : "/repo";
  if (srcDir) notes.push(`${srcDir}/ layout: PYTHONPATH=${pythonPath}`);

  const backend = buildBackend(files, src);
  // coverage.py beside pytest and unittest: `lego synth` maps which test executes which line with it (the
  // settrace fallback only sees functions). Not loaded unless asked for, so the tests are unchanged.
  // Best effort and after the project's own install: an index without it must not send the
  // project's install to a fallback, nor give a project that declares nothing an index install.
  const coverageTool = framework.name === "pytest" || framework.name === "unittest" ? ["coverage"] : [];
  const coverageInstall = coverageTool.length ? [coverageInstallCommand()] : [];
  const extensions = extensionBuild(repo.files, src);
  if (extensions) notes.push(extensions.why);
  // The headers compiled extensions build against come from Debian (the base image has gcc).
  const headers = extensions ? [aptInstallCommand(["python3-dev"])] : [];
  const debs = [...debianCandidates([...deps, ...coverageTool]), ...(extensions ? ["python3-dev"] : [])];
  const apt = debs.length > 0 ? [aptInstallCommand(debs)] : [];
  const indexInput = {
    installable: backend.hasMetadata,
    extras: testExtrasOf(src),
    requirementFiles,
    extraRequirements: [...new Set(extraRequirementLines(src, framework.name === "pytest" ? "pytest" : undefined))],
    requiresPython: requiresPythonOf(src),
  };
  // A user's install: a virtual environment from the package index, the build backend fetched
  // from it too. Debian's python3-* packages only when no index answers.
  const nothing = !indexInput.installable && requirementFiles.length === 0 && indexInput.extraRequirements.length === 0;
  // A VCS version file the build backend writes (hatch-vcs, setuptools-scm) is imported by the
  // package and tracked by no commit: kept across tree cleans, written when no backend ran.
  const versionFile = vcsVersionFile(src.pyproject);
  const keep = versionFile ? [keepVersionFileCommand(versionFile)] : [];
  if (versionFile) notes.push(`${versionFile} is written by the build backend from VCS metadata and imported by the package: kept in the image across tree cleans, and written with version 0+unknown when no backend could run`);
  const install = nothing ? headers : [...headers, indexInstallCommand(indexInput), ...coverageInstall, ...keep];
  if (!nothing) notes.push(
    `dependencies from the package index (PyPI, or LEGO_PIP_INDEX_URL / PIP_INDEX_URL) into ${VENV}: ${[
      indexInput.installable ? `-e .${indexInput.extras.length ? `[${indexInput.extras.join(",")}]` : ""}` : "",
      ...requirementFiles.map((f) => `-r ${f}`),
      indexInput.extraRequirements.length ? `${indexInput.extraRequirements.length} more from tox deps, dependency groups, tests_require and the runner` : "",
    ]
      .filter(Boolean)
      .join(", ") || "nothing declared"}`,
  );
  if (indexInput.requiresPython) notes.push(`requires-python ${indexInput.requiresPython}: the image uses the best interpreter that satisfies it and records a mismatch`);
  const offline = `rm -rf ${VENV}; echo '${ENV_MARKER}{"path":"debian"}'`;
  const fromSource = `rm -rf ${VENV}; echo '${ENV_MARKER}{"path":"source"}'`;
  const fallbacks: EnvironmentPlan["fallbacks"] = nothing
    ? []
    : [{ name: "package index, one requirement at a time", install: [...headers, oneAtATimeCommand(indexInput), ...keep], when: ["dependency-resolution", "compilation", "missing-compiler", "python-version"] }];
  if (backend.installable) {
    // Editable and without dependencies or build isolation, so nothing is fetched; the install
    // gives the package its metadata and entry points, which some code reads at import time.
    // Debian marks its Python as externally managed, hence --break-system-packages.
    fallbacks.push({
      name: "Debian python3-* packages (no package index reachable)",
      install: [offline, ...apt, "python3 -m pip install --break-system-packages --no-build-isolation --no-deps --no-index -e .", ...keep],
      when: ["network", "tls"],
    });
  }
  // The last resort whatever the failure: the health check then shows what the tests lack.
  if (!nothing) fallbacks.push({ name: `Debian python3-* packages, run from source (PYTHONPATH=${pythonPath})`, install: [fromSource, ...apt, ...keep], when: "any" });
  notes.push(backend.why);

  const dependencyFiles = [...ROOT_FILES.filter((f) => files.has(f)), ...requirementFiles, ...["poetry.lock", "Pipfile", "Pipfile.lock"].filter((f) => files.has(f))].sort();
  const addopts = framework.name === "pytest" ? keptAddopts(src) : [];
  if (framework.name === "pytest") {
    notes.push(
      `pytest runs with -o addopts="" because a repository's addopts (--cov, -n, --reruns…) need plugins the image may lack${addopts.length ? `; kept from addopts: ${addopts.join(" ")}` : ""}`,
    );
  }
  const unittest = framework.name === "unittest" ? unittestLayout(repo.files, framework.startDir, framework.pattern, srcDir) : undefined;

  // The JUnit report (xunit1: each case names its file) is what the run is graded on.
  const pytestBase = ["python3", "-m", "pytest", "-rA", "--continue-on-collection-errors", "-p", "no:cacheprovider", '-o addopts=""', ...addopts.map(shQuote), `--junitxml=${REPORT_PLACEHOLDER}`, "-o junit_family=xunit1"];
  return {
    language: "python",
    packageManager: "pip",
    framework: framework.name,
    dependencyFiles,
    install,
    fallbacks,
    testCommand: (testFiles) => {
      const chosen = testFiles === "all" ? [] : testFiles.filter((f) => f.endsWith(".py") && !/(^|\/)(conftest|__init__)\.py$/.test(f));
      // Changed files that are not test modules (data, conftest.py) name no tests: run them all.
      const target = chosen.length > 0 ? chosen : "all";
      if (unittest) return unittest(target);
      return [...pytestBase, ...(target === "all" ? [] : target.map(pathArg))].join(" ");
    },
    // pytest takes node ids (`file::Class::test[param]`) as arguments; our unittest runner
    // repeats the first run's command keeping only the tests with these ids.
    selectTests: (ids: string[], command: string) => (unittest ? unittestSelectCommand(ids, command) : [...pytestBase, ...ids.map(pathArg)].join(" ")),
    reporterFlags: framework.name === "pytest" ? "-rA" : "-v",
    ...(extensions ? { build: extensions.command } : {}),
    // pytest's JUnit XML; for unittest, the JSON lines of our runner (sandbox/test-logs/unittest-runner.ts).
    report: unittest ? "unittest-json" : "junit-xml",
    env: { PATH: `${VENV}/bin:${IMAGE_PATH}`, PYTHONPATH: pythonPath, PYTHONDONTWRITEBYTECODE: "1" },
    notes,
  };
}

interface FrameworkChoice {
  name: "pytest" | "unittest";
  why: string;
  startDir?: string;
  pattern?: string;
}

function choosePythonFramework(files: string[], src: Sources, deps: Set<string>): FrameworkChoice {
  const py = src.pyproject;
  const config =
    (py && tomlGet(py, "tool", "pytest", "ini_options") !== undefined && "pyproject.toml [tool.pytest.ini_options]") ||
    (py && isTable(tomlGet(py, "tool", "pytest")) && "pyproject.toml [tool.pytest]") ||
    (files.includes("pytest.ini") && "pytest.ini") ||
    (src.setupCfg?.has("tool:pytest") && "setup.cfg [tool:pytest]") ||
    (src.toxIni?.has("pytest") && "tox.ini [pytest]") ||
    (files.some((f) => /(^|\/)conftest\.py$/.test(f)) && "conftest.py");
  if (config) return { name: "pytest", why: `pytest: ${config} found` };
  const commands = [...(src.toxIni ?? new Map<string, Map<string, string>>())]
    .filter(([name]) => name === "testenv" || name.startsWith("testenv:"))
    .map(([, section]) => section.get("commands") ?? "")
    .join("\n");
  if (/(^|[\s/])py\.?test\b/m.test(commands)) return { name: "pytest", why: "pytest: tox.ini [testenv] commands run pytest" };
  const discover = /\bunittest\b(.*)$/m.exec(commands);
  if (discover) {
    const words = splitCommands(discover[1] ?? "")[0] ?? [];
    const after = (flag: string, long: string): string | undefined => {
      const i = words.findIndex((w) => w === flag || w === long);
      return i >= 0 ? words[i + 1] : undefined;
    };
    return { name: "unittest", why: "unittest: tox.ini [testenv] commands run unittest", startDir: after("-s", "--start-directory"), pattern: after("-p", "--pattern") };
  }
  const dep = [...deps].find((d) => d === "pytest" || d.startsWith("pytest-"));
  if (dep) return { name: "pytest", why: `pytest: ${dep} is a declared dependency` };
  return { name: "unittest", why: "unittest: no pytest configuration, conftest.py or pytest dependency" };
}

/** The directory packages are imported from, when it is not the root (src layout, poetry `from`). */
function sourceDir(files: string[], src: Sources): string | undefined {
  const py = src.pyproject;
  const poetryPackages = py ? tomlGet(py, "tool", "poetry", "packages") : undefined;
  if (Array.isArray(poetryPackages)) {
    for (const p of poetryPackages) if (isTable(p) && typeof p.from === "string") return p.from.replace(/\/+$/, "");
  }
  const where = py ? tomlStrings(tomlGet(py, "tool", "setuptools", "packages", "find", "where"))[0] : undefined;
  if (where && where !== ".") return where.replace(/\/+$/, "");
  const packageDir = py ? tomlGet(py, "tool", "setuptools", "package-dir") : undefined;
  if (isTable(packageDir) && typeof packageDir[""] === "string") return packageDir[""];
  const cfgDir = src.setupCfg ? /^=\s*(\S+)/m.exec(iniGet(src.setupCfg, "options", "package_dir") ?? "")?.[1] : undefined;
  if (cfgDir) return cfgDir;
  return files.some((f) => /^src\/[^/]+\/__init__\.py$/.test(f)) ? "src" : undefined;
}

/** `installable`: Debian's own setuptools can install it offline; `hasMetadata`: an index-fetched backend can. */
/** Pure: the version file a VCS-versioning build hook writes, from pyproject.toml (hatch-vcs, setuptools-scm); undefined without one. */
export function vcsVersionFile(pyproject: TomlTable | undefined): string | undefined {
  if (!pyproject) return undefined;
  for (const value of [
    tomlGet(pyproject, "tool", "hatch", "build", "hooks", "vcs", "version-file"),
    tomlGet(pyproject, "tool", "setuptools_scm", "version_file"),
    tomlGet(pyproject, "tool", "setuptools_scm", "write_to"),
  ]) {
    if (typeof value !== "string") continue;
    const file = value.trim().replace(/^\.\//, "");
    // Inside the repository only: an absolute path or one that climbs out is not ours to keep.
    if (file && !file.startsWith("/") && !file.split("/").includes("..") && /^[\w./-]+$/.test(file)) return file;
  }
  return undefined;
}

/**
 * Shell, cwd /repo, after an install: writes the version file when no build backend did, and names
 * it in the image's keep list (sandbox/clean-tree.ts) so the clean before every run leaves it.
 */
export function keepVersionFileCommand(file: string): string {
  const lines = ["__version__ = version = '0+unknown'", "__version_tuple__ = version_tuple = (0, 'unknown')"];
  return [
    `[ -e ${shQuote(file)} ] || { mkdir -p ${shQuote(path.posix.dirname(file))} && printf '%s\\n' ${lines.map(shQuote).join(" ")} > ${shQuote(file)} && echo ${shQuote(`lego: wrote ${file} (version 0+unknown): no build backend wrote it`)}; }`,
    `printf '%s\\n' ${shQuote(`/${file}`)} > ${KEEP_FILE}`,
  ].join("\n");
}

function buildBackend(files: Set<string>, src: Sources): { installable: boolean; hasMetadata: boolean; why: string } {
  const backend = src.pyproject ? tomlGet(src.pyproject, "build-system", "build-backend") : undefined;
  const poetry = src.pyproject !== undefined && isTable(tomlGet(src.pyproject, "tool", "poetry")) && typeof backend === "string";
  const hasMetadata = files.has("setup.py") || files.has("setup.cfg") || (src.pyproject !== undefined && isTable(tomlGet(src.pyproject, "project"))) || poetry;
  if (!hasMetadata) return { installable: false, hasMetadata, why: "nothing to install (no setup.py, setup.cfg, [project] or poetry): tests run from source" };
  if (typeof backend === "string" && !backend.startsWith("setuptools")) {
    return { installable: false, hasMetadata, why: `build backend ${backend} comes from the package index; offline, tests run from source` };
  }
  return { installable: true, hasMetadata, why: "setuptools project: pip install -e . with its build backend from the index; offline, Debian's setuptools without dependencies, then running from source" };
}

const EXTENSION_SOURCE = /\.(c|cc|cpp|cxx|pyx)$/;
const NOT_PACKAGE_CODE = /(^|\/)(tests?|testing|docs?|examples?|bench(marks?)?)\//;

/**
 * Compiled extensions the tests import: setup.py (or pyproject's [tool.setuptools] ext-modules)
 * declares them and their sources are tracked. Their build outputs (`*.so` next to the sources)
 * are untracked, so the clean tree removes the image's copies before every run, and each state
 * rebuilds its own in place, from its own sources (a fix in the C code is then what is tested).
 */
function extensionBuild(files: string[], src: Sources): { command: string; why: string } | undefined {
  const sources = files.filter((f) => EXTENSION_SOURCE.test(f) && !NOT_PACKAGE_CODE.test(f));
  if (sources.length === 0) return undefined;
  const inSetupPy = src.setupPy !== undefined && /\b(ext_modules|Extension\s*\(|cythonize\s*\()/.test(src.setupPy);
  const inPyproject = src.pyproject !== undefined && tomlGet(src.pyproject, "tool", "setuptools", "ext-modules") !== undefined;
  if (!inSetupPy && !inPyproject) return undefined;
  const setupCall = inSetupPy ? `sys.argv[0] = "setup.py"; exec(compile(open("setup.py").read(), "setup.py", "exec"), {"__name__": "__main__", "__file__": "setup.py"})` : "from setuptools import setup; setup()";
  const plain = inSetupPy ? "python3 setup.py -q build_ext --inplace" : `python3 -c 'from setuptools import setup; setup()' -q build_ext --inplace`;
  const pep639 = usesPep639License(src);
  // Offline, Debian's setuptools (66) rejects the PEP 639 license fields that setuptools >= 77
  // reads (markupsafe at HEAD: "`project.license` must be valid exactly by one definition"):
  // when the build fails, it runs again with those fields read the old way.
  const command = pep639
    ? `${plain} || { echo ${shQuote("lego: retrying the extension build with pyproject.toml's PEP 639 license fields read the way this older setuptools expects")} >&2; python3 -c ${shQuote(`${PEP639_SHIM}\n${setupCall}`)} -q build_ext --inplace; }`
    : plain;
  const declared = inSetupPy ? "setup.py declares ext_modules" : "pyproject.toml declares [tool.setuptools] ext-modules";
  return {
    command,
    why: `compiled extensions (${declared}; sources such as ${sources.slice(0, 2).join(", ")}): \`${plain}\` rebuilds them in place before the tests of every state, since the clean tree removes build outputs the image holds; Debian's python3-dev gives the headers${pep639 ? `; pyproject.toml uses PEP 639 license fields (a license string, license-files), which setuptools before 77 rejects, so where the build fails (offline, Debian's setuptools 66) it is retried with them read as \`license = {text = ...}\`` : ""}`,
  };
}

/** PEP 639 metadata: `license` as an SPDX string, or `license-files` (setuptools >= 77). */
function usesPep639License(src: Sources): boolean {
  if (!src.pyproject) return false;
  return typeof tomlGet(src.pyproject, "project", "license") === "string" || tomlGet(src.pyproject, "project", "license-files") !== undefined;
}

/** Python run before setup(): setuptools' pyproject.toml loader, with PEP 639 license fields given the pre-77 shape. */
const PEP639_SHIM = `import sys, setuptools.config.pyprojecttoml as p
def load_file(path, load=p.load_file):
    c = load(path)
    j = c.get("project") if isinstance(c, dict) else None
    if isinstance(j, dict):
        if isinstance(j.get("license"), str):
            j["license"] = {"text": j["license"]}
        j.pop("license-files", None)
    return c
p.load_file = load_file`;

/** Options from the repository's addopts that change collection and need no plugin. */
function keptAddopts(src: Sources): string[] {
  const raw = [
    src.pyproject ? tomlGet(src.pyproject, "tool", "pytest", "ini_options", "addopts") : undefined,
    iniGet(src.setupCfg ?? new Map(), "tool:pytest", "addopts"),
    iniGet(src.toxIni ?? new Map(), "pytest", "addopts"),
  ];
  const words = raw.flatMap((v) => (typeof v === "string" ? splitCommands(v).flat() : tomlStrings(v ?? []).flatMap((s) => splitCommands(s).flat())));
  const kept: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? "";
    if (/^--(import-mode|ignore|ignore-glob|doctest-glob)=/.test(w) || w === "--doctest-modules" || /^-pno:/.test(w)) kept.push(w);
    else if (/^--(import-mode|ignore|ignore-glob|doctest-glob)$/.test(w) && i + 1 < words.length) kept.push(`${w}=${words[++i]}`);
    else if (w === "-p" && (words[i + 1] ?? "").startsWith("no:")) kept.push(w, words[++i] ?? "");
  }
  return kept;
}

/**
 * unittest test ids depend on how modules are imported, so a full run and a run of chosen files
 * must import them the same way: from the root when the start directory is a package (or the
 * root), from inside the start directory when it is not (discover puts it on sys.path then).
 */
function unittestLayout(files: string[], startDir: string | undefined, pattern: string | undefined, srcDir: string | undefined): (target: string[] | "all") => string {
  const start = (startDir ?? ["tests", "test"].find((d) => files.some((f) => f.startsWith(`${d}/`))) ?? ".").replace(/^\.\/|\/+$/g, "") || ".";
  const isPackage = start === "." || files.includes(`${start}/__init__.py`);
  const patternArgs = pattern ? ["-p", shQuote(pattern)] : [];
  // `python3 -m unittest …` through our runner, which writes the per-test report.
  return (target) => {
    if (target === "all") {
      if (start === ".") return unittestRunnerCommand([], ["discover", "-v", ...patternArgs]);
      const top = isPackage ? ["-t", "."] : [];
      return unittestRunnerCommand([], ["discover", "-v", "-s", shQuote(start), ...top, ...patternArgs]);
    }
    const inStart = (f: string): boolean => !isPackage && f.startsWith(`${start}/`);
    const modules = target.map((f) => {
      let rel = inStart(f) ? f.slice(start.length + 1) : f;
      if (srcDir && rel.startsWith(`${srcDir}/`)) rel = rel.slice(srcDir.length + 1);
      return shQuote(rel.replace(/\.py$/, "").split("/").join("."));
    });
    const path = target.some(inStart) ? [`PYTHONPATH=${shQuote(start)}\${PYTHONPATH:+:$PYTHONPATH}`] : [];
    return unittestRunnerCommand(path, ["-v", ...modules]);
  };
}
