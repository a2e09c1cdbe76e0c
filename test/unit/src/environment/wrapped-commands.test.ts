// Test scripts that reach their framework only through a wrapper giving no per-test results: the
// framework found in the dependencies runs directly, with its per-test reporter and the
// repository's own config, and the plan records that it did (EnvironmentPlan.directRun).
import { describe, expect, it } from "vitest";
import type { EnvironmentPlan } from "../../../../src/environment/detect.js";
import { detectEnvironment } from "../../../../src/environment/detect.js";
import { scanCommandLine, scanScripts } from "../../../../src/environment/scripts.js";

function plan(files: Record<string, string>, overrides?: Parameters<typeof detectEnvironment>[1]): EnvironmentPlan {
  const result = detectEnvironment({ files: Object.keys(files), read: (p) => files[p] }, overrides);
  if ("error" in result) throw new Error(result.error);
  return result;
}

const pkg = (o: object): string => JSON.stringify(o);

describe("wrapped test commands", () => {
  it("ts-scripts test && npm run size (path-to-regexp): vitest from devDependencies with its vitest.config.mts, `vitest bench` no file filter", () => {
    const p = plan({
      "package.json": pkg({
        scripts: { bench: "vitest bench", build: "ts-scripts build", size: "size-limit", test: "ts-scripts test && npm run size" },
        devDependencies: { "@borderless/ts-scripts": "^0.15.0", "size-limit": "^11", typescript: "^5", vitest: "^3.0.5" },
      }),
      "vitest.config.mts": "export default {}",
      "tsconfig.json": "{}",
      "src/index.spec.ts": "",
    });
    expect(p.framework).toBe("vitest");
    expect(p.directRun).toEqual({ wrapper: "ts-scripts test", framework: "vitest", config: "vitest.config.mts" });
    expect(p.notes).toContain("the test script reaches vitest only through `ts-scripts test`, which gives no per-test results: vitest is run directly with its per-test reporter and the repository's vitest.config.mts");
    expect(p.testCommand("all")).toBe("npx --no-install vitest run --reporter=json --outputFile=__LEGO_REPORT_PATH__");
    expect(p.testCommand(["src/index.spec.ts"])).toBe("npx --no-install vitest run --reporter=json --outputFile=__LEGO_REPORT_PATH__ src/index.spec.ts");
  });

  it("turbo run test: jest from devDependencies, its jest.config.js named", () => {
    const p = plan({ "package.json": pkg({ scripts: { test: "turbo run test --filter=./packages/*" }, devDependencies: { turbo: "^2", jest: "^29" } }), "jest.config.js": "module.exports = {}" });
    expect(p.directRun).toEqual({ wrapper: "turbo run test --filter=./packages/*", framework: "jest", config: "jest.config.js" });
    expect(p.testCommand("all")).toMatch(/^npx --no-install jest --ci --json --outputFile=__LEGO_REPORT_PATH__$/);
  });

  it("npx ts-scripts test: a wrapper behind npx is still the wrapper", () => {
    const p = plan({ "package.json": pkg({ scripts: { test: "npx ts-scripts test" }, devDependencies: { vitest: "^2" } }) });
    expect(p.directRun).toEqual({ wrapper: "ts-scripts test", framework: "vitest" });
  });

  it("make test: mocha configured in package.json", () => {
    const p = plan({ "package.json": pkg({ scripts: { test: "make test" }, mocha: { timeout: 5000 }, devDependencies: { mocha: "^10" } }) });
    expect(p.directRun).toEqual({ wrapper: "make test", framework: "mocha", config: 'package.json "mocha"' });
  });

  it("a shell script: the runner it starts, with its flags (variables left out), recorded", () => {
    const p = plan({
      "package.json": pkg({ scripts: { test: "./scripts/test.sh" }, devDependencies: { jest: "^29", vitest: "^2" } }),
      "scripts/test.sh": "#!/bin/sh\nset -e\nnpm run build\nexec npx jest --runInBand --config jest.unit.js $EXTRA \"$@\"\n",
      "a.test.js": "",
    });
    expect(p.framework).toBe("jest");
    expect(p.directRun).toEqual({ wrapper: "scripts/test.sh", framework: "jest", config: "jest.unit.js" });
    expect(p.notes[0]).toBe("scripts.test runs scripts/test.sh, which starts jest");
    expect(p.testCommand("all")).toBe("npx --no-install jest --runInBand --config jest.unit.js --ci --json --outputFile=__LEGO_REPORT_PATH__");
    expect(p.testCommand(["a.test.js"])).toBe("npx --no-install jest --runInBand --config jest.unit.js --ci --json --outputFile=__LEGO_REPORT_PATH__ --runTestsByPath a.test.js");
  });

  it("bash scripts/test.sh that runs `npm run unit`: followed into package.json", () => {
    const p = plan({
      "package.json": pkg({ scripts: { test: "bash scripts/test.sh", unit: "vitest --run --config vitest.unit.ts" }, devDependencies: { vitest: "^2" } }),
      "scripts/test.sh": "npm run unit -- --silent\n",
    });
    expect(p.directRun).toEqual({ wrapper: "scripts/test.sh", framework: "vitest", config: "vitest.unit.ts" });
    expect(p.testCommand("all")).toBe("npx --no-install vitest run --config vitest.unit.ts --reporter=json --outputFile=__LEGO_REPORT_PATH__");
  });

  it("a shell script that starts no runner we know: the dependency's runner, the script named as the wrapper", () => {
    const p = plan({ "package.json": pkg({ scripts: { test: "sh ./ci/run-tests.sh" }, devDependencies: { mocha: "^10" } }), "ci/run-tests.sh": "for f in test/*.js; do echo $f; done\n" });
    expect(p.directRun).toEqual({ wrapper: "ci/run-tests.sh", framework: "mocha" });
  });

  it("sh -c with the runner inside: the inner command is read", () => {
    expect(scanScripts({ test: `sh -c "NODE_ENV=test vitest run src"` }, "test").invocations.map((i) => [i.runner, i.env])).toEqual([["vitest", [["NODE_ENV", "test"]]]]);
  });

  it("npm run a && npm run b: the runner of b run alone, the chain recorded", () => {
    const p = plan({ "package.json": pkg({ scripts: { test: "npm run lint && npm run spec", lint: "eslint .", spec: "mocha --timeout 5000" }, devDependencies: { mocha: "^10" } }) });
    expect(p.notes[0]).toBe('scripts.test starts mocha (through the "spec" script)');
    expect(p.directRun).toEqual({ wrapper: "npm run lint && npm run spec", framework: "mocha" });
    expect(p.testCommand("all")).toBe("npx --no-install mocha --timeout 5000 --reporter json --reporter-option output=__LEGO_REPORT_PATH__");
  });

  it("run-s and npm-run-all: the runner of the matching script, the chain recorded", () => {
    const runS = plan({ "package.json": pkg({ scripts: { test: "run-s build test:*", build: "tsc", "test:unit": "ava --timeout=1m" }, devDependencies: { ava: "^6", "npm-run-all": "^4" } }) });
    expect(runS.framework).toBe("ava");
    expect(runS.directRun).toEqual({ wrapper: "run-s build test:*", framework: "ava" });
    const all = plan({ "package.json": pkg({ scripts: { test: "npm-run-all --parallel lint unit", lint: "eslint", unit: "jest -c jest.config.json" }, devDependencies: { jest: "^29" } }), "jest.config.json": "{}" });
    expect(all.directRun).toEqual({ wrapper: "npm-run-all --parallel lint unit", framework: "jest", config: "jest.config.json" });
  });

  it("a wrapper and a test script with the runner: that script's flags, a benchmark script never", () => {
    const p = plan({
      "package.json": pkg({ scripts: { test: "ts-scripts test", bench: "vitest bench --config vitest.bench.ts", "test:unit": "vitest --config vitest.unit.ts" }, devDependencies: { vitest: "^3" } }),
    });
    expect(p.directRun).toEqual({ wrapper: "ts-scripts test", framework: "vitest", config: "vitest.unit.ts" });
    expect(p.testCommand("all")).not.toMatch(/bench/);
    const onlyBench = plan({ "package.json": pkg({ scripts: { test: "ts-scripts test", bench: "vitest bench --config vitest.bench.ts" }, devDependencies: { vitest: "^3" } }), "vite.config.ts": "" });
    expect(onlyBench.testCommand("all")).toBe("npx --no-install vitest run --reporter=json --outputFile=__LEGO_REPORT_PATH__");
    expect(onlyBench.directRun?.config).toBe("vite.config.ts");
  });

  it("nothing recorded when the test script is the runner itself, or npm's placeholder, or overridden", () => {
    expect(plan({ "package.json": pkg({ scripts: { test: "cross-env TZ=UTC jest --runInBand" }, devDependencies: { jest: "^29" } }) }).directRun).toBeUndefined();
    expect(plan({ "package.json": pkg({ scripts: { test: 'echo "Error: no test specified" && exit 1' }, devDependencies: { jest: "^29" } }) }).directRun).toBeUndefined();
    expect(plan({ "package.json": pkg({ devDependencies: { jest: "^29" } }) }).directRun).toBeUndefined();
    const overridden = plan({ "package.json": pkg({ scripts: { test: "ts-scripts test" }, devDependencies: { vitest: "^3" } }) }, { testCmd: "npx vitest run --reporter=json" });
    expect(overridden.directRun).toBeUndefined();
  });

  it("scans: opaque wrappers and shell scripts are listed as written", () => {
    const scan = scanScripts({ test: "turbo run test && ./scripts/e2e.sh && nx test app", e: "x" }, "test");
    expect(scan.opaque).toEqual(["turbo run test", "nx test app"]);
    expect(scan.shellScripts).toEqual(["scripts/e2e.sh"]);
    expect(scanCommandLine("exec vitest run", {}, "t.sh").invocations.map((i) => [i.runner, i.script])).toEqual([["vitest", "t.sh"]]);
  });
});
