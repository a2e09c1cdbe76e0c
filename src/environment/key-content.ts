// What of a dependency file keys the environment image: the fields that change what the install
// does, not the release version or the description, so a version bump reuses the image.
import path from "node:path";
import { parseIni } from "./ini.js";
import { isTable, parseToml, type TomlTable } from "./toml.js";

const PACKAGE_JSON_FIELDS = [
  "dependencies", "devDependencies", "peerDependencies", "optionalDependencies", "bundleDependencies", "bundledDependencies",
  "engines", "packageManager", "workspaces", "overrides", "resolutions", "pnpm", "volta", "name",
];
// Lifecycle scripts the install runs (npm, yarn and pnpm run these on install).
const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall", "prepublish", "preprepare", "prepare", "postprepare", "dependencies"];
// pyproject.toml [project] keys besides these (version, description, readme, authors…) do not change the install.
const PROJECT_FIELDS = ["name", "dependencies", "optional-dependencies", "requires-python", "dynamic"];

function pick(obj: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => obj[k] !== undefined).map((k) => [k, obj[k]]));
}

function packageJson(text: string): string {
  const pkg = JSON.parse(text) as Record<string, unknown>;
  const scripts = typeof pkg.scripts === "object" && pkg.scripts !== null ? pick(pkg.scripts as Record<string, unknown>, INSTALL_SCRIPTS) : {};
  return JSON.stringify({ ...pick(pkg, PACKAGE_JSON_FIELDS), scripts });
}

function pyproject(text: string): string {
  const t = parseToml(text);
  const project = isTable(t.project) ? pick(t.project, PROJECT_FIELDS) : undefined;
  const tool = isTable(t.tool) ? t.tool : {};
  const poetry = isTable(tool.poetry) ? pick(tool.poetry as TomlTable, ["dependencies", "dev-dependencies", "group", "extras", "packages", "source"]) : undefined;
  // Other tools' tables (pytest, tox, setuptools layout) can change the install or the tests: kept whole.
  const otherTools = Object.fromEntries(Object.entries(tool).filter(([k]) => k !== "poetry" && k !== "black" && k !== "ruff" && k !== "isort" && k !== "mypy" && k !== "bumpversion" && k !== "commitizen"));
  return JSON.stringify({ "build-system": t["build-system"], project, "dependency-groups": t["dependency-groups"], poetry, tool: otherTools });
}

function setupCfg(text: string): string {
  const ini = parseIni(text);
  const sections = [...ini].filter(([name]) => name !== "metadata").map(([name, m]) => [name, [...m]]);
  const meta = ini.get("metadata");
  return JSON.stringify({ name: meta?.get("name"), sections });
}

/** The bytes of a dependency file that key the image; the file itself when it cannot be read. */
export function keyContent(file: string, content: Buffer): Buffer {
  const base = path.posix.basename(file);
  try {
    if (base === "package.json") return Buffer.from(packageJson(content.toString("utf8")));
    if (base === "pyproject.toml") return Buffer.from(pyproject(content.toString("utf8")));
    if (base === "setup.cfg") return Buffer.from(setupCfg(content.toString("utf8")));
  } catch {
    // Unparseable: the install will say so; the raw bytes still key it.
  }
  return content;
}
