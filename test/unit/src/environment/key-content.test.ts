import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { detectEnvironment } from "../../../../src/environment/detect.js";
import { keyContent } from "../../../../src/environment/key-content.js";
import { environmentKey, snapshotAt } from "../../../../src/environment/snapshot.js";
import { commit, git } from "../../../support/fixture-repos.js";

const pkg = (o: object): string => JSON.stringify(o, null, 2);
const base = { name: "lib", version: "1.0.0", description: "a lib", scripts: { test: "jest", lint: "eslint ." }, devDependencies: { jest: "^29" } };
const key = (file: string, text: string): string => keyContent(file, Buffer.from(text)).toString();

describe("keyContent", () => {
  it("ignores a package.json's version, description and non-install scripts", () => {
    expect(key("package.json", pkg(base))).toBe(key("package.json", pkg({ ...base, version: "1.0.1", description: "better", scripts: { test: "jest --ci", lint: "x" } })));
  });
  it.each([
    ["a dependency", { dependencies: { lodash: "^4" } }],
    ["a devDependency", { devDependencies: { jest: "^30" } }],
    ["engines", { engines: { node: ">=22" } }],
    ["packageManager", { packageManager: "pnpm@9.0.0" }],
    ["a postinstall script", { scripts: { ...base.scripts, postinstall: "node fetch.js" } }],
    ["overrides", { overrides: { foo: "1.0.0" } }],
  ])("changes with %s", (_, change) => {
    expect(key("package.json", pkg(base))).not.toBe(key("package.json", pkg({ ...base, ...change })));
  });
  it("ignores a pyproject's version and description but not its dependencies or requires-python", () => {
    const py = (version: string, deps: string, rp = ">=3.8"): string =>
      `[build-system]\nrequires = ["setuptools"]\n\n[project]\nname = "x"\nversion = "${version}"\ndescription = "d${version}"\nrequires-python = "${rp}"\ndependencies = [${deps}]\n`;
    expect(key("pyproject.toml", py("1.0", '"a"'))).toBe(key("pyproject.toml", py("1.1", '"a"')));
    expect(key("pyproject.toml", py("1.0", '"a"'))).not.toBe(key("pyproject.toml", py("1.0", '"a", "b"')));
    expect(key("pyproject.toml", py("1.0", '"a"'))).not.toBe(key("pyproject.toml", py("1.0", '"a"', ">=3.10")));
  });
  it("ignores setup.cfg [metadata] except the name", () => {
    const cfg = (v: string, dep: string): string => `[metadata]\nname = x\nversion = ${v}\n\n[options]\ninstall_requires =\n    ${dep}\n`;
    expect(key("setup.cfg", cfg("1", "a"))).toBe(key("setup.cfg", cfg("2", "a")));
    expect(key("setup.cfg", cfg("1", "a"))).not.toBe(key("setup.cfg", cfg("1", "b")));
  });
  it("keys lockfiles and unparseable files by their bytes", () => {
    expect(key("package-lock.json", "{}")).toBe("{}");
    expect(key("package.json", "{not json")).toBe("{not json");
  });
});

describe("environmentKey", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "lego-key-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is the same across release bumps of one library and changes with its dependencies", async () => {
    git(dir, "init", "-q");
    const keyAt = async (sha: string): Promise<string> => {
      const plan = detectEnvironment(await snapshotAt(dir, sha));
      if ("error" in plan) throw new Error(plan.error);
      return environmentKey(dir, sha, plan, "sha256:base");
    };
    const v1 = commit(dir, "1.0.0", { "package.json": pkg(base), "package-lock.json": "{}", "a.test.js": "" });
    const v2 = commit(dir, "1.0.1", { "package.json": pkg({ ...base, version: "1.0.1" }), "src.js": "x" });
    const v3 = commit(dir, "1.0.2", { "package.json": pkg({ ...base, version: "1.0.2" }) });
    const dep = commit(dir, "add a dependency", { "package.json": pkg({ ...base, version: "1.0.2", dependencies: { lodash: "^4" } }) });
    const lock = commit(dir, "lockfile", { "package-lock.json": '{"lockfileVersion":3}' });
    const keys = await Promise.all([v1, v2, v3, dep, lock].map(keyAt));
    expect(new Set(keys.slice(0, 3)).size).toBe(1);
    expect(new Set(keys).size).toBe(3);
  });
});
