import { describe, expect, it } from "vitest";
import { normalizedPatchHash } from "../../../training/patch-hash.js";

const BASE = `diff --git a/calc/ops.py b/calc/ops.py
index 1111111..2222222 100644
--- a/calc/ops.py
+++ b/calc/ops.py
@@ -1,5 +1,5 @@
 def add(a, b):
-    return a - b
+    return a + b
 
 
 def sub(a, b):
diff --git a/calc/util.py b/calc/util.py
index 3333333..4444444 100644
--- a/calc/util.py
+++ b/calc/util.py
@@ -10,2 +10,3 @@ def helper():
     x = 1
+    y = 2
     return x
`;

const LESS_CONTEXT = `diff --git a/calc/ops.py b/calc/ops.py
--- a/calc/ops.py
+++ b/calc/ops.py
@@ -2 +2 @@
-    return a - b
+    return a + b
diff --git a/calc/util.py b/calc/util.py
--- a/calc/util.py
+++ b/calc/util.py
@@ -40,0 +41 @@
+    y = 2
`;

describe("normalizedPatchHash", () => {
  const base = normalizedPatchHash(BASE);

  it.each([
    ["other index lines", BASE.replace("1111111..2222222", "abcdef0..1234567")],
    ["less context and other hunk offsets", LESS_CONTEXT],
    ["files in another order", BASE.slice(BASE.indexOf("diff --git a/calc/util.py")) + BASE.slice(0, BASE.indexOf("diff --git a/calc/util.py"))],
    ["trailing whitespace and CRLF", BASE.replace("+    return a + b", "+    return a + b   ").replaceAll("\n", "\r\n")],
  ])("is the same with %s", (_name, variant) => {
    expect(normalizedPatchHash(variant)).toBe(base);
  });

  it.each([
    ["another change", BASE.replace("+    return a + b", "+    return b + a")],
    ["another file", BASE.replaceAll("calc/util.py", "calc/other.py")],
    ["a line fewer", BASE.replace("+    y = 2\n", "")],
  ])("differs with %s", (_name, variant) => {
    expect(normalizedPatchHash(variant)).not.toBe(base);
  });

  it("is a hash, and null for a patch that changes nothing or cannot be read", () => {
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(normalizedPatchHash("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n-a\n")).toBeNull();
    expect(normalizedPatchHash("")).toBeNull();
    expect(normalizedPatchHash("diff --git a/x b/x\nold mode 100644\nnew mode 100755\n")).toBeNull();
  });
});
