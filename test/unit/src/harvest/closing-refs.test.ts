import { describe, expect, it } from "vitest";
import { closingIssueNumbers } from "../../../../src/harvest/closing-refs.js";

describe("closingIssueNumbers", () => {
  const cases: [string, number[]][] = [
    ["Fixes #12", [12]],
    ["fix #1, closes #2 and RESOLVED #3", [1, 2, 3]],
    ["Closed: #4", [4]],
    ["resolves acme/widgets#5", [5]],
    ["resolves other/repo#6", []],
    ["Fixes https://github.com/acme/widgets/issues/7", [7]],
    ["Fixes https://github.com/other/repo/issues/8", []],
    ["See #9; this fixes #9 again", [9]],
    ["prefix #10", []],
    ["fixing #11", []],
    ["Fixes#12", []],
    ["", []],
  ];
  it.each(cases)("%j → %j", (text, expected) => {
    expect(closingIssueNumbers(text, "acme/widgets")).toEqual(expected);
  });
  it("matches the repository case-insensitively", () => {
    expect(closingIssueNumbers("fixes ACME/Widgets#3", "acme/widgets")).toEqual([3]);
  });
});
