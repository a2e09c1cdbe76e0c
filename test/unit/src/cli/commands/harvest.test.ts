// `lego harvest` reads .github/lego.yml from the clone: a missing file means the defaults, a
// git failure is an error (it used to be read as "no file" and harvest ran with the defaults).
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoSettingsAt } from "../../../../../src/cli/commands/harvest.js";
import { defaultRepoConfig, harvestSettings } from "../../../../../src/repo-config.js";

const dirs: string[] = [];
function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "lego-yml-"));
  dirs.push(dir);
  const g = (...args: string[]) => execFileSync("git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@t", ...args], { encoding: "utf8" }).trim();
  g("init", "-q", "-b", "main");
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  g("add", "-A");
  g("commit", "-qm", "init");
  return dir;
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("repoSettingsAt", () => {
  it("uses the defaults when the repository has no .github/lego.yml", async () => {
    expect(await repoSettingsAt(repo({ "README.md": "x\n" }))).toEqual(harvestSettings(defaultRepoConfig));
  });

  it("reads the file when it is there", async () => {
    expect((await repoSettingsAt(repo({ ".github/lego.yml": "harvest:\n  maxFiles: 7\n" }))).maxFiles).toBe(7);
  });

  it("stops with the problems of a broken file", async () => {
    await expect(repoSettingsAt(repo({ ".github/lego.yml": "harvest:\n  maxFiles: seven\n" }))).rejects.toThrow(/harvest\.maxFiles/);
  });

  it("fails on a git error instead of falling back to the defaults", async () => {
    const dir = repo({ ".github/lego.yml": "harvest:\n  maxFiles: 7\n" });
    const blob = execFileSync("git", ["-C", dir, "rev-parse", "HEAD:.github/lego.yml"], { encoding: "utf8" }).trim();
    unlinkSync(path.join(dir, ".git", "objects", blob.slice(0, 2), blob.slice(2)));
    await expect(repoSettingsAt(dir)).rejects.toThrow(/git|object|bad/i);
  });

  it("fails when the clone is not a git repository", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "lego-yml-"));
    dirs.push(dir);
    await expect(repoSettingsAt(dir)).rejects.toThrow(/not a git repository/i);
  });
});
