// The Python install a user would run: a virtual environment filled from a package index (PyPI,
// or PIP_INDEX_URL / LEGO_PIP_INDEX_URL), with the project, its test extras, requirement files,
// tox deps, dependency groups and the test runner, built by a backend fetched from that index.
// Pure: it writes shell; the image builder runs it and reads the `##lego-env` lines it prints.
import { shQuote } from "../../sandbox/quote.js";
import type { Ini } from "./ini.js";
import { iniGet, iniList } from "./ini.js";
import { pathArg } from "./shell.js";
import type { TomlTable } from "./toml.js";
import { isTable, tomlGet } from "./toml.js";

export const VENV = "/opt/lego-venv";
/** Build-log lines `##lego-env {json}` carry what the install decided (path, interpreter). */
export const ENV_MARKER = "##lego-env ";
/** Build-log lines `##lego-skip <requirement>` name what the one-at-a-time install left out. */
export const SKIP_MARKER = "##lego-skip ";
export const DEFAULT_INDEX = "https://pypi.org/simple";
const TEST_EXTRAS = ["test", "tests", "testing", "dev"];
const TEST_GROUP = /test|dev|ci/i;

export interface IndexSources {
  pyproject?: TomlTable;
  setupCfg?: Ini;
  setupPy?: string;
  toxIni?: Ini;
}

export interface IndexInstallInput {
  /** Whether `pip install -e .` has metadata to build (pyproject [project], setup.py, setup.cfg, poetry). */
  installable: boolean;
  extras: string[];
  requirementFiles: string[];
  /** Lines for a generated requirements file: tox deps, dependency groups, tests_require, the runner. */
  extraRequirements: string[];
  requiresPython?: string;
}

