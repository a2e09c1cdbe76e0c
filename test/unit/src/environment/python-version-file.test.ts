import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { detectEnvironment } from "../../../../src/environment/detect.js";
import { keepVersionFileCommand, vcsVersionFile } from "../../../../src/environment/python.js";
import { parseToml } from "../../../../src/environment/toml.js";
import type { RepoSnapshot } from "../../../../src/environment/types.js";

// python-humanize/humanize's pyproject.toml (build-system, [project], [tool.hatch]) as it is:
// hatch-vcs writes src/humanize/_version.py, which humanize/__init__.py imports.
const humanize = readFileSync("test/fixtures/python/humanize-pyproject.toml", "utf8");

function snapshot(files: Record<string, string>): RepoSnapshot {
  return { files: Object.keys(files), read: (p) => files[p] };
}

describe("the VCS version file a build backend writes", () => {
  it("is read from hatch-vcs and setuptools-scm settings, inside the repository only", () => {
    expect(vcsVersionFile(parseToml(humanize))).toBe("src/humanize/_version.py");
    expect(vcsVersionFile(parseToml('[tool.setuptools_scm]\nwrite_to = "./pkg/_v.py"\n'))).toBe("pkg/_v.py");
    expect(vcsVersionFile(parseToml('[tool.setuptools_scm]\nversion_file = "src/p/version.py"\n'))).toBe("src/p/version.py");
    expect(vcsVersionFile(parseToml('[tool.setuptools_scm]\nwrite_to = "../outside.py"\n'))).toBeUndefined();
    expect(vcsVersionFile(parseToml('[tool.setuptools_scm]\nwrite_to = "/etc/x.py"\n'))).toBeUndefined();
    expect(vcsVersionFile(parseToml('[project]\nname = "x"\n'))).toBeUndefined();
  });

  it("is kept by every install path, the package index's and the offline ones", () => {
    const plan = detectEnvironment(snapshot({ "pyproject.toml": humanize, "src/humanize/__init__.py": "from ._version import __version__\n", "tests/test_x.py": "" }));
    if ("error" in plan) throw new Error(plan.error);
    const keep = keepVersionFileCommand("src/humanize/_version.py");
    expect(plan.install.at(-1)).toBe(keep);
    expect(plan.fallbacks.length).toBeGreaterThan(0);
    for (const f of plan.fallbacks) expect(f.install.at(-1), f.name).toBe(keep);
    expect(plan.notes.join("\n")).toContain("src/humanize/_version.py is written by the build backend");
  });

  it("writes the file only when no backend did, and lists it for the clean", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "lego-vf-"));
    const keepFile = path.join(dir, "keep");
    const run = () => execFileSync("sh", ["-c", keepVersionFileCommand("src/pkg/_version.py").replace("/etc/lego-keep", keepFile)], { cwd: dir, encoding: "utf8" });
    try {
      expect(run()).toContain("lego: wrote src/pkg/_version.py");
      expect(readFileSync(path.join(dir, "src/pkg/_version.py"), "utf8")).toBe("__version__ = version = '0+unknown'\n__version_tuple__ = version_tuple = (0, 'unknown')\n");
      expect(readFileSync(keepFile, "utf8")).toBe("/src/pkg/_version.py\n");
      execFileSync("sh", ["-c", "echo \"version = '1.2'\" > src/pkg/_version.py"], { cwd: dir });
      expect(run()).toBe("");
      expect(readFileSync(path.join(dir, "src/pkg/_version.py"), "utf8")).toBe("version = '1.2'\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
