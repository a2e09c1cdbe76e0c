// Shared by the fuzz suites: inputs shaped like the real thing (so the properties reach deep into
// each parser) and adversarial ones (long runs of the characters a regex might backtrack on).
import fc from "fast-check";

/** Runs per property: enough to find shallow bugs on every CI run, small enough for 2 cores. */
export const RUNS = Number(process.env.LEGO_FUZZ_RUNS ?? 300);

/**
 * A fixed seed, so `npm test` is reproducible and a red CI run is the code's doing, not the dice's.
 * Explore with other seeds (`LEGO_FUZZ_SEED=random`, or a number) and more runs; each finding
 * becomes a unit test with its counterexample and a fix.
 */
const seedSetting = process.env.LEGO_FUZZ_SEED ?? "20261201";
if (seedSetting !== "random") fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(seedSetting) });

/**
 * The time one input may take. Catastrophic backtracking on a 20k-character input takes minutes;
 * a linear parser takes milliseconds. The limit is that gap, not a performance target.
 */
export const PER_INPUT_MS = 2_000;

/** Text made of the given fragments, as long as an attacker likes (within `maxLength` pieces). */
export const fragments = (parts: string[], maxLength = 200) => fc.array(fc.oneof(fc.constantFrom(...parts), fc.string({ maxLength: 8 })), { maxLength }).map((a) => a.join(""));

/** One fragment repeated thousands of times: the classic input for exponential regexes. */
export const floods = (parts: string[]) =>
  fc.tuple(fc.constantFrom(...parts), fc.integer({ min: 1_000, max: 20_000 }), fc.string({ maxLength: 4 })).map(([p, n, tail]) => p.repeat(Math.ceil(n / Math.max(1, p.length))) + tail);

/** Calls `fn` and fails when it takes longer than PER_INPUT_MS. */
export function timed<T>(fn: () => T): T {
  const started = performance.now();
  const out = fn();
  const ms = performance.now() - started;
  if (ms > PER_INPUT_MS) throw new Error(`took ${ms.toFixed(0)} ms (limit ${PER_INPUT_MS} ms): catastrophic backtracking?`);
  return out;
}

/** Expects `fn` to return, or to throw only `allowed` (the parser's own typed error). */
export function throwsOnly<T>(fn: () => T, ...allowed: (new (...args: never[]) => Error)[]): T | undefined {
  try {
    return timed(fn);
  } catch (err) {
    if (allowed.some((k) => err instanceof k)) return undefined;
    throw err;
  }
}
