// Where an install failed, as a user would look for it: the lifecycle script npm names (captured
// from npm 10 in our image: a root postinstall whose download is refused), else the command
// without the variables the builder sets before it.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { failingStep, npmScriptStep } from "../../../sandbox/images.js";

const postinstall = readFileSync(new URL("../../fixtures/npm/postinstall-failed.log", import.meta.url), "utf8");
const ENV = "PUPPETEER_SKIP_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm_config_nodedir=/opt/node";

describe("failingStep", () => {
  it("names npm's failing lifecycle script by its event and package", () => {
    expect(npmScriptStep(postinstall)).toBe("the postinstall script of strutil-fetch@1.0.0: node scripts/fetch-binary.js");
    expect(failingStep(`${ENV} npm install --no-audit --no-fund`, postinstall)).toBe("the postinstall script of strutil-fetch@1.0.0: node scripts/fetch-binary.js");
  });

  it("a dependency's script, whose banner npm does not print: named by its path", () => {
    const dep = "npm error code 1\nnpm error path /repo/node_modules/esbuild\nnpm error command failed\nnpm error command sh -c node install.js\n";
    expect(npmScriptStep(dep)).toBe("a lifecycle script in /repo/node_modules/esbuild: node install.js");
  });

  it("otherwise the command's first line without the variables set before it", () => {
    expect(npmScriptStep("npm error code E404\n")).toBeUndefined();
    expect(failingStep(`set -e\n${ENV} npm ci --no-audit --no-fund\n`, "npm error code E404\n")).toBe("npm ci --no-audit --no-fund");
    expect(failingStep(`v=$(curl -fsSL https://x) && tar -xz`, "")).toBe("v=$(curl -fsSL https://x) && tar -xz");
    expect(failingStep("pip install .", "##lego-step resolve dependencies\nboom\n")).toBe("resolve dependencies");
  });
});
