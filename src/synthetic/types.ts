// The one contract every bug-injection strategy meets. In: a repository snapshot, its
// environment, a target function (and for `combine`, the bugs already validated there). Out:
// candidate bug diffs with what made them, or the reason a try produced nothing.
import type { EnvironmentPlan } from "../environment/types.js";
import type { SourceLanguage } from "./languages.js";

/** The repository at the clean commit, as strategies read it. */
export interface RepoSnapshot {
  /** The HEAD commit the bugs are made against (the synthetic task's base_commit). */
  commit: string;
  read(path: string): Promise<string | undefined>;
}

/** A function tests execute: where it is, and the tests that can see it (from the coverage map). */
export interface Target {
  file: string;
  language: SourceLanguage;
  /** `name`, or `Class.method` for methods. */
  symbol: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  /** The tests that executed at least one of its lines; empty when no coverage map exists. */
  tests: string[];
}

/** A model on an OpenAI-compatible endpoint that answers one prompt with text (the writer model). */
export interface Writer {
  readonly model: string;
  complete(system: string, user: string): Promise<string>;
}

/** An already validated bug, for `combine`. */
export interface ValidatedBug {
  instanceId: string;
  file: string;
  bugPatch: string;
  failToPass: string[];
}

export interface StrategyInput {
  repo: RepoSnapshot;
  environment: Pick<EnvironmentPlan, "language" | "framework">;
  target: Target;
  random: () => number;
  /** Candidates wanted from this target at most. */
  max: number;
  writer?: Writer;
  validated?: ValidatedBug[];
}

export interface Candidate {
  /** As stored on the task: `ast:<operator>`, `llm:modify`, `llm:rewrite`, `combine`. */
  strategy: string;
  operator: string;
  file: string;
  symbol: string;
  /** 1-based lines of the clean file the bug changes. */
  lines: [number, number];
  /** The diff that introduces the bug (git format, applies at the clean commit). */
  bugPatch: string;
  /** The tests that can see the change: the target's covering tests (for combine, the union). */
  tests: string[];
  /** combine: the validated tasks it joins. */
  parts?: string[];
}

/** A try that produced no candidate, with why (counted in the per-strategy summary). */
export interface Discarded {
  strategy: string;
  operator?: string;
  file: string;
  symbol: string;
  reason: string;
}

export type Attempt = { ok: true; candidate: Candidate } | ({ ok: false } & Discarded);

export interface Strategy {
  /** The name `--strategies` and `synth.strategies` use. */
  readonly name: StrategyName;
  /** Whether it can work on this target at all (a writer model, validated bugs…); null when it can. */
  unavailable(input: Omit<StrategyInput, "target" | "random" | "max">): string | null;
  generate(input: StrategyInput): Promise<Attempt[]>;
}

export const strategyNames = ["ast", "llm-modify", "llm-rewrite", "combine"] as const;
export type StrategyName = (typeof strategyNames)[number];
