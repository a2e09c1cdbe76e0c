/** SWE-bench's per-test statuses. */
export type TestStatus = "PASSED" | "FAILED" | "SKIPPED" | "ERROR" | "XFAIL";

/** Test id → status for one run. Built without a prototype so any id is a plain key. */
export type TestStatusMap = Record<string, TestStatus>;

export type Framework = "pytest" | "unittest" | "jest" | "vitest" | "mocha" | "node-test" | "ava" | "tap" | "uvu" | "go-test";

export interface ParsedRun {
  statuses: TestStatusMap;
  /** Evidence that the suite actually ran: a summary line or at least one test result. */
  ran: boolean;
  /** The runner's own counts where it prints them. `skipped` includes expected failures. */
  summary?: { passed: number; failed: number; skipped: number };
  /** What the parser could not read, e.g. "log truncated", "unparseable JSON line skipped". */
  notes: string[];
  /** The log was cut in the middle, so a missing test proves nothing about that test. */
  truncated?: boolean;
  /**
   * Why the run's results cannot be trusted although it ran: its structured report is missing,
   * cut or malformed, or what the output printed disagrees with the report.
   */
  untrusted?: string;
  /** The output claimed results the report does not hold: printed by the code under test. */
  spoofed?: boolean;
}

export interface ParseOptions {
  /** Where the repository lives in the sandbox; absolute test file paths are made relative to it. */
  root?: string;
}

export const DEFAULT_ROOT = "/repo";
