// Python dependencies, read from every place a project declares them, and their Debian
// packages: with PyPI out of reach, Debian's python3-* packages are the only way in.
import type { Ini } from "./ini.js";
import { iniGet, iniList } from "./ini.js";
import type { TomlTable } from "./toml.js";
import { isTable, tomlGet, tomlStrings } from "./toml.js";

/** A requirement line → the project name, lower-case, `_` as `-` (dots kept); undefined for options, paths, URLs. */
export function requirementName(line: string): string | undefined {
  const s = line.replace(/(^|\s)#.*$/, "").trim();
  if (s === "" || s.startsWith("-") || s.startsWith(".") || s.startsWith("/") || /^[a-z+]+:\/\//i.test(s)) return undefined;
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(s);
  return m?.[1]?.toLowerCase().replace(/_/g, "-");
}

// Where Debian names a package after its import name rather than its PyPI name.
const DEBIAN_NAMES: Record<string, string> = {
  pyyaml: "python3-yaml", beautifulsoup4: "python3-bs4", pillow: "python3-pil", "scikit-learn": "python3-sklearn",
  attrs: "python3-attr", pyjwt: "python3-jwt", pyserial: "python3-serial", "opencv-python": "python3-opencv",
  "opencv-python-headless": "python3-opencv", "psycopg2-binary": "python3-psycopg2", mysqlclient: "python3-mysqldb",
  pyzmq: "python3-zmq", pygobject: "python3-gi", pyopenssl: "python3-openssl", "websocket-client": "python3-websocket",
  "msgpack-python": "python3-msgpack", pycryptodomex: "python3-pycryptodome", "typing-extensions": "python3-typing-extensions",
};
// Already in the base image, or not a package at all (poetry's `python = "^3.8"`).
const PROVIDED = new Set(["python", "pip", "setuptools", "wheel", "pytest"]);
const DEBIAN_PACKAGE = /^python3-[a-z0-9][a-z0-9.+-]*$/;

/** Candidate Debian package names; the install step keeps those the archive really has. */
export function debianCandidates(names: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const name of names) {
    if (PROVIDED.has(name)) continue;
    const mapped = DEBIAN_NAMES[name];
    const bare = name.startsWith("python-") ? name.slice("python-".length) : name;
    const candidates = mapped ? [mapped] : [`python3-${bare}`, `python3-${bare.replace(/\./g, "-")}`];
    for (const c of candidates) if (DEBIAN_PACKAGE.test(c)) out.add(c);
  }
  return [...out].sort();
}

export interface PythonSources {
  pyproject?: TomlTable;
  setupCfg?: Ini;
  setupPy?: string;
  toxIni?: Ini;
  requirements: string[];
}

/** Declared runtime, test and build dependencies, as requirement names. */
export function declaredDependencies(src: PythonSources): Set<string> {
  const lines: string[] = [];
  const py = src.pyproject;
  if (py) {
    lines.push(...tomlStrings(tomlGet(py, "project", "dependencies")));
    lines.push(...tomlStrings(tomlGet(py, "build-system", "requires")));
    lines.push(...testExtras(tomlGet(py, "project", "optional-dependencies")));
    lines.push(...testExtras(tomlGet(py, "dependency-groups")));
    const poetry = tomlGet(py, "tool", "poetry");
    const tables = [tomlGet(py, "tool", "poetry", "dependencies"), tomlGet(py, "tool", "poetry", "dev-dependencies")];
    const groups = tomlGet(py, "tool", "poetry", "group");
    if (isTable(groups)) for (const g of Object.values(groups)) tables.push(isTable(g) ? g.dependencies : undefined);
    if (poetry) for (const t of tables) if (isTable(t)) lines.push(...Object.keys(t));
  }
  if (src.setupCfg) {
    for (const key of ["install_requires", "tests_require", "setup_requires"]) lines.push(...iniList(iniGet(src.setupCfg, "options", key)));
    const extras = src.setupCfg.get("options.extras_require");
    for (const [k, v] of extras ?? []) if (/test|dev|ci/i.test(k)) lines.push(...iniList(v));
  }
  if (src.setupPy) {
    for (const m of src.setupPy.matchAll(/(install_requires|tests_require|setup_requires)\s*=\s*\[([^\]]*)\]/g)) {
      for (const s of (m[2] ?? "").matchAll(/["']([^"']+)["']/g)) lines.push(s[1] ?? "");
    }
  }
  if (src.toxIni) {
    for (const [name, section] of src.toxIni) {
      if (name === "testenv" || name.startsWith("testenv:")) lines.push(...iniList(section.get("deps")).filter((l) => !l.includes("{")));
    }
  }
  for (const text of src.requirements) lines.push(...text.split(/\r?\n/));
  const names = new Set<string>();
  for (const line of lines) {
    const name = requirementName(line);
    if (name) names.add(name);
  }
  return names;
}

/** Extras or dependency groups meant for testing and development. */
function testExtras(v: ReturnType<typeof tomlGet>): string[] {
  if (!isTable(v)) return [];
  return Object.entries(v)
    .filter(([k]) => /test|dev|ci/i.test(k))
    .flatMap(([, list]) => tomlStrings(list));
}

/**
 * Installs whichever candidates Debian has, in one apt transaction. Never fails the build: a
 * missing package costs the tests that import it, which validation then reports.
 */
export function aptInstallCommand(packages: string[]): string {
  const list = packages.filter((p) => DEBIAN_PACKAGE.test(p)).join(" ");
  return [
    // The loop ends in `true`: its status would otherwise be that of the last `apt-cache show`,
    // and one unpackaged name at the end of the list would skip every package before it.
    `(apt-get update -qq && pkgs=$(for p in ${list}; do apt-cache show "$p" >/dev/null 2>&1 && echo "$p"; done; true)`,
    `&& { [ -z "$pkgs" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs; })`,
    `|| echo "lego: some Debian packages for the Python dependencies could not be installed" >&2;`,
    `rm -rf /var/lib/apt/lists/*`,
  ].join(" ");
}
