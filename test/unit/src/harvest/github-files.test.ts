// GitHubSource.changedFiles: every page of the PR files API, renamed files under both names, and
// null (undecided) when GitHub's list may be cut at 3000 files.
import { describe, expect, it } from "vitest";
import { GitHubSource, type HarvestGitHub, PR_FILES_LIMIT } from "../../../../src/harvest/github-source.js";
import type { PullInfo } from "../../../../src/harvest/source.js";

function sourceWith(total: number, extra: (i: number) => { previous_filename?: string } = () => ({})) {
  const pages: number[] = [];
  const files = Array.from({ length: total }, (_, i) => ({ filename: `src/f${i}.ts`, ...extra(i) }));
  const gh = {
    rest: {
      pulls: {
        listFiles: async (p: { per_page: number; page: number }) => {
          pages.push(p.page);
          return { data: files.slice((p.page - 1) * p.per_page, p.page * p.per_page) };
        },
      },
    },
  } as unknown as HarvestGitHub;
  return { source: new GitHubSource("acme/x", gh, { allowPrDescriptionTasks: false }), pages };
}

const pull = { number: 3 } as PullInfo;

describe("GitHubSource.changedFiles", () => {
  it("reads every page, stopping at the first short one", async () => {
    const { source, pages } = sourceWith(230);
    expect(await source.changedFiles(pull)).toHaveLength(230);
    expect(pages).toEqual([1, 2, 3]);
  });

  it("a page of exactly 100 is followed by an empty one", async () => {
    const { source, pages } = sourceWith(100);
    expect(await source.changedFiles(pull)).toHaveLength(100);
    expect(pages).toEqual([1, 2]);
  });

  it("lists a renamed file under its old name too", async () => {
    const { source } = sourceWith(2, (i) => (i === 1 ? { previous_filename: "test/old.test.ts" } : {}));
    expect(await source.changedFiles(pull)).toEqual(["src/f0.ts", "src/f1.ts", "test/old.test.ts"]);
  });

  it("is undecided (null) when the list reaches GitHub's 3000-file cap", async () => {
    const { source, pages } = sourceWith(PR_FILES_LIMIT + 50);
    expect(await source.changedFiles(pull)).toBeNull();
    expect(pages).toHaveLength(30);
  });
});
