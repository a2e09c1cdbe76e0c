import { describe, expect, it } from "vitest";
import { isTestFile } from "../../../../src/diff/index.js";
import { isCheating } from "../../../../src/validation/cheating.js";

describe("isCheating", () => {
  function diff(path: string, added: string[], kind: "modified" | "added" | "deleted" = "modified", removed: string[] = []): string {
    const header = [`diff --git a/${path} b/${path}`];
    if (kind === "added") header.push("new file mode 100644", "index 0000000..1111111", "--- /dev/null", `+++ b/${path}`);
    else if (kind === "deleted") header.push("deleted file mode 100644", "index 1111111..0000000", `--- a/${path}`, "+++ /dev/null");
    else header.push("index 1111111..2222222 100644", `--- a/${path}`, `+++ b/${path}`);
    return [...header, `@@ -1,${removed.length + 1} +1,${added.length + 1} @@`, " context", ...removed.map((l) => `-${l}`), ...added.map((l) => `+${l}`), ""].join("\n");
  }
  const check = (paths: string[], text: string) => isCheating(paths, text);

  it("accepts a patch that only fixes the code", () => {
    expect(check(["src/app.py"], diff("src/app.py", ["    return x + 1"], "modified", ["    return x"]))).toEqual({ cheated: false });
  });

  it.each([
    ["modifies", "tests/test_app.py", "modified"],
    ["deletes", "src/app.test.ts", "deleted"],
  ] as const)("a patch that %s a test file cheats", (verb, path, kind) => {
    expect(check([path], diff(path, ["assert True"], kind))).toEqual({ cheated: true, reason: `the patch ${verb} the test file ${path}` });
  });

  it("a patch that renames a test file away cheats", () => {
    const text = ["diff --git a/tests/test_app.py b/tests/disabled_app.txt", "similarity index 100%", "rename from tests/test_app.py", "rename to tests/disabled_app.txt", ""].join("\n");
    expect(check(["tests/disabled_app.txt"], text)).toEqual({ cheated: true, reason: "the patch renames the test file tests/test_app.py" });
  });

  it("a test file listed as changed but absent from the diff counts as modified", () => {
    expect(check(["src/app.go", "src/app_test.go"], diff("src/app.go", ["return 1"]))).toEqual({
      cheated: true,
      reason: "the patch modifies the test file src/app_test.go",
    });
  });

  it("a new reproduction test is allowed, a new conftest.py is not", () => {
    expect(check(["tests/test_repro.py"], diff("tests/test_repro.py", ["def test_repro():", "    assert f() == 2"], "added"))).toEqual({ cheated: false });
    expect(check(["conftest.py"], diff("conftest.py", ["def pytest_runtest_makereport(item, call): ..."], "added"))).toEqual({
      cheated: true,
      reason: "the patch adds conftest.py, a pytest conftest that can change how every test runs",
    });
  });

  it.each([
    ["src/util.py", "@pytest.mark.skip(reason='flaky')", "@pytest.mark.skip"],
    ["src/util.py", "@pytest.mark.skipif(sys.platform == 'linux', reason='x')", "@pytest.mark.skipif"],
    ["src/util.py", "@pytest.mark.xfail", "@pytest.mark.xfail"],
    ["src/util.py", "    pytest.skip('not today')", "pytest.skip("],
    ["src/util.py", "@unittest.skip('later')", "unittest.skip"],
    ["src/util.py", "@skipIf(True, 'x')", "@skipIf"],
    ["src/util.py", "        self.skipTest('nope')", ".skipTest("],
    ["src/util.py", "    raise unittest.SkipTest('nope')", "raise unittest.SkipTest"],
    ["lib/index.js", "it.skip('renders', () => {})", "it.skip"],
    ["lib/index.js", "test.skip('renders', () => {})", "test.skip"],
    ["lib/index.js", "describe.skip('suite', () => {})", "describe.skip"],
    ["lib/index.js", "xit('renders', () => {})", "xit("],
    ["lib/index.js", "it.only('renders', () => {})", "it.only"],
    ["lib/index.js", "describe.only('suite', () => {})", "describe.only"],
    ["lib/index.js", "test.fails('inverts', () => {})", "test.fails"],
    ["pkg/util.go", "\tt.Skip()", "t.Skip("],
    ["pkg/util.go", '\tt.Skipf("flaky on %s", runtime.GOOS)', "t.Skipf("],
    ["test/a.test.mjs", "test('x', { skip: true }, () => {})", "{ skip: true"],
  ])("adding a skip marker in %s cheats: %s", (path, line, marker) => {
    const verdict = check([path], diff(path, [line], isTestFile(path) ? "added" : "modified"));
    expect(verdict.cheated).toBe(true);
    expect(verdict.reason).toBe(`the patch adds a test skip marker (${marker}) in ${path}: ${line.trim()}`);
  });

  it("ignores skip markers that a patch removes, and options objects outside tests", () => {
    expect(check(["src/util.py"], diff("src/util.py", ["def f(): pass"], "modified", ["@pytest.mark.skip"]))).toEqual({ cheated: false });
    expect(check(["src/db.ts"], diff("src/db.ts", ["  return repo.find({ skip: true, take: 10 });"]))).toEqual({ cheated: false });
  });

  it("gives the first reason: test files before skip markers", () => {
    const text = diff("src/util.py", ["@pytest.mark.skip"]) + diff("tests/test_util.py", ["assert True"]);
    expect(check(["src/util.py", "tests/test_util.py"], text).reason).toBe("the patch modifies the test file tests/test_util.py");
  });

  it("reads paths git quotes", () => {
    const text = ['diff --git "a/tests/caf\\303\\251 test.py" "b/tests/caf\\303\\251 test.py"', "deleted file mode 100644", ""].join("\n");
    expect(check([], text)).toEqual({ cheated: true, reason: "the patch deletes the test file tests/café test.py" });
  });
});
