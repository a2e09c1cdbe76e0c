import { describe, expect, it } from "vitest";
import { buildStep } from "../../../../src/environment/node.js";

describe("buildStep", () => {
  const scripts = { build: "tsc -p ." };
  it.each([
    ["entry point in an untracked dist/", { scripts, main: "dist/index.js" }, ["src/index.ts"], "npm", "npm run build"],
    ["exports map into an untracked lib/", { scripts, exports: { ".": { import: "./lib/index.mjs" } } }, ["src/index.ts"], "pnpm", "pnpm run build"],
    ["entry point tracked", { scripts, main: "lib/index.js" }, ["lib/index.js"], "npm", undefined],
    ["no build script", { main: "dist/index.js" }, [], "npm", undefined],
    ["entry at the root", { scripts, main: "index.js" }, ["index.js"], "yarn", undefined],
  ] as const)("%s", (_name, pkg, files, manager, expected) => {
    expect(buildStep(pkg, [...files], manager)).toBe(expected);
  });
});
