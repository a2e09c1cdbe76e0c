import { describe, expect, it } from "vitest";
import { ciColourEnv, NEUTRAL_TEST_ENV, testEnvironment } from "../../../../src/environment/test-env.js";
import type { RepoSnapshot } from "../../../../src/environment/types.js";

function snapshot(files: Record<string, string>): RepoSnapshot {
  return { files: Object.keys(files), read: (p) => files[p] };
}

describe("the test environment", () => {
  it("is what a CI runner gives, with time zone, locale and hash seed fixed, and no colour variables", () => {
    const env = testEnvironment(snapshot({ "package.json": "{}" }), { NO_COLOR: "1", FORCE_COLOR: "0", PYTHONPATH: "/repo" });
    expect(env).toEqual({ CI: "true", TZ: "UTC", LANG: "C.UTF-8", LC_ALL: "C.UTF-8", PYTHONHASHSEED: "0", PYTHONPATH: "/repo" });
    expect(Object.keys(NEUTRAL_TEST_ENV)).not.toContain("NO_COLOR");
  });

  it("takes colour variables the repository's own workflows set, at workflow, job or step level", () => {
    const repo = snapshot({
      ".github/workflows/ci.yml": "env:\n  FORCE_COLOR: 1\njobs:\n  test:\n    env:\n      TERM: xterm-256color\n    steps:\n      - run: npm test\n        env:\n          PY_COLORS: '1'\n          NO_COLOR: ${{ matrix.nocolor }}\n",
      ".github/workflows/broken.yml": "jobs: [unclosed",
      "docs/workflows/x.yml": "env:\n  NO_COLOR: 1\n",
    });
    expect(ciColourEnv(repo)).toEqual({ FORCE_COLOR: "1", TERM: "xterm-256color", PY_COLORS: "1" });
    expect(testEnvironment(repo, {})).toMatchObject({ CI: "true", FORCE_COLOR: "1", TERM: "xterm-256color", PY_COLORS: "1" });
  });
});
