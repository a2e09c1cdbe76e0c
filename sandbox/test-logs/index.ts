import { canonicalRun } from "./canonical-id.js";
import { parseGoTest } from "./go-test.js";
import { parseJestJson } from "./jest.js";
import { parseMochaJson } from "./mocha.js";
import { parsePytest } from "./pytest.js";
import { parseTap } from "./tap.js";
import type { Framework, ParsedRun, ParseOptions } from "./types.js";
import { DEFAULT_ROOT } from "./types.js";
import { parseUnittest } from "./unittest.js";
import { parseUvu } from "./uvu.js";

export type { Framework, ParsedRun, ParseOptions, TestStatus, TestStatusMap } from "./types.js";
export { END_MARKER, extractMarked, START_MARKER, wrapWithMarkers } from "./markers.js";
export type { MarkedOutput } from "./markers.js";

const PARSERS: Record<Framework, (log: string, root: string) => ParsedRun> = {
  pytest: parsePytest,
  unittest: parseUnittest,
  jest: parseJestJson,
  vitest: parseJestJson,
  mocha: parseMochaJson,
  "node-test": parseTap,
  ava: parseTap,
  tap: parseTap,
  uvu: parseUvu,
  "go-test": parseGoTest,
};

/**
 * Per-test statuses from one run's output, under canonical ids (canonical-id.ts): pass the body between the markers (`extractMarked`),
 * produced with the framework's `REPORTER_FLAGS`. Never throws: a framework name from config
 * that is not known, or a parser bug, gives a run with no evidence and says why in `notes`.
 */
export function parseTestLog(framework: Framework, log: string, options: ParseOptions = {}): ParsedRun {
  const parse = Object.hasOwn(PARSERS, framework) ? PARSERS[framework] : undefined;
  if (!parse) return { statuses: {}, ran: false, notes: [`unknown test framework ${JSON.stringify(framework)}`] };
  try {
    const root = options.root ?? DEFAULT_ROOT;
    return canonicalRun(parse(log, root), root);
  } catch (err) {
    return { statuses: {}, ran: false, notes: [`the ${framework} parser failed: ${(err as Error).message}`] };
  }
}
