import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ciNodeVersions } from "../../../../src/environment/ci-workflows.js";
import { detectEnvironment } from "../../../../src/environment/detect.js";
import { chooseNode, nodeFromCi } from "../../../../src/environment/node-version.js";
import type { RepoSnapshot } from "../../../../src/environment/types.js";

function snapshot(files: Record<string, string>): RepoSnapshot {
  return { files: Object.keys(files), read: (p) => files[p] };
}

// lukeed/kleur's workflow as it is: `node-version: ${{ matrix.nodejs }}` over [10, 12, 14].
const kleurCi = readFileSync("test/fixtures/workflows/kleur-ci.yml", "utf8");

describe("the Node versions a repository's CI tests on", () => {
  it("expands a setup-node matrix reference, with include entries, and reads literal versions", () => {
    expect(ciNodeVersions(snapshot({ ".github/workflows/ci.yml": kleurCi }))).toEqual(["10", "12", "14"]);
    const repo = snapshot({
      ".github/workflows/a.yml":
        "jobs:\n  t:\n    strategy:\n      matrix:\n        node: ['18.x', 20]\n        include:\n          - node: 22\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          node-version: ${{ matrix.node }}\n",
      ".github/workflows/b.yml": "jobs:\n  lint:\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          node-version: lts/*\n      - uses: actions/setup-node@v4\n        with:\n          node-version: ${{ env.NODE }}\n",
      ".github/workflows/broken.yml": "jobs: [unclosed",
    });
    expect(ciNodeVersions(repo)).toEqual(["18.x", "20", "22", "lts/*"]);
    expect(ciNodeVersions(snapshot({ "package.json": "{}" }))).toEqual([]);
  });

  it("takes the newest CI major that engines.node allows and the image builder can run", () => {
    expect(nodeFromCi(["10", "12", "14"], ">=6")).toEqual({
      version: "14",
      note: 'the repository\'s CI workflows test on Node 10, 12, 14: using Node 14, the newest of them that engines.node ">=6" allows',
    });
    expect(nodeFromCi(["18.x", "20", "lts/*"], undefined)?.version).toBe("24");
    expect(nodeFromCi(["20", "22"], "<21")?.version).toBe("20");
    // Node 10 cannot run the npm the builder installs: nothing usable, engines decides.
    expect(nodeFromCi(["8", "10"], ">=6")).toBeUndefined();
    expect(nodeFromCi([], ">=6")).toBeUndefined();
  });

  it("comes after a developer pin and before engines.node", () => {
    expect(chooseNode({ nvmrc: "16", ci: ["14"], engines: ">=6" }).version).toBe("16");
    expect(chooseNode({ ci: ["10", "12", "14"], engines: ">=6" }).version).toBe("14");
    expect(chooseNode({ ci: ["8"], engines: ">=6" }).version).toBe("24");
  });

  it("gives kleur the Node its CI used, where `uvu -r esm` loads its ES module tests", () => {
    const pkg = { name: "kleur", scripts: { test: "uvu -r esm -i utils -i xyz" }, engines: { node: ">=6" }, devDependencies: { esm: "3.2.25", uvu: "0.3.3" } };
    const plan = detectEnvironment(snapshot({ "package.json": JSON.stringify(pkg), ".github/workflows/ci.yml": kleurCi, "index.js": "", "test/index.js": "" }));
    expect("error" in plan ? plan.error : plan.nodeVersion).toBe("14");
  });
});
