// Per-test results from the framework's structured report, written to a file whose path holds
// a per-run nonce the code under test is not given, rather than from what the run printed:
// printed lines such as `tests/test_x.py::test_y PASSED` are only claims, checked against the
// report. A missing, cut or malformed report, or claims the report does not back, leave the run
// `untrusted` with the reason.
import { canonicalRun } from "./canonical-id.js";
import { parseGoTest } from "./go-test.js";
import { parseJestJson } from "./jest.js";
import { parseJunitXml } from "./junit.js";
import { parseMochaJson } from "./mocha.js";
import { parseTap } from "./tap.js";
import { parseUnittestReport } from "./unittest-report.js";
import { type Framework, type ParsedRun, DEFAULT_ROOT } from "./types.js";
import { parseTestLog } from "./index.js";

export type ReportFormat = "junit-xml" | "jest-json" | "mocha-json" | "tap" | "unittest-json" | "go-json";

/** Stands for the report's path in a plan's test command; the runner puts a fresh path in its place per run. */
export const REPORT_PLACEHOLDER = "__LEGO_REPORT_PATH__";

const LISTED = 5;

/** Recorded on every go run: the report is only as good as what test2json reads. */
export const GO_LIMITATION = "go test -json builds its events from each test binary's own stdout (test2json), so a test printing framing lines could still forge results in the report";

/** Recorded on every node-tap run: its report is the TAP each test file's process prints. */
export const TAP_LIMITATION = "node-tap builds its report from each test file's own stdout (the TAP channel), so a test printing TAP lines could still forge subtests in the report";

/** Recorded on every ava run: the tests run in forked workers, but ava's config file runs in the process whose stdout is the report. */
export const AVA_LIMITATION = "ava's TAP report is its main process's stdout: test workers are forked processes whose output goes to stderr, but code ava loads in its main process (ava.config.js) could still write to the report";

const FILE_LIMITATIONS: Partial<Record<Framework, string>> = { "go-test": GO_LIMITATION, tap: TAP_LIMITATION, ava: AVA_LIMITATION };

/**
 * Recorded on a run read from its printed output (an override command gives no report path):
 * nothing there is beyond the reach of the code under test.
 */
export function printedOnlyNote(framework: Framework): string {
  return `${framework} results were read from the printed output (no report file at a private path): the code under test could print fake ones`;
}

function parseReport(format: ReportFormat, text: string, root: string): ParsedRun {
  switch (format) {
    case "junit-xml":
      return parseJunitXml(text);
    case "jest-json":
      return parseJestJson(text, root);
    case "mocha-json":
      return parseMochaJson(text, root);
    case "tap":
      return parseTap(text, root);
    case "unittest-json":
      return parseUnittestReport(text);
    case "go-json":
      return parseGoTest(text);
  }
}

/**
 * Pure: one run's results from its report (`null`: the runner wrote none), with the printed
 * output's claims checked against it. Never throws.
 */
export function resultsFromReport(format: ReportFormat, report: string | null, output: string, framework: Framework, root = DEFAULT_ROOT): ParsedRun {
  if (report === null) {
    const claimed = passedClaims(framework, output, root);
    const missing = { statuses: {}, ran: false, notes: ["no structured report was written"] };
    if (claimed.length > 0) return { ...missing, spoofed: true, untrusted: `the output claims ${listed(claimed)} passed, but the test runner wrote no report` };
    return { ...missing, untrusted: "the test runner wrote no structured report (it crashed before the end, or the report was removed)" };
  }
  let run: ParsedRun;
  try {
    run = canonicalRun(parseReport(format, report, root), root);
    const limitation = FILE_LIMITATIONS[framework];
    if (limitation) run = { ...run, notes: [...run.notes, limitation] };
  } catch (err) {
    run = { statuses: {}, ran: false, notes: [`the ${format} report could not be read: ${(err as Error).message}`] };
  }
  if (!run.ran || run.truncated) {
    return { ...run, ran: false, untrusted: `the structured report is truncated or malformed${run.notes.length ? `: ${run.notes.join("; ")}` : ""}` };
  }
  const spoofed = passedClaims(framework, output, root).filter((id) => run.statuses[id] !== "PASSED");
  if (spoofed.length === 0) return run;
  return { ...run, spoofed: true, untrusted: `the output claims ${listed(spoofed)} passed that the test runner's report does not` };
}

/** Pure: the ids the printed output says passed, sorted. */
function passedClaims(framework: Framework, output: string, root: string): string[] {
  return Object.entries(parseTestLog(framework, output, { root }).statuses)
    .filter(([, status]) => status === "PASSED")
    .map(([id]) => id)
    .sort();
}

function listed(ids: string[]): string {
  const shown = ids.slice(0, LISTED).join(", ") + (ids.length > LISTED ? ` and ${ids.length - LISTED} more` : "");
  return `${ids.length} test(s) (${shown})`;
}
