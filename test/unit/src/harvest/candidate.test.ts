// The harvest's candidate on real git histories: every merge style's gold diff is exactly the
// PR's own change (never what main gained while the PR was open), and bad histories end with a
// reason, never a task built on a guess.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDiff, parseDiff } from "../../../../src/diff/index.js";
import { harvestCandidate, isRevert, sizeSkipReason } from "../../../../src/harvest/candidate.js";
import { LocalSource } from "../../../../src/harvest/local-source.js";
import { defaultRepoConfig, harvestSettings } from "../../../../src/repo-config.js";
import { git, repoWithMergeStyles } from "../../../support/fixture-repos.js";

const work = mkdtempSync(path.join(os.tmpdir(), "lego-candidate-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const rules = { ...harvestSettings(defaultRepoConfig), skipBots: true };
let shas: Record<string, string>;
let source: LocalSource;
let clones = 0;

async function open(dir: string): Promise<LocalSource> {
  return LocalSource.open(dir, path.join(work, `clone-${clones++}`));
}

async function candidate(n: number, from = source) {
  return harvestCandidate(from, n, { rules, scratch: work });
}

const files = (diff: string | null | undefined) => parseDiff(diff ?? "").map((f) => f.path);

beforeAll(async () => {
  shas = repoWithMergeStyles(path.join(work, "repo"));
  source = await open(path.join(work, "repo"));
});

describe("the PR's own diff", () => {
  it("a merge commit of a branch that was behind: base is the first parent, the diff only the PR's change", async () => {
    const { row } = await candidate(20);
    expect(row).toMatchObject({ status: "candidate", baseCommit: shas.s19, environmentSetupCommit: shas.s19, problemStatement: "Recipes return one\n\nFixes #4", issueNumbers: [4] });
    expect(files(row.patch)).toEqual(["pkg/recipes.py"]);
    expect(files(row.testPatch)).toEqual(["tests/test_recipes.py"]);
    expect(row.difficulty).toBe("easy");
  });

  it("a squash merge: base is the commit's parent", async () => {
    const { row } = await candidate(21);
    expect(row).toMatchObject({ status: "candidate", baseCommit: shas.m20 });
    expect(files(row.patch)).toEqual(["pkg/squash.py"]);
  });

  it("a rebase merge of three commits: base is the first commit's parent, the diff the whole series", async () => {
    const { row } = await candidate(22);
    expect(row).toMatchObject({ status: "candidate", baseCommit: shas.s21, problemStatement: "Start the series" });
    expect(files(row.patch)).toEqual(["pkg/series.py"]);
    expect(row.patch).toContain("+VERSION = 2");
    expect(files(row.testPatch)).toEqual(["tests/test_series.py"]);
  });

  it("a merge whose PR touched only non-test files is skipped: no test change, before any clone or diff", async () => {
    const touched: string[] = [];
    const watched = Object.assign(Object.create(source) as LocalSource, {
      clone: async () => (touched.push("clone"), source.clone()),
      changeRange: async (...args: Parameters<LocalSource["changeRange"]>) => (touched.push("changeRange"), source.changeRange(...args)),
    });
    const { row, cloneDir } = await candidate(23, watched);
    expect(row.status).toBe("skipped");
    expect(row.statusReason).toMatch(/^no test change/);
    expect(touched).toEqual([]);
    expect(cloneDir).toBeUndefined();
    expect(await source.changedFiles(await source.pull(23))).toEqual(["pkg/notes.py"]);
    // A PR that does change tests goes on to the clone.
    await candidate(20, watched);
    expect(touched).toEqual(["clone", "changeRange"]);
  });
});

describe("every common merge style", () => {
  it("finds each PR once, newest first, with its kind", async () => {
    const scan = await source.mergedPulls();
    expect(scan.pulls.map((p) => [p.number, p.kind, p.style])).toEqual([
      [29, "squash", "title-number"],
      [28, "merge", "github-merge"],
      [27, "merge", "gitlab"],
      [26, "merge", "bitbucket"],
      [25, "squash", "pr-url"],
      [24, "merge", "title-number"],
      [23, "merge", "github-merge"],
      [22, "rebase", "title-number"],
      [21, "squash", "title-number"],
      [20, "merge", "github-merge"],
      [19, "squash", "title-number"],
    ]);
    expect(scan.commitsScanned).toBe(14);
  });

  it.each([
    [24, "b24", "Make titled return one", "pkg/titled.py"],
    [26, null, "Bitbucket returns one", "pkg/bitbucket.py"],
    [27, null, "GitLab returns one", "pkg/gitlab.py"],
  ])("#%i: a two-parent merge; the diff runs from its first parent", async (n, baseKey, statement, file) => {
    const { row } = await candidate(n);
    expect(row.status).toBe("candidate");
    expect(row.problemStatement).toBe(statement);
    expect(files(row.patch)).toEqual([file]);
    if (baseKey) expect(row.baseCommit).toBe(shas[baseKey]);
  });

  it("a PR-URL trailer: the commit's subject and body, trailers dropped", async () => {
    const { row } = await candidate(25);
    expect(row).toMatchObject({ status: "candidate", problemStatement: "lib: make trailer return one" });
    expect(files(row.patch)).toEqual(["pkg/trailer.py"]);
  });

  it("a history with no merged PR is reported with the number of commits looked at", async () => {
    const dir = path.join(work, "plain");
    rmSync(dir, { recursive: true, force: true });
    git(work, "init", "-q", "-b", "main", dir);
    git(dir, "commit", "-q", "--allow-empty", "-m", "one");
    git(dir, "commit", "-q", "--allow-empty", "-m", "two");
    const scan = await (await open(dir)).mergedPulls();
    expect(scan).toEqual({ pulls: [], commitsScanned: 2 });
  });
});

describe("bad input ends with a recorded reason", () => {
  it("an octopus merge", async () => {
    const { row } = await candidate(28);
    expect(row.status).toBe("skipped");
    expect(row.statusReason).toMatch(/is an octopus merge of 3 parents/);
    expect(row.patch).toBeUndefined();
  });

  it("a revert of a PR", async () => {
    const { row } = await candidate(29);
    expect(row.status).toBe("skipped");
    expect(row.statusReason).toMatch(/^a revert \("Revert "Squashed change \(#21\)""\)/);
    expect(isRevert({ title: "Undo it", body: "This reverts commit 0123456789abcdef." })).toBe(true);
    expect(isRevert({ title: "Revert-proof parsing", body: "" })).toBe(false);
  });

  it("a merge commit whose parent is missing from a shallow clone", async () => {
    const shallow = path.join(work, "shallow");
    git(path.join(work, "repo"), "tag", "-f", "at-20", shas.m20 as string);
    git(work, "clone", "-q", "--depth", "1", "--branch", "at-20", `file://${path.join(work, "repo")}`, shallow);
    const s = await open(shallow);
    const { row } = await candidate(20, s);
    expect(row.status).toBe("skipped");
    expect(row.statusReason).toMatch(/clone is shallow/);
  });

  it("a merge commit missing from the clone", async () => {
    const r = await source.changeRange({ number: 1, title: "", body: "", merged: true, mergeCommitSha: "f".repeat(40), createdAt: "", author: "", authorIsBot: false, firstCommitAt: null }, await source.clone());
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/^the merge commit ffffffffffff is not in the clone/) });
  });
});

describe("sizeSkipReason reads the gold diff", () => {
  const r = { maxFiles: 2, maxLines: 5, allowPrDescriptionTasks: false };
  const edit = (p: string, lines: number) => ({ path: p, before: null, after: "x\n".repeat(lines) });
  it.each([
    [[edit("a.py", 2), edit("b.py", 3)], null],
    [[edit("a.py", 1), edit("b.py", 1), edit("c.py", 1)], "too large: 3 files changed (harvest.maxFiles is 2)"],
    [[edit("a.py", 6)], "too large: 6 lines changed (harvest.maxLines is 5)"],
    [[], null],
  ])("%#", (edits, expected) => expect(sizeSkipReason(createDiff(edits), r)).toBe(expected));
});
