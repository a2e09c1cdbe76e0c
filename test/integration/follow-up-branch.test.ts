// The fix worker's check before a follow-up builds on a PR's head, on real git repositories:
// commits added on top by people are fine; a branch rewritten so LegoFactory's last commit left
// its history (or an unknown commit) is refused with the reason.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { followUpProblem } from "../../workers/fix.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "lego-followup-"));
const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: dir, encoding: "utf8" }).trim();
const commit = (file: string, text: string) => {
  writeFileSync(path.join(dir, file), text);
  git("add", "-A");
  git("commit", "-qm", file);
  return git("rev-parse", "HEAD");
};

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("followUpProblem", () => {
  it("accepts a head that builds on LegoFactory's last commit and refuses a rewritten or unknown one", async () => {
    git("init", "-q", "-b", "main");
    commit("a.txt", "base\n");
    const pushed = commit("fix.txt", "LegoFactory's fix\n");
    const human = commit("notes.txt", "a maintainer's commit on top\n");
    expect(await followUpProblem(dir, pushed, pushed)).toBeNull();
    expect(await followUpProblem(dir, pushed, human)).toBeNull();
    git("reset", "-q", "--hard", "HEAD~2");
    const rewritten = commit("fix.txt", "force-pushed instead\n");
    expect(await followUpProblem(dir, pushed, rewritten)).toBe(`the branch was rewritten: LegoFactory's last commit ${pushed.slice(0, 7)} is no longer in the history of its head ${rewritten.slice(0, 7)}`);
    expect(await followUpProblem(dir, "0".repeat(40), rewritten)).toMatch(/^the branch was rewritten/);
    expect(await followUpProblem(dir, null, rewritten)).toBe("LegoFactory has no record of its last commit on this branch");
  });
});
