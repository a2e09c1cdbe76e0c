// Go modules: the toolchain the module asks for, from go.dev, and `go test -json`.
import { REPORT_PLACEHOLDER } from "../../sandbox/test-logs/report.js";
import { shQuote } from "../../sandbox/quote.js";
import { pathArg } from "./shell.js";
import type { EnvironmentPlan, RepoSnapshot } from "./types.js";

/** Used when go.mod names no version; recent enough for any module that omits it. */
export const DEFAULT_GO_VERSION = "1.24.4";

/** go.mod's `toolchain goX.Y.Z`, else its `go` line, as a go.dev/dl release name. */
export function goVersion(goMod: string | undefined): string | undefined {
  const toolchain = /^toolchain\s+go(\d+\.\d+(?:\.\d+)?)\s*$/m.exec(goMod ?? "")?.[1];
  const directive = /^go\s+(\d+\.\d+(?:\.\d+)?)\s*$/m.exec(goMod ?? "")?.[1];
  const v = toolchain ?? directive;
  if (!v) return undefined;
  // Since Go 1.21 the first release of a line is X.Y.0; before, it was plain X.Y.
  const [major, minor = 0] = v.split(".").map(Number);
  return v.split(".").length === 2 && major === 1 && minor >= 21 ? `${v}.0` : v;
}

// Set on the commands themselves, not only in `env`, so the build and the test run agree on
// where modules are cached whatever user and HOME each runs with.
const GO_ENV = "GOPATH=/go GOCACHE=/go/cache";

export function planGo(repo: RepoSnapshot): EnvironmentPlan {
  const files = new Set(repo.files);
  const declared = goVersion(repo.read("go.mod"));
  const version = declared ?? DEFAULT_GO_VERSION;
  const notes = [
    declared ? `go.mod asks for Go ${declared}` : `go.mod names no Go version; using ${DEFAULT_GO_VERSION}`,
    "go test runs with -count=1 so repeated runs (flakiness checks) are never served from the test cache",
  ];
  const tarball = shQuote(`https://go.dev/dl/go${version}.linux-`) + `$(dpkg --print-architecture).tar.gz`;
  return {
    language: "go",
    packageManager: "go",
    framework: "go-test",
    dependencyFiles: ["go.mod", "go.sum", "go.work", "go.work.sum"].filter((f) => files.has(f)),
    install: [
      `curl -fsSL ${tarball} | tar -C /usr/local -xz && ln -sf /usr/local/go/bin/go /usr/local/go/bin/gofmt /usr/local/bin/`,
      `${GO_ENV} go mod download`,
    ],
    fallbacks: [],
    testCommand: (testFiles) => {
      const dirs = testFiles === "all" ? [] : testFiles.filter((f) => f.endsWith(".go")).map(packageDir);
      const packages = dirs.length > 0 ? [...new Set(dirs)].map((d) => pathArg(d === "." ? "." : `./${d}`)) : ["./..."];
      // Offline at test time: fail at once on a missing module rather than wait on the proxy.
      // The test2json events go to the run's report path, not to the output (see go-json below).
      return [GO_ENV, "GOPROXY=off", "go", "test", "-json", "-count=1", ...packages, ">", REPORT_PLACEHOLDER].join(" ");
    },
    reporterFlags: "-json",
    // What go test -json prints is test2json's reading of each test binary's stdout, so a test
    // printing framing lines (`--- PASS: TestX`, or the \x16-prefixed ones of -test.v=test2json)
    // can still forge events inside the report: the file keeps the output and the code's direct
    // writes apart, not the binary's own stdout. Recorded on every run's notes.
    report: "go-json",
    env: { GOPATH: "/go", GOCACHE: "/go/cache" },
    notes,
  };
}

/** The package a file belongs to: its directory, or the one owning the testdata it sits in. */
function packageDir(file: string): string {
  const testdata = `/${file}`.indexOf("/testdata/");
  const end = testdata >= 0 ? testdata - 1 : file.lastIndexOf("/");
  return end > 0 ? file.slice(0, end) : ".";
}
