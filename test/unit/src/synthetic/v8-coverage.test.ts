// V8 coverage → repository lines, on real coverage captured from vitest 3 and 4, tsx and plain
// node:test (test/fixtures/v8-coverage/README.md), and the preload hook in real Node processes:
// transformed code recorded, coverage written by a worker stopped with SIGTERM.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { mergeFileCoverage, reusableCoverage, skippedNote, testsCovering, V8_MAP_VERSION, v8CoverageEnv, withNodeOption } from "../../../../src/synthetic/coverage.js";

interface Mapped {
  files: Record<string, number[]>;
  skipped: Record<string, number>;
}
interface Fixture {
  root: string;
  coverage: unknown[];
  scripts: unknown[];
  sources: Record<string, string>;
}

const require = createRequire(import.meta.url);
const reader = require("../../../../src/synthetic/v8-reader.cjs") as {
  mapCoverage: (coverage: unknown[], scripts: unknown[], root: string, io: { readText: (f: string) => string | null; exists: (f: string) => boolean }) => Mapped;
  inlineSourceMap: (code: string) => { mappings: string } | null;
  lineAligned: (code: string, text: string) => boolean;
};
const HOOK = fileURLToPath(new URL("../../../../src/synthetic/v8-hook.cjs", import.meta.url));
const READER = fileURLToPath(new URL("../../../../src/synthetic/v8-reader.cjs", import.meta.url));

const fixture = (name: string): Fixture => JSON.parse(readFileSync(new URL(`../../../fixtures/v8-coverage/${name}.json`, import.meta.url), "utf8")) as Fixture;
const mapFixture = (f: Fixture, scripts = f.scripts): Mapped =>
  reader.mapCoverage(f.coverage, scripts, f.root, {
    readText: (file) => f.sources[path.relative(f.root, file)] ?? null,
    exists: (file) => path.relative(f.root, file) in f.sources,
  });

const work = mkdtempSync(path.join(tmpdir(), "lego-v8-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("V8 coverage of transformed TypeScript, mapped to the repository's lines", () => {
  it.each(["vitest3-node24", "vitest4-node20"])("%s: the called function's lines, not the uncalled one's, nor the module body", (name) => {
    const f = fixture(name);
    const { files, skipped } = mapFixture(f);
    expect(files["src/math.ts"]).toEqual([1, 2, 3]);
    expect(files["src/math.spec.ts"]).toEqual([3]);
    expect(skipped).toEqual({});
  });

  it("vitest without the hook's record: transformed offsets are left out, never read as the file's", () => {
    const f = fixture("vitest4-node20");
    const { files, skipped } = mapFixture(f, []);
    expect(files).toEqual({});
    expect(skipped).toEqual({ "compiled code differs from the file": 2 });
  });

  it("tsx: the map Node keeps in source-map-cache", () => {
    const { files, skipped } = mapFixture(fixture("tsx-node20"));
    expect(files).toEqual({ "src/math.ts": [1, 2, 3], "src/math.node.test.ts": [5, 6, 7] });
    expect(skipped).toEqual({});
  });

  it("plain CommonJS: offsets are the file's own", () => {
    const { files } = mapFixture(fixture("plain-node20"));
    expect(files).toEqual({ "src/strings.cjs": [1, 2, 3], "src/strings.test.cjs": [4] });
  });

  it("esm (kleur's `uvu -r esm`, Node 14): code without a map whose lines are the file's, the wrapper around the module body left out", () => {
    const f = fixture("esm-node14");
    const { files, skipped } = mapFixture(f);
    expect(skipped).toEqual({});
    const lines = files["index.mjs"]!;
    // run() (lines 47-58) and chain() ran; the module's top level (line 3) is no function a test calls.
    expect(lines).toEqual(expect.arrayContaining([47, 48, 58, 60]));
    expect(lines).not.toContain(3);
    expect(lines).not.toContain(45);
    const vitest = fixture("vitest4-node20") as Fixture & { scripts: { code: string }[] };
    expect(reader.lineAligned(vitest.scripts[1]!.code, vitest.sources["src/math.ts"]!)).toBe(false);
  });

  it("reads an inline source map, base64 or URI-encoded, the last one winning", () => {
    const map = { version: 3, sources: ["a.ts"], mappings: "AAAA" };
    const b64 = Buffer.from(JSON.stringify(map)).toString("base64");
    expect(reader.inlineSourceMap(`x\n//# sourceMappingURL=data:application/json;base64,${b64}\n`)).toEqual(map);
    expect(reader.inlineSourceMap(`//# sourceMappingURL=data:application/json,{}\nx\n//# sourceMappingURL=data:application/json;charset=utf-8,${encodeURIComponent(JSON.stringify(map))}`)).toEqual(map);
    expect(reader.inlineSourceMap("x")).toBeNull();
  });
});

