// `.github/lego.yml`: per-repository settings, read through Probot's config loader (default
// branch, org `.github` fallback, `_extends`) and validated here. Defaults are conservative
// for anything that writes to GitHub.
import YAML from "yaml";
import { z } from "zod";
import type { SelectionMode } from "./fix/hybrid.js";

export const repoConfigSchema = z
  .object({
    harvest: z
      .object({
        enabled: z.boolean().default(true).describe("Harvest task instances from merged PRs."),
        allowPrDescriptionTasks: z.boolean().default(false).describe("Accept PRs without a linked issue, using the PR description as the problem statement."),
        skipBots: z.boolean().default(true).describe("Skip PRs authored by bots."),
        maxFiles: z.number().int().positive().default(50).describe("Skip PRs that change more files than this."),
        maxLines: z.number().int().positive().default(2000).describe("Skip PRs that change more lines than this."),
        backfillDays: z.number().int().positive().default(90).describe("On install, harvest merged PRs from this many days back."),
        backfillLimit: z.number().int().positive().default(200).describe("At most this many PRs per repository on install."),
      })
      .strict()
      .prefault({}),
    autofix: z
      .object({
        trigger: z.enum(["label", "command", "all"]).default("command").describe("What starts a fix: a label, a `/lego fix` comment, or every new issue."),
        label: z.string().min(1).default("lego:fix").describe("The label that triggers a fix when trigger is `label`."),
        k: z.number().int().min(1).max(16).default(4).describe("Rollouts per fix attempt."),
        maxOpenPrs: z.number().int().min(0).default(3).describe("Open LegoFactory PRs allowed at once."),
        maxPrsPerHour: z.number().int().min(0).default(2).describe("LegoFactory PRs opened per hour at most."),
        minScore: z.number().min(0).max(1).default(0.5).describe("The verifier's P(YES) a candidate needs to become a PR."),
        allowUnscored: z.boolean().default(false).describe("Let a candidate the verifier could not score become a PR (ranked after every scored one)."),
        selection: z
          .enum(["verifier", "hybrid"])
          .default("hybrid")
          .describe("How candidates are ranked: the verifier's P(YES) alone, or its top half re-ranked by regression tests, then the rollouts' reproduction tests, then P(YES)."),
        maxCostUsd: z.number().positive().default(10).describe("Model spend allowed per fix attempt, USD: each of its k rollouts may spend a k-th of it."),
        maxCostUsdPerDay: z.number().min(0).default(50).describe("Model spend allowed per repository per UTC day, USD: no attempt starts once it is reached."),
        untrustedReviewComments: z.boolean().default(false).describe("Show the agent review comments from users without write access when it iterates on a review (they never start work)."),
        reproTimeoutSec: z.number().int().positive().max(3600).default(300).describe("Wall-clock limit for one run of the reproduction tests against one candidate (hybrid selection)."),
      })
      .strict()
      .prefault({}),
    validation: z
      .object({
        runs: z.number().int().min(1).max(5).default(2).describe("Runs of each state (NOP, Oracle); a test whose status varies is dropped as flaky."),
        scope: z.enum(["touched", "all"]).default("touched").describe("Tests run: the files test_patch touches, or the whole suite (wider PASS_TO_PASS)."),
      })
      .strict()
      .prefault({}),
    synth: z
      .object({
        enabled: z.boolean().default(false).describe("After each successful environment build, inject bugs into the sandbox and keep the validated ones as synthetic tasks."),
        perSnapshot: z.number().int().min(1).max(500).default(10).describe("Valid synthetic tasks wanted per repository snapshot (environment)."),
        strategies: z
          .array(z.enum(["ast", "llm-modify", "llm-rewrite", "combine"]))
          .min(1)
          .default(["ast", "combine"])
          .describe("Bug-injection strategies, in the order they are tried (`llm-*` need a writer model)."),
        maxCandidates: z.number().int().min(1).max(5000).default(50).describe("Candidates validated per strategy and snapshot at most."),
        group: z.number().int().min(1).max(64).default(16).describe("Bugs that survive their covering tests confirmed together by one full-suite run, at most this many (covering tests disjoint; a run that cannot be split per bug is redone in halves); 1: one full run per bug."),
      })
      .strict()
      .prefault({}),
    trajgen: z
      .object({
        k: z.number().int().min(0).max(64).optional().describe("Teacher rollouts per newly validated task of this repository (0: none); unset: `LEGO_TRAJGEN_K`."),
        maxRolloutsPerDay: z
          .number()
          .int()
          .min(0)
          .optional()
          .describe("Teacher rollouts started for this repository in any 24 hours (0 stops them); unset: `LEGO_TRAJGEN_REPO_ROLLOUTS_PER_DAY`. The global budgets apply as well."),
        maxCostUsdPerDay: z
          .number()
          .min(0)
          .optional()
          .describe("Teacher spend for this repository in any 24 hours, USD (0 stops it); unset: `LEGO_TRAJGEN_REPO_COST_PER_DAY_USD`. The global budgets apply as well."),
      })
      .strict()
      .prefault({}),
    sandbox: z
      .object({
        image: z.string().min(1).optional().describe("Use this environment image instead of building one."),
        install: z.array(z.string()).optional().describe("Install commands, replacing the detected ones."),
        testCmd: z.string().min(1).optional().describe("Test command, replacing the detected one."),
        timeoutSec: z.number().int().positive().max(7200).default(900).describe("Wall-clock limit for one test run."),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type RepoConfig = z.infer<typeof repoConfigSchema>;

/** The sandbox settings a repository may override; the environment plan applies them. */
export interface SandboxOverrides {
  image?: string;
  install?: string[];
  testCmd?: string;
}

/** What decides whether a merged PR is a task worth harvesting. */
export interface HarvestRules {
  maxFiles: number;
  maxLines: number;
  allowPrDescriptionTasks: boolean;
}

/** The repository's settings a harvest job needs, snapshotted from .github/lego.yml when it is made. */
export interface HarvestSettings extends HarvestRules {
  skipBots: boolean;
  runs: number;
  scope: "touched" | "all";
  timeoutSec: number;
  overrides: SandboxOverrides;
  /** Set when synthetic tasks are on: a fresh environment build enqueues a synth job with these. */
  synth?: SynthSettings | null;
}

/** The repository's settings a fix attempt runs with (from .github/lego.yml when requested). */
export interface FixSettings {
  k: number;
  maxOpenPrs: number;
  maxPrsPerHour: number;
  /** The verifier's P(YES) a candidate needs; absent in jobs made before it existed (then 0.5). */
  minScore?: number;
  /** Whether an unscored candidate may be chosen; absent means no. */
  allowUnscored?: boolean;
  timeoutSec: number;
  overrides: SandboxOverrides;
  /** Absent in jobs queued before the setting existed: hybrid. */
  selection?: SelectionMode;
  reproTimeoutSec?: number;
  /** Budgets in USD; absent in jobs made before they existed (then no budget applies). */
  maxCostUsd?: number;
  maxCostUsdPerDay?: number;
}

export const defaultRepoConfig: RepoConfig = repoConfigSchema.parse({});

export type RepoConfigResult = { ok: true; config: RepoConfig } | { ok: false; errors: string[] };

export const NOT_A_MAPPING = "the file must be a YAML mapping (key: value), not a list or a scalar";

/** Pure: whatever the loader returned (null when no file) → a config or precise errors. */
export function parseRepoConfig(raw: unknown): RepoConfigResult {
  if (raw === null || raw === undefined) return { ok: true, config: defaultRepoConfig };
  if (typeof raw !== "object" || Array.isArray(raw)) {
    return { ok: false, errors: [NOT_A_MAPPING] };
  }
  const { _extends: _ignored, ...rest } = raw as Record<string, unknown>;
  const parsed = repoConfigSchema.safeParse(rest);
  if (parsed.success) return { ok: true, config: parsed.data };
  return {
    ok: false,
    errors: parsed.error.issues.map((i) => {
      const where = i.path.length ? i.path.join(".") : "(top level)";
      return `${where}: ${i.message}`;
    }),
  };
}

/**
 * Pure: the file's text → a config or precise errors. Any YAML problem (syntax, an unresolved
 * alias, an alias bomb) is an error about the file, never an exception.
 */
export function parseRepoConfigText(text: string): RepoConfigResult {
  const shape = configTextProblem(text);
  if (shape) return { ok: false, errors: [shape] };
  let raw: unknown;
  try {
    raw = YAML.parse(text, { maxAliasCount: 100 });
  } catch (err) {
    return { ok: false, errors: [`not valid YAML: ${(err as Error).message}`] };
  }
  return parseRepoConfig(raw);
}

/**
 * Pure: a text whose whole document is `false`, `0` or `''`, which Probot's loader turns into
 * `{}` (`yaml.parse(data) || {}`) and so into the defaults, while `lego harvest` refuses it:
 * refused on both paths with parseRepoConfig's words. Call after configTextProblem; a YAML error
 * is left to the loader, which reports it.
 */
export function falsyDocumentProblem(text: string): string | null {
  let doc: unknown;
  try {
    doc = YAML.parse(text, { maxAliasCount: 100 });
  } catch {
    return null;
  }
  return doc !== null && doc !== undefined && !doc ? NOT_A_MAPPING : null;
}

/** The largest .github/lego.yml read; the real thing is a few hundred bytes. */
export const MAX_CONFIG_BYTES = 64 * 1024;
/** Nesting no settings file needs; the yaml library runs out of memory on a few thousand levels. */
const MAX_NESTING = 32;

/**
 * Pure: why a text is refused before YAML sees it. The yaml library crashes the whole process
 * (a fatal out-of-memory in V8's regexp compiler) on a few kilobytes of `{a: {a: …` or `- - - …`,
 * which any repository could commit, and takes seconds (growing faster than the size) on tens of
 * kilobytes of `[[[…`; the fuzz suites found both. Quotes are not tracked, so a string holding 33
 * brackets is refused too: no setting needs one. Applied to every file Probot's loader fetches too.
 */
export function configTextProblem(text: string): string | null {
  if (Buffer.byteLength(text) > MAX_CONFIG_BYTES) return `the file is larger than ${MAX_CONFIG_BYTES / 1024} KB`;
  let depth = 0;
  for (const ch of text) {
    if (ch === "[" || ch === "{") depth += 1;
    else if (ch === "]" || ch === "}") depth = Math.max(0, depth - 1);
    if (depth > MAX_NESTING) return `collections are nested more than ${MAX_NESTING} levels deep`;
  }
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const indicators = /^(?:[ \t]*[-?:](?=[ \t]|$))*/.exec(line)?.[0] ?? "";
    if (line.length - line.trimStart().length > MAX_NESTING * 8 || (indicators.match(/[-?:]/g)?.length ?? 0) > MAX_NESTING) {
      return `collections are nested more than ${MAX_NESTING} levels deep`;
    }
  }
  return null;
}

/** The body of the one "Action Required" issue about a broken config; edited in place. */
export function configErrorIssueBody(errors: string[], file = ".github/lego.yml"): string {
  return [
    `LegoFactory could not use \`${file}\` on the default branch, so it is paused for this repository until the file is fixed.`,
    "",
    "**Problems found:**",
    ...errors.map((e) => `- ${e}`),
    "",
    "Fix the file (or delete it to use the defaults) and this issue will be closed on the next event LegoFactory receives.",
    "",
    "<!-- lego:config-error -->",
  ].join("\n");
}

/** Markdown rows for the README's `.github/lego.yml` table, from the schema itself. */
export function repoConfigTableMarkdown(): string {
  const rows: string[] = [];
  for (const [section, sectionSchema] of Object.entries(repoConfigSchema.shape)) {
    const inner = (sectionSchema as unknown as { def: { innerType: z.ZodObject } }).def.innerType;
    for (const [key, schema] of Object.entries(inner.shape)) {
      const s = schema as z.ZodType;
      const def = (defaultRepoConfig as Record<string, Record<string, unknown>>)[section]?.[key];
      const shown = def === undefined ? "" : `\`${JSON.stringify(def)}\``;
      rows.push(`| \`${section}.${key}\` | ${shown} | ${s.description ?? ""} |`);
    }
  }
  return ["| key | default | meaning |", "|---|---|---|", ...rows].join("\n");
}

/** What a harvest job carries from the repository's config. */
function sandboxOverrides(config: RepoConfig): SandboxOverrides {
  const { image, install, testCmd } = config.sandbox;
  return { ...(image ? { image } : {}), ...(install ? { install } : {}), ...(testCmd ? { testCmd } : {}) };
}

export function harvestSettings(config: RepoConfig): HarvestSettings {
  return {
    maxFiles: config.harvest.maxFiles,
    maxLines: config.harvest.maxLines,
    allowPrDescriptionTasks: config.harvest.allowPrDescriptionTasks,
    skipBots: config.harvest.skipBots,
    runs: config.validation.runs,
    scope: config.validation.scope,
    timeoutSec: config.sandbox.timeoutSec,
    overrides: sandboxOverrides(config),
    synth: synthSettings(config),
  };
}

/** What a synth job carries from the repository's config. */
export interface SynthSettings {
  perSnapshot: number;
  strategies: ("ast" | "llm-modify" | "llm-rewrite" | "combine")[];
  maxCandidates: number;
  group: number;
  runs: number;
  timeoutSec: number;
  overrides: SandboxOverrides;
}

/** Null when the repository has synthetic tasks off. */
export function synthSettings(config: RepoConfig): SynthSettings | null {
  if (!config.synth.enabled) return null;
  return {
    perSnapshot: config.synth.perSnapshot,
    strategies: config.synth.strategies,
    maxCandidates: config.synth.maxCandidates,
    group: config.synth.group,
    runs: config.validation.runs,
    timeoutSec: config.sandbox.timeoutSec,
    overrides: sandboxOverrides(config),
  };
}

/** What a fix attempt carries from the repository's config; `k` may come from `/lego fix k=N`. */
export function fixSettings(config: RepoConfig, k?: number): FixSettings {
  return {
    k: k ?? config.autofix.k,
    maxOpenPrs: config.autofix.maxOpenPrs,
    maxPrsPerHour: config.autofix.maxPrsPerHour,
    minScore: config.autofix.minScore,
    allowUnscored: config.autofix.allowUnscored,
    selection: config.autofix.selection,
    reproTimeoutSec: config.autofix.reproTimeoutSec,
    maxCostUsd: config.autofix.maxCostUsd,
    maxCostUsdPerDay: config.autofix.maxCostUsdPerDay,
    timeoutSec: config.sandbox.timeoutSec,
    overrides: sandboxOverrides(config),
  };
}

/**
 * What a repository sets for its teacher rollouts (the keys it sets, no others): stored on the
 * repository's row whenever its config is read, and read by trajgen when it enqueues and before
 * each rollout, so it applies however a task became valid.
 */
export interface TrajgenSettings {
  k?: number;
  maxRolloutsPerDay?: number;
  maxCostUsdPerDay?: number;
}

export function trajgenSettings(config: RepoConfig): TrajgenSettings {
  const { k, maxRolloutsPerDay, maxCostUsdPerDay } = config.trajgen;
  return { ...(k !== undefined ? { k } : {}), ...(maxRolloutsPerDay !== undefined ? { maxRolloutsPerDay } : {}), ...(maxCostUsdPerDay !== undefined ? { maxCostUsdPerDay } : {}) };
}
