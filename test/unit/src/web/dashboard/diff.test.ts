import { describe, expect, it } from "vitest";
import { classifyDiffLine, renderDiff } from "../../../../../src/web/dashboard/diff.js";

describe("diff lines", () => {
  it.each([
    ["diff --git a/x b/x", "file"],
    ["--- a/x", "file"],
    ["+++ b/x", "file"],
    ["@@ -1,2 +1,2 @@", "hunk"],
    ["+added", "add"],
    ["-removed", "del"],
    [" context", "ctx"],
  ])("%j is %s", (line, kind) => expect(classifyDiffLine(line)).toBe(kind));

  it("cuts a long diff and says how much is left", () => {
    const out = renderDiff(Array.from({ length: 10 }, (_, i) => `+${i}`).join("\n"), 4).value;
    expect(out.match(/d-add/g)).toHaveLength(4);
    expect(out).toContain("6 more lines not shown");
  });
});