/** Extras meant for tests that the project really declares, in a stable order. */
export function testExtrasOf(src: IndexSources): string[] {
  const declared = new Set<string>();
  const opt = src.pyproject ? tomlGet(src.pyproject, "project", "optional-dependencies") : undefined;
  if (isTable(opt)) for (const k of Object.keys(opt)) declared.add(k);
  for (const [k] of src.setupCfg?.get("options.extras_require") ?? []) declared.add(k);
  if (src.setupPy) {
    const m = /extras_require\s*=\s*\{([^}]*)\}/s.exec(src.setupPy);
    for (const k of (m?.[1] ?? "").matchAll(/["']([\w.-]+)["']\s*:/g)) declared.add(k[1] ?? "");
  }
  const poetryExtras = src.pyproject ? tomlGet(src.pyproject, "tool", "poetry", "extras") : undefined;
  if (isTable(poetryExtras)) for (const k of Object.keys(poetryExtras)) declared.add(k);
  return TEST_EXTRAS.filter((e) => declared.has(e));
}

/** PEP 735 dependency groups meant for tests, with `{include-group = …}` resolved. */
function dependencyGroupLines(py: TomlTable): string[] {
  const groups = tomlGet(py, "dependency-groups");
  if (!isTable(groups)) return [];
  const expand = (name: string, seen: Set<string>): string[] => {
    if (seen.has(name)) return [];
    seen.add(name);
    const list = groups[name];
    if (!Array.isArray(list)) return [];
    return list.flatMap((item) => (typeof item === "string" ? [item] : isTable(item) && typeof item["include-group"] === "string" ? expand(item["include-group"], seen) : []));
  };
  return Object.keys(groups)
    .filter((g) => TEST_GROUP.test(g))
    .flatMap((g) => expand(g, new Set()));
}

/** Poetry's `name = "^1.2"` tables as requirement lines; constraints are poetry's, so names only. */
function poetryTestLines(py: TomlTable): string[] {
  const tables = [tomlGet(py, "tool", "poetry", "dev-dependencies")];
  const groups = tomlGet(py, "tool", "poetry", "group");
  if (isTable(groups)) for (const [name, g] of Object.entries(groups)) if (TEST_GROUP.test(name) && isTable(g)) tables.push(g.dependencies);
  return tables.flatMap((t) => (isTable(t) ? Object.keys(t).filter((k) => k !== "python") : []));
}

/** Requirement lines beyond the project's own metadata and its requirement files. */
export function extraRequirementLines(src: IndexSources, runner: string | undefined): string[] {
  const lines: string[] = [];
  if (src.pyproject) lines.push(...dependencyGroupLines(src.pyproject), ...poetryTestLines(src.pyproject));
  if (src.setupCfg) lines.push(...iniList(iniGet(src.setupCfg, "options", "tests_require")));
  if (src.setupPy) {
    const m = /tests_require\s*=\s*\[([^\]]*)\]/.exec(src.setupPy);
    for (const s of (m?.[1] ?? "").matchAll(/["']([^"']+)["']/g)) lines.push(s[1] ?? "");
  }
  for (const [name, section] of src.toxIni ?? []) {
    if (name !== "testenv" && !name.startsWith("testenv:")) continue;
    for (const dep of iniList(section.get("deps"))) {
      // The generated file lives in /tmp: relative -r/-c paths are made absolute.
      const line = dep.replace(/\{toxinidir\}\/?/g, "./").replace(/^(-[rc]|--requirement|--constraint)\s*(?!\/)(?:\.\/)?/, "$1/repo/");
      // Other substitutions ({envname}, factor conditions) name nothing pip can read.
      if (!/[{}]/.test(line) && !/^\w[\w-]*:\s/.test(line)) lines.push(line);
    }
  }
  if (runner) lines.push(runner);
  return [...new Set(lines.map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#")))];
}

/** The project's `requires-python`, wherever it declares it. */
export function requiresPythonOf(src: IndexSources): string | undefined {
  const fromProject = src.pyproject ? tomlGet(src.pyproject, "project", "requires-python") : undefined;
  if (typeof fromProject === "string") return fromProject.trim();
  const cfg = src.setupCfg ? iniGet(src.setupCfg, "options", "python_requires") : undefined;
  if (cfg) return cfg.trim();
  const py = src.setupPy ? /python_requires\s*=\s*["']([^"']+)["']/.exec(src.setupPy)?.[1] : undefined;
  if (py) return py.trim();
  const poetry = src.pyproject ? tomlGet(src.pyproject, "tool", "poetry", "dependencies", "python") : undefined;
  if (typeof poetry === "string") {
    // Poetry's caret and tilde mean "compatible release" from that version up.
    const m = /^\s*[\^~]\s*(\d+(?:\.\d+)*)/.exec(poetry);
    return m ? `>=${m[1]}` : poetry.trim();
  }
  return undefined;
}

// Reaches the index before anything else, so an offline build fails in seconds with one clear
// line (and the Debian fallback runs) instead of after pip's retries. A 5xx counts as unreachable.
const PROBE = `import sys, urllib.error, urllib.parse, urllib.request
url = sys.argv[1]
p = urllib.parse.urlsplit(url)
shown = urllib.parse.urlunsplit((p.scheme, p.hostname + (":%d" % p.port if p.port else "") if p.hostname else p.netloc, p.path, "", ""))
try:
    urllib.request.urlopen(url.rstrip("/") + "/pip/", timeout=15)
except urllib.error.HTTPError as e:
    if e.code >= 500:
        print("lego: no package index reachable: %s answered HTTP %d" % (shown, e.code), file=sys.stderr)
        sys.exit(3)
except Exception as e:
    print("lego: no package index reachable at %s: %s" % (shown, e), file=sys.stderr)
    sys.exit(3)
print("lego: package index %s is reachable" % shown)`;

// The best interpreter for requires-python: the system one when it fits, else the newest that
// does; none fitting is recorded, never silent.
const CHOOSE = `import json, os, shutil, subprocess, sys
spec = sys.argv[1]
try:
    from pip._vendor.packaging.specifiers import SpecifierSet
    wanted = SpecifierSet(spec) if spec else None
except Exception as e:
    print("lego: requires-python %r is not a valid specifier (%s); using the system interpreter" % (spec, e), file=sys.stderr)
    wanted = None
found, seen = [], set()
for name in ["python3"] + ["python3.%d" % m for m in range(20, 7, -1)]:
    exe = shutil.which(name)
    if not exe or os.path.realpath(exe) in seen:
        continue
    seen.add(os.path.realpath(exe))
    try:
        v = subprocess.run([exe, "-c", "import platform; print(platform.python_version())"], capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:
        continue
    if v:
        found.append((exe, v))
fits = [f for f in found if wanted is None or wanted.contains(f[1], prereleases=True)]
chosen = fits[0] if fits else found[0]
print("##lego-env " + json.dumps({"python": chosen[1], "requiresPython": spec or None, "pythonSatisfies": bool(fits), "interpreters": [f[1] for f in found]}), file=sys.stderr)
if not fits:
    print("lego: requires-python %s: no interpreter here satisfies it (found %s)" % (spec, ", ".join(f[1] for f in found)), file=sys.stderr)
print(chosen[0] if fits else "")`;

function heredoc(tag: string, body: string): string {
  return `<<'${tag}'\n${body}\n${tag}\n`;
}

/** Probe the index, pick the interpreter, create the venv; sets $lego_pip to the install command. */
function setupScript(requiresPython: string | undefined): string {
  const req = shQuote(requiresPython ?? "");
  return [
    // A venv from an earlier attempt would shadow the system python3 on PATH.
    `rm -rf ${VENV}; hash -r`,
    `echo '##lego-step reach the package index'`,
    `index="\${PIP_INDEX_URL:-${DEFAULT_INDEX}}"`,
    `python3 - "$index" ${heredoc("LEGO_PY", PROBE)}`,
    `echo '##lego-step choose the interpreter and create ${VENV}'`,
    `py=$(python3 - ${req} ${heredoc("LEGO_PY", CHOOSE)})`,
    `irp=""`,
    `if command -v uv >/dev/null 2>&1; then`,
    // uv finds or installs an interpreter for the range (UV_PYTHON_INSTALL_MIRROR configures where from).
    `  uv venv -q --system-site-packages --python "\${py:-${requiresPython ? shQuote(requiresPython) : "python3"}}" ${VENV} || uv venv -q --system-site-packages --python python3 ${VENV}`,
    `  lego_pip="uv pip install --python ${VENV}/bin/python"`,
    `else`,
    `  if [ -z "$py" ]; then py=python3; irp=--ignore-requires-python; fi`,
    `  "$py" -m venv --system-site-packages ${VENV}`,
    `  lego_pip="${VENV}/bin/python -m pip install --disable-pip-version-check --no-input --progress-bar off $irp"`,
    `fi`,
    `echo '${ENV_MARKER}{"path":"index"}'`,
  ].join("\n");
}

function requirementsFile(lines: string[]): string {
  return lines.length === 0 ? "" : `printf '%s\\n' ${lines.map(shQuote).join(" ")} > /tmp/lego-requirements.txt\n`;
}

/**
 * One pip (or uv) resolve over everything, so a conflict is reported as the resolver sees it.
 * Runs with `set -e`: the first failing step fails the attempt.
 */
export function indexInstallCommand(input: IndexInstallInput): string {
  const args: string[] = [];
  if (input.installable) args.push("-e", shQuote(input.extras.length ? `.[${input.extras.join(",")}]` : "."));
  for (const f of input.requirementFiles) args.push("-r", pathArg(f));
  if (input.extraRequirements.length) args.push("-r", "/tmp/lego-requirements.txt");
  return `set -e\n${setupScript(input.requiresPython)}\n${requirementsFile(input.extraRequirements)}echo '##lego-step install the project and its test dependencies'\n${args.length ? `$lego_pip ${args.join(" ")}` : "true"}`;
}

/**
 * The fallback after a resolver failure (a missing distribution, a version conflict, a wheel that
 * will not build): each requirement on its own, skipping and naming what fails, as a user
 * would to get a working environment. The index must still be reachable.
 */
export function oneAtATimeCommand(input: IndexInstallInput): string {
  const lines: string[] = ["set -e", setupScript(input.requiresPython), "set +e", `echo '${ENV_MARKER}{"path":"index-one-at-a-time"}'`, requirementsFile(input.extraRequirements).trimEnd()];
  lines.push(`lego_try() { $lego_pip "$@" || return 1; }`);
  lines.push(`lego_line() { case "$1" in ''|'#'*) return 0;; -*) lego_try $1;; *) lego_try "$1";; esac || echo "${SKIP_MARKER}$1"; }`);
  if (input.installable) {
    const spec = shQuote(input.extras.length ? `.[${input.extras.join(",")}]` : ".");
    lines.push(`lego_try -e ${spec} || lego_try -e . || lego_try --no-deps -e . || echo "${SKIP_MARKER}the project itself (-e .)"`);
  }
  const files = [...input.requirementFiles.map(pathArg), ...(input.extraRequirements.length ? ["/tmp/lego-requirements.txt"] : [])];
  for (const f of files) lines.push(`lego_try -r ${f} || while IFS= read -r l || [ -n "$l" ]; do lego_line "$(printf '%s' "$l" | sed 's/[[:space:]]#.*$//; s/^[[:space:]]*//; s/[[:space:]]*$//')"; done < ${f}`);
  lines.push("true");
  return lines.filter((l) => l !== "").join("\n");
}

export interface EnvDetails {
  path?: string;
  python?: string;
  requiresPython?: string | null;
  pythonSatisfies?: boolean;
  interpreters?: string[];
  skipped?: string[];
}

/** What the install recorded in its log: the `##lego-env` objects merged, skipped requirements listed. */
export function parseEnvMarkers(log: string): EnvDetails {
  const out: EnvDetails = {};
  const skipped: string[] = [];
  for (const raw of log.split("\n")) {
    const line = raw.trim();
    if (line.startsWith(ENV_MARKER)) {
      try {
        Object.assign(out, JSON.parse(line.slice(ENV_MARKER.length)) as EnvDetails);
      } catch {
        // A marker cut by the log cap; the rest of the log still counts.
      }
    } else if (line.startsWith(SKIP_MARKER)) skipped.push(line.slice(SKIP_MARKER.length));
  }
  if (skipped.length) out.skipped = skipped;
  return out;
}

/**
 * coverage.py into the virtual environment, best effort, after the project's own install: it is
 * `lego synth`'s per-test line map (without it synth falls back to a settrace map), never one of
 * the project's dependencies, so an index that lacks it fails nothing. Does nothing when the
 * install ended on a path without the virtual environment.
 */
export function coverageInstallCommand(): string {
  const pip = `if command -v uv >/dev/null 2>&1; then uv pip install --python ${VENV}/bin/python coverage; else ${VENV}/bin/python -m pip install --disable-pip-version-check --no-input --progress-bar off coverage; fi`;
  return `if [ -x ${VENV}/bin/python ] && ! ${VENV}/bin/python -c 'import coverage' 2>/dev/null; then { ${pip}; } || echo 'lego: coverage.py could not be installed from the package index; lego synth maps tests with its settrace fallback' >&2; fi`;
}
