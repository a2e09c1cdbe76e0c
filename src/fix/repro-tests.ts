// Reproduction tests from the rollouts: the test files a rollout adds are kept apart from its
// candidate patch, pooled across rollouts, and later run against every candidate and against
// the unpatched tree (src/fix/repro-run.ts). A test that cannot judge other candidates fairly is
// rejected here with its reason, so the ranking never rewards a test written to fit one patch.
import { createHash } from "node:crypto";
import path from "node:path";
import { fileSections, isTestFile } from "../diff/index.js";

/** One rollout's reproduction tests: the test files it adds, as one unit (they may share helpers). */
export interface ReproTest {
  /** A short hash of the diff; identical tests from several rollouts share it. */
  key: string;
  files: string[];
  diff: string;
  /** The rollouts (by index) that wrote exactly this, in order. */
  rollouts: number[];
}

export interface RejectedRepro {
  rollout: number;
  files: string[];
  why: string;
}

export interface ReproCollection {
  tests: ReproTest[];
  rejected: RejectedRepro[];
  /** Tests grouped so no two in a group write the same file: one test run per group and tree. */
  bundles: ReproTest[][];
}

/** Pure: a rollout's full diff cut into its candidate patch (code) and its new test files. */
export function splitRolloutPatch(diffText: string): { patch: string; repro: string; reproFiles: string[] } {
  let patch = "";
  let repro = "";
  const reproFiles: string[] = [];
  for (const { text, file } of fileSections(diffText)) {
    if (file.kind === "added" && isTestFile(file.path) && !/(^|\/)conftest\.py$/.test(file.path)) {
      repro += text;
      reproFiles.push(file.path);
    } else patch += text;
  }
  return { patch, repro, reproFiles };
}

/** The names a test could import a new source file by: `pkg.mod`, `mod`, `./mod`, `pkg/mod`. */
function moduleNames(file: string): string[] {
  const noExt = file.replace(/\.[cm]?[jt]sx?$|\.py$|\.go$/, "");
  const base = path.posix.basename(noExt);
  const parts = noExt.split("/");
  const dotted = parts.join(".");
  const names = new Set([noExt, base, dotted]);
  for (let i = 1; i < parts.length; i++) names.add(parts.slice(i).join("."));
  if (base === "__init__" || base === "index") names.delete(base);
  return [...names].filter((n) => n.length > 0);
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Pure: the new source file of its own rollout that a test's added lines import, if any. */
export function importsOwnNewModule(testLines: string[], newSourceFiles: string[]): string | null {
  const text = testLines.join("\n");
  for (const file of newSourceFiles) {
    for (const name of moduleNames(file)) {
      const n = esc(name);
      const py = new RegExp(`^\\s*(?:from\\s+\\.*${n}\\s+import\\b|import\\s+${n}\\b|from\\s+[\\w.]*\\s+import\\s+[^\\n]*\\b${n}\\b)`, "m");
      const js = new RegExp(`(?:from\\s+|require\\(\\s*|import\\(\\s*)["'][^"']*\\b${n}(?:\\.[cm]?[jt]sx?)?["']`);
      if (py.test(text) || js.test(text)) return file;
    }
  }
  return null;
}

/**
 * Pure: the reproduction tests of the rollouts whose candidates are ranked. Identical tests are
 * kept once with every rollout that wrote them; a test that imports a module its own rollout
 * adds is rejected (it fails on every other tree whatever the fix, so it would only reward its
 * own patch); tests that write the same file go to different bundles.
 */
export function collectReproTests(rollouts: { index: number; patch: string }[]): ReproCollection {
  const tests: ReproTest[] = [];
  const rejected: RejectedRepro[] = [];
  for (const r of [...rollouts].sort((a, b) => a.index - b.index)) {
    const split = splitRolloutPatch(r.patch);
    if (!split.repro.trim()) continue;
    const newSources = fileSections(split.patch)
      .filter((s) => s.file.kind === "added")
      .map((s) => s.file.path);
    const added = fileSections(split.repro).flatMap((s) => s.file.addedLines);
    const own = importsOwnNewModule(added, newSources);
    if (own) {
      rejected.push({ rollout: r.index, files: split.reproFiles, why: `imports ${own}, a module its own rollout adds: it can only pass with that rollout's patch` });
      continue;
    }
    const key = createHash("sha256").update(split.repro).digest("hex").slice(0, 10);
    const same = tests.find((t) => t.key === key);
    if (same) same.rollouts.push(r.index);
    else tests.push({ key, files: split.reproFiles, diff: split.repro, rollouts: [r.index] });
  }
  const bundles: ReproTest[][] = [];
  for (const t of tests) {
    const fits = bundles.find((b) => b.every((o) => !o.files.some((f) => t.files.includes(f))));
    if (fits) fits.push(t);
    else bundles.push([t]);
  }
  return { tests, rejected, bundles };
}
