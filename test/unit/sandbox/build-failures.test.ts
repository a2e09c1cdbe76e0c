import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { classifyBuildFailure } from "../../../sandbox/build-failures.js";
import { fallbackApplies } from "../../../sandbox/images.js";

describe("classifyBuildFailure", () => {
  it.each([
    ["npm ERR! code ENOTFOUND\nnpm ERR! request to https://registry.npmjs.org/left-pad failed", "network"],
    ["curl: (6) Could not resolve host: github.com", "network"],
    ["Error: getaddrinfo EAI_AGAIN objects.githubusercontent.com", "network"],
    ["npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve dependency tree", "dependency-resolution"],
    ["npm ERR! notarget No matching version found for left-pad@^99.0.0.", "dependency-resolution"],
    ["ERROR: Could not find a version that satisfies the requirement numpy==9.9", "dependency-resolution"],
    ["npm ERR! `npm ci` can only install packages when your package.json and package-lock.json are in sync", "lockfile"],
    ["gyp ERR! build error\ngyp ERR! stack Error: `make` failed with exit code: 2", "compilation"],
    ["src/x.c:1:10: fatal error: Python.h: No such file or directory", "missing-compiler"],
    ["src/a.ts(3,1): error TS2304: Cannot find name 'x'.", "compilation"],
    ["something odd happened\nexit 1", "unknown"],
  ])("%s → %s", (log, cls) => expect(classifyBuildFailure(log, false).class).toBe(cls));

  it("prefers the network over what it caused", () => {
    const log = "npm WARN tarball\nnpm ERR! code ECONNREFUSED\ngyp ERR! not ok";
    expect(classifyBuildFailure(log, false)).toMatchObject({ class: "network", evidence: "npm ERR! code ECONNREFUSED" });
  });
  it("reports a timeout as such", () => {
    expect(classifyBuildFailure("npm http fetch GET 200", true)).toMatchObject({ class: "timeout", reason: "the install did not finish within its time limit" });
  });
  it("keeps the last line as evidence when nothing matches", () => {
    expect(classifyBuildFailure("a\nb\n\n", false)).toMatchObject({ class: "unknown", reason: "the install command failed", evidence: "b", signals: [] });
  });
});

// Output captured from the real tools (npm 11, pip 23 on Debian 12) failing in each way; the
// file name says the class it must get (test/fixtures/build-logs/<class>.<what>.log).
describe("classifyBuildFailure on captured real logs", () => {
  const dir = new URL("../../fixtures/build-logs/", import.meta.url).pathname;
  const files = readdirSync(dir).filter((f) => f.endsWith(".log"));
  it("has a captured log for every class a log can show", () => {
    const classes = new Set(files.map((f) => f.split(".")[0]));
    for (const c of ["network", "tls", "lockfile", "lifecycle-script", "python-version", "dependency-resolution", "missing-compiler"]) expect(classes).toContain(c);
  });
  it.each(files)("%s", (file) => {
    const f = classifyBuildFailure(readFileSync(path.join(dir, file), "utf8"), false);
    expect(f.class).toBe(file.split(".")[0]);
    expect(f.evidence).toBeTruthy();
    expect(f.hint).toMatch(/sandbox\.|LEGO_|deploy\//);
  });
  it("names the package a 404 was for, not npm's error code (jshttp/cookie pins top-sites 1.1.225, which the registry does not have)", () => {
    const f = classifyBuildFailure(readFileSync(path.join(dir, "dependency-resolution.npm-e404-unpublished-pin.log"), "utf8"), false);
    expect(f).toMatchObject({ class: "dependency-resolution", evidence: "npm error 404 Not Found - GET https://registry.npmjs.org/top-sites/-/top-sites-1.1.225.tgz" });
  });
  it("a postinstall that dies on a socket is a network failure where the no-scripts fallback helps", () => {
    const f = classifyBuildFailure(readFileSync(path.join(dir, "network.npm-postinstall-socket.log"), "utf8"), false);
    expect(f.signals).toEqual(expect.arrayContaining(["network", "lifecycle-script"]));
    const noScripts = { name: "install without lifecycle scripts", install: [], when: ["lifecycle-script" as const] };
    expect(fallbackApplies(noScripts, [f])).toBe(true);
    expect(fallbackApplies(noScripts, [{ class: "dependency-resolution", signals: ["dependency-resolution"] }])).toBe(false);
    expect(fallbackApplies({ name: "any", install: [], when: "any" }, [])).toBe(false);
  });
});
