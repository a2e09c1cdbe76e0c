// The environment tests run in: what a CI runner gives (CI=true), with SWE-bench's known
// sources of nondeterminism pinned (time zone, locale, Python's hash seed). Colour variables are
// left unset unless the repository's own CI workflows set them: forcing NO_COLOR made colour
// tests fail before and after every fix, so colour-related PRs could never validate.
import { isRecord, workflowDocs } from "./ci-workflows.js";
import type { RepoSnapshot } from "./types.js";

export const NEUTRAL_TEST_ENV: Readonly<Record<string, string>> = {
  CI: "true",
  TZ: "UTC",
  LANG: "C.UTF-8",
  LC_ALL: "C.UTF-8",
  PYTHONHASHSEED: "0",
};

/** Variables that change whether and how programs colour their output. */
export const COLOUR_VARIABLES = ["NO_COLOR", "FORCE_COLOR", "PY_COLORS", "CLICOLOR", "CLICOLOR_FORCE", "TERM", "COLORTERM"] as const;

/**
 * Pure: the colour variables a repository's GitHub Actions workflows set (workflow, job or step
 * `env`), with the value the first one found gives; expressions (`${{ … }}`) are not taken.
 */
export function ciColourEnv(repo: RepoSnapshot): Record<string, string> {
  const out: Record<string, string> = {};
  for (const doc of workflowDocs(repo)) {
    for (const env of envBlocks(doc)) {
      for (const name of COLOUR_VARIABLES) {
        const v = env[name];
        if (name in out || v === undefined || v === null || typeof v === "object") continue;
        const text = String(v);
        if (!text.includes("${{")) out[name] = text;
      }
    }
  }
  return out;
}

function envBlocks(doc: unknown): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [];
  const add = (x: unknown) => {
    const env = isRecord(x) ? x.env : undefined;
    if (isRecord(env)) blocks.push(env);
  };
  add(doc);
  const jobs = isRecord(doc) && isRecord(doc.jobs) ? Object.values(doc.jobs) : [];
  for (const job of jobs) {
    add(job);
    const steps = isRecord(job) && Array.isArray(job.steps) ? job.steps : [];
    for (const step of steps) add(step);
  }
  return blocks;
}

/** Pure: the neutral environment, the repository's CI colour settings, then the plan's own variables (never colour ones). */
export function testEnvironment(repo: RepoSnapshot, own: Record<string, string>): Record<string, string> {
  const kept = Object.fromEntries(Object.entries(own).filter(([k]) => !(COLOUR_VARIABLES as readonly string[]).includes(k)));
  return { ...NEUTRAL_TEST_ENV, ...ciColourEnv(repo), ...kept };
}