describe("the preload hook in real Node processes", () => {
  it("records code compiled with vm under the repository, not node_modules; the reader maps it through its wrapper offsets", () => {
    const root = path.join(work, "repo");
    const scripts = path.join(work, "scripts");
    const coverageDir = path.join(work, "cov");
    // A wrapper on the first line shifted away by columnOffset, as vite-node and vitest do it.
    const wrapper = "'use strict';(()=>{";
    const body = "function twice(x) {\n  return x * 2;\n}\nfunction never() {\n  return 0;\n}\ntwice(2);\n";
    // Generated lines 0-6 map to source lines 0-6 (column 0), source a.ts.
    const map = { version: 3, sources: ["a.ts"], mappings: "AAAA;AACA;AACA;AACA;AACA;AACA;AACA" };
    const code = `${wrapper}${body}})()\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString("base64")}\n`;
    const program = `const vm = require("vm");
vm.runInThisContext(${JSON.stringify(code)}, { filename: ${JSON.stringify(path.join(root, "src/a.ts"))}, columnOffset: -${wrapper.length} });
vm.runInThisContext("1", { filename: ${JSON.stringify(path.join(root, "node_modules/x/y.js"))} });`;
    const env = { ...process.env, ...v8CoverageEnv({}, { coverageDir, scriptsDir: scripts, hook: HOOK, root }) };
    const r = spawnSync(process.execPath, ["-e", program], { env, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const recorded = readdirSync(scripts).map((n) => JSON.parse(readFileSync(path.join(scripts, n), "utf8")) as { file: string; columnOffset: number });
    expect(recorded.map((s) => [s.file, s.columnOffset])).toEqual([[path.join(root, "src/a.ts"), -wrapper.length]]);
    const out = spawnSync(process.execPath, [READER, coverageDir, root, scripts], { encoding: "utf8" });
    expect(JSON.parse(out.stdout)).toEqual({ files: { "src/a.ts": [1, 2, 3] }, skipped: {} });
  });

  it("writes the coverage of a process stopped with SIGTERM, which then still dies of the signal", async () => {
    const coverageDir = path.join(work, "cov-term");
    const script = path.join(work, "idle.cjs");
    writeFileSync(script, "setInterval(() => {}, 1000);\nprocess.stdout.write('ready\\n');\n");
    const env = { ...process.env, ...v8CoverageEnv({ NODE_OPTIONS: "--no-warnings" }, { coverageDir, scriptsDir: path.join(work, "s2"), hook: HOOK, root: work }) };
    expect(env.NODE_OPTIONS).toBe(`--no-warnings --require ${HOOK}`);
    const child = spawn(process.execPath, [script], { env });
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.kill("SIGTERM");
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, s) => resolve(s)));
    expect(signal).toBe("SIGTERM");
    const urls = readdirSync(coverageDir).flatMap((n) => (JSON.parse(readFileSync(path.join(coverageDir, n), "utf8")) as { result: { url: string }[] }).result.map((s) => s.url));
    expect(urls).toContain(`file://${script}`);
  });
});

describe("a command's own NODE_OPTIONS keeps the hook", () => {
  const hook = "--require /tmp/lego-v8-hook.cjs";

  it("appends the option to each NODE_OPTIONS the command assigns, quoted or not, and nowhere else", () => {
    expect(withNodeOption("npx vitest run a.test.ts", hook)).toBe("npx vitest run a.test.ts");
    expect(withNodeOption("LEGO_UVU_REPORT=/r NODE_OPTIONS=--require=/u.cjs npx uvu test", hook)).toBe("LEGO_UVU_REPORT=/r NODE_OPTIONS=--require=/u.cjs' --require /tmp/lego-v8-hook.cjs' npx uvu test");
    expect(withNodeOption(`cd x && NODE_OPTIONS="--max-old-space-size=4096 --no-warnings" jest`, hook)).toBe(`cd x && NODE_OPTIONS="--max-old-space-size=4096 --no-warnings"' --require /tmp/lego-v8-hook.cjs' jest`);
    expect(withNodeOption(`echo "NODE_OPTIONS=x" 'NODE_OPTIONS=y' MY_NODE_OPTIONS=z`, hook)).toBe(`echo "NODE_OPTIONS=x" 'NODE_OPTIONS=y' MY_NODE_OPTIONS=z`);
  });

  it("gives the process both options when bash runs it", () => {
    const command = withNodeOption(`NODE_OPTIONS='--no-warnings --max-old-space-size=900' node -p process.env.NODE_OPTIONS`, `--require ${HOOK}`);
    const r = spawnSync("bash", ["-c", command], { encoding: "utf8" });
    expect(r.stdout.trim()).toBe(`--no-warnings --max-old-space-size=900 --require ${HOOK}`);
  });
});

describe("the stored map", () => {
  const runs = [{ testFile: "src/math.spec.ts", tests: ["add > adds"], lines: { "src/math.ts": [1, 2, 3] } }];

  it("is made again when it is a V8 map of another reading", () => {
    const map = mergeFileCoverage(runs);
    expect(map.version).toBe(V8_MAP_VERSION);
    expect(testsCovering(map, "src/math.ts", 1, 3)).toEqual(["add > adds"]);
    expect(reusableCoverage(map as unknown as Record<string, unknown>)).toBe(map);
    expect(reusableCoverage({ ...map, version: undefined })).toBeNull();
    expect(reusableCoverage({ tool: "coverage.py", granularity: "per-test", tests: [], files: {} })).not.toBeNull();
    expect(reusableCoverage(null)).toBeNull();
  });

  it("says which scripts it left out and why", () => {
    expect(skippedNote(mergeFileCoverage(runs, { "compiled code differs from the file": 2 }))).toBe(" (V8 scripts left out: compiled code differs from the file ×2)");
    expect(skippedNote(mergeFileCoverage(runs))).toBe("");
  });
});
