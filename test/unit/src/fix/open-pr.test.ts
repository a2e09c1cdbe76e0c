import { describe, expect, it } from "vitest";
import { fixBranchName, prLimitReason } from "../../../../src/fix/open-pr.js";

describe("prLimitReason", () => {
  const settings = { maxOpenPrs: 3, maxPrsPerHour: 2 };
  it.each([
    [{ open: 0, recent: 0 }, null],
    [{ open: 2, recent: 1 }, null],
    [{ open: 3, recent: 0 }, "3 LegoFactory pull requests are open (autofix.maxOpenPrs is 3)"],
    [{ open: 1, recent: 2 }, "2 pull requests were opened in the last hour (autofix.maxPrsPerHour is 2)"],
    [{ open: 5, recent: 5 }, "5 LegoFactory pull requests are open (autofix.maxOpenPrs is 3)"],
  ])("%j → %j", (counts, expected) => expect(prLimitReason(counts, settings)).toBe(expected));
  it("holds every PR when a limit is 0", () => {
    expect(prLimitReason({ open: 0, recent: 0 }, { maxOpenPrs: 0, maxPrsPerHour: 2 })).toBe("0 LegoFactory pull requests are open (autofix.maxOpenPrs is 0)");
  });
});

describe("fixBranchName", () => {
  it("names the issue and changes with the attempt or the patch, never with time", () => {
    const name = fixBranchName(12, 3, "diff --git a/x b/x\n");
    expect(name).toMatch(/^lego\/fix-12-[0-9a-f]{7}$/);
    expect(fixBranchName(12, 3, "diff --git a/x b/x\n")).toBe(name);
    expect(fixBranchName(12, 4, "diff --git a/x b/x\n")).not.toBe(name);
    expect(fixBranchName(12, 3, "diff --git a/y b/y\n")).not.toBe(name);
  });
});
