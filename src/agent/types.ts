// The agent's public shapes: options in, trajectory out (DESIGN.md "Formats": Trajectory).
import type OpenAI from "openai";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";

export type ActionMode = "tools" | "text";

export type ToolName = "execute_bash" | "str_replace_editor" | "think" | "finish";

export type FinishReason =
  | "finish"
  | "turn-cap"
  | "token-budget"
  | "cost-budget"
  | "time-budget"
  | "stuck"
  | "model-error"
  | "sandbox-error"
  | "cancelled";

/**
 * Why a step counts as failed. `nonzero-exit` is a command that ran and failed (tests failing, a
 * bug reproduced): the agent at work. The others are the action failing as an action, which SFT
 * export masks (training/masking.ts).
 */
export type StepErrorKind =
  | "nonzero-exit"
  | "command-not-found"
  | "shell-syntax"
  | "interactive-prompt"
  | "timeout"
  | "editor"
  | "bad-arguments"
  | "unknown-tool"
  | "no-action"
  | "not-interactive";

export interface Pricing {
  promptPerMTok: number;
  completionPerMTok: number;
}

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** Backoff before retry n is baseDelayMs * 2^(n-1), capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface AgentOptions {
  client: OpenAI;
  model: string;
  mode: ActionMode;
  /** Assistant turns before the rollout ends as "turn-cap". Default 100 (the SWE-Lego cap). */
  maxTurns?: number;
  /** Prompt plus completion tokens over the rollout. Default: no limit. */
  maxTokens?: number;
  /** Needs `pricing`. Default: no limit. */
  maxCostUsd?: number;
  pricing?: Pricing;
  /** Estimated prompt tokens above which old observations are elided. Default 128 000. */
  contextWindowTokens?: number;
  /** Turns at the end of the conversation that condensation never touches. Default 5. */
  keepRecentTurns?: number;
  /** Wall-clock budget of the rollout. Default one hour. */
  maxWallMs?: number;
  /** Default limit of one bash command, in seconds. Default 120. */
  commandTimeoutSec?: number;
  /** Upper bound for the `timeout` a model may ask for. Default 600. */
  maxCommandTimeoutSec?: number;
  temperature?: number;
  /** Sent as the request's `user` field: the rollout id. */
  user?: string;
  /** Stops the rollout after the current step with finishReason "cancelled". */
  signal?: AbortSignal;
  retry?: Partial<RetryPolicy>;
}

export interface AgentInput {
  /** Issue text, already stripped of hidden markup upstream; still untrusted. */
  problemStatement: string;
  /** Default /repo. */
  repoDir?: string;
  /** LegoFactory's own instructions, added after the task, outside the issue description. */
  instructions?: string;
}

export interface Action {
  tool: string;
  args: Record<string, unknown>;
  /** What the model sent: the argument string (tools mode) or the function block (text mode). */
  raw?: string;
}

export interface TokenCount {
  prompt: number;
  completion: number;
}

export interface Step {
  index: number;
  /** The assistant turn (1-based) that produced this step; a turn with several tool calls has several steps. */
  turn: number;
  action: Action | null;
  observation: string;
  exitCode: number | null;
  error: boolean;
  errorKind?: StepErrorKind;
  corrected?: string[];
  /** Time spent executing the action. */
  durationMs: number;
  /** Time the model took to answer the turn (on the turn's first step). */
  modelMs: number;
  /** Usage of the turn's completion (on the turn's first step; zero on the others). */
  tokens: TokenCount;
}

export interface Condensation {
  /** The turn about to be requested when the history was condensed. */
  turn: number;
  elided: number;
  estimatedTokensBefore: number;
  estimatedTokensAfter: number;
}

export interface ModelRetry {
  turn: number;
  attempt: number;
  error: string;
  status?: number;
  delayMs: number;
}

export interface Trajectory {
  /** The chat messages as last sent, plus the final answer (condensed observations stay condensed). */
  messages: ChatCompletionMessageParam[];
  steps: Step[];
  /** Working tree against the commit the rollout started from, new files included. */
  patch: string;
  finishReason: FinishReason;
  finishMessage?: string;
  turns: number;
  tokens: TokenCount;
  costUsd: number;
  durationMs: number;
  mode: ActionMode;
  model: string;
  baseCommit: string | null;
  condensations: Condensation[];
  modelRetries: ModelRetry[];
}
