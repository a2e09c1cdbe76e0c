// The CodeAct loop: ask the model, run its action in the sandbox, give it the observation, until
// it calls `finish` or a budget, the turn cap, a loop detector or a failure ends the rollout.
import type {
  ChatCompletionAssistantMessageParam,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
} from "openai/resources/chat/completions";
import { engineFailureOf, SandboxError, type Sandbox } from "../../sandbox/index.js";
import { normalizeArguments, type ToolAction } from "./arguments.js";
import type { BashLimits } from "./bash-tool.js";
import { addTokens, costOf, exhaustedBudget } from "./budget.js";
import { condense, DEFAULT_TOKENS_PER_CHAR, estimateTokens, messageChars } from "./context.js";
import { EditHistory } from "./editor.js";
import { executeAction } from "./execute.js";
import { parseArguments } from "./json-repair.js";
import { callModel, DEFAULT_RETRY, type ModelAnswer } from "./model.js";
import { buildSystemPrompt, buildUserMessage, noActionMessage, onlyFirstCallNote } from "./prompts.js";
import { isStuck, STUCK_REPEATS } from "./stuck.js";
import { executionResult, parseTextAction } from "./text-format.js";
import { TOOLS } from "./tools.js";
import { MAX_COMMAND_OUTPUT_CHARS } from "./truncate.js";
import type { Action, AgentInput, AgentOptions, FinishReason, RetryPolicy, Step, StepErrorKind, TokenCount, Trajectory } from "./types.js";
import { FileOpError, SandboxFailure, Workspace } from "./workspace.js";

export const DEFAULTS = {
  repoDir: "/repo",
  maxTurns: 100,
  contextWindowTokens: 128_000,
  keepRecentTurns: 5,
  maxWallMs: 3_600_000,
  commandTimeoutSec: 120,
  maxCommandTimeoutSec: 600,
} as const;

// The server stops before `</function`, so an answer holds at most one call (OpenHands' STOP_WORDS).
const TEXT_STOP = ["</function"];
const TOOLS_CHARS = JSON.stringify(TOOLS).length;

interface Ending {
  reason: FinishReason;
  message?: string;
}

interface Settings {
  opts: AgentOptions;
  repoDir: string;
  maxTurns: number;
  maxTokens: number;
  maxCostUsd: number;
  contextWindowTokens: number;
  keepRecentTurns: number;
  retry: RetryPolicy;
  deadline: number;
  commandTimeoutSec: number;
  maxCommandTimeoutSec: number;
}

export async function runAgent(sandbox: Sandbox, input: AgentInput, opts: AgentOptions): Promise<Trajectory> {
  const started = performance.now();
  const settings: Settings = {
    opts,
    repoDir: input.repoDir ?? DEFAULTS.repoDir,
    maxTurns: opts.maxTurns ?? DEFAULTS.maxTurns,
    maxTokens: opts.maxTokens ?? Infinity,
    maxCostUsd: opts.maxCostUsd ?? Infinity,
    contextWindowTokens: opts.contextWindowTokens ?? DEFAULTS.contextWindowTokens,
    keepRecentTurns: opts.keepRecentTurns ?? DEFAULTS.keepRecentTurns,
    retry: { ...DEFAULT_RETRY, ...opts.retry },
    deadline: Date.now() + (opts.maxWallMs ?? DEFAULTS.maxWallMs),
    commandTimeoutSec: opts.commandTimeoutSec ?? DEFAULTS.commandTimeoutSec,
    maxCommandTimeoutSec: opts.maxCommandTimeoutSec ?? DEFAULTS.maxCommandTimeoutSec,
  };
  const rollout = new Rollout(settings);
  let workspace: Workspace | undefined;
  let ending: Ending;
  let patch = "";
  try {
    try {
      workspace = await Workspace.open(sandbox, settings.repoDir);
      rollout.baseCommit = await workspace.headCommit();
      rollout.start(input.problemStatement, input.instructions);
      ending = await rollout.run(workspace);
    } catch (error) {
      const ours = error instanceof SandboxFailure || error instanceof FileOpError || error instanceof SandboxError;
      // A raw engine error (socket gone, container removed) ends the rollout as infra too.
      const engine = ours ? null : engineFailureOf(error);
      if (!ours && !engine) throw error;
      ending = { reason: "sandbox-error", message: engine ?? (error as Error).message };
    }
    if (workspace) {
      try {
        patch = await workspace.patch(rollout.baseCommit);
      } catch (error) {
        // A sandbox that already failed keeps its first reason: the patch failing too follows from it.
        if (ending.reason !== "sandbox-error") ending = { reason: "sandbox-error", message: `Could not compute the final patch: ${(error as Error).message}` };
      }
    }
  } finally {
    await workspace?.close();
  }
  return rollout.trajectory(ending, patch, performance.now() - started);
}

class Rollout {
  baseCommit: string | null = null;
  private messages: ChatCompletionMessageParam[] = [];
  private readonly steps: Step[] = [];
  /** Every turn's action, no-action answers included, for loop detection. */
  private readonly actions: (Action | null)[] = [];
  private readonly history = new EditHistory();
  private readonly condensations: Trajectory["condensations"] = [];
  private readonly modelRetries: Trajectory["modelRetries"] = [];
  private tokens: TokenCount = { prompt: 0, completion: 0 };
  private turns = 0;
  private tokensPerChar = DEFAULT_TOKENS_PER_CHAR;

  constructor(private readonly s: Settings) {}

  start(problemStatement: string, instructions?: string): void {
    const mode = this.s.opts.mode;
    this.messages = [
      { role: "system", content: buildSystemPrompt(mode, this.s.repoDir) },
      { role: "user", content: buildUserMessage(problemStatement, { mode, repoDir: this.s.repoDir, baseCommit: this.baseCommit, ...(instructions ? { instructions } : {}) }) },
    ];
  }

  async run(workspace: Workspace): Promise<Ending> {
    for (;;) {
      if (this.s.opts.signal?.aborted) return { reason: "cancelled", message: `Cancelled after ${this.turns} turns.` };
      if (this.turns >= this.s.maxTurns) return { reason: "turn-cap", message: `Reached the cap of ${this.s.maxTurns} turns without finishing.` };
      if (Date.now() >= this.s.deadline) return { reason: "time-budget", message: "The rollout's wall-clock budget ran out." };
      this.condenseIfNeeded();
      const request = this.request();
      const sentChars = messageChars(request.messages) + (request.tools ? TOOLS_CHARS : 0);
      const turn = this.turns + 1;
      const outcome = await callModel(this.s.opts.client, request, {
        policy: this.s.retry,
        deadline: this.s.deadline,
        ...(this.s.opts.signal ? { signal: this.s.opts.signal } : {}),
        onRetry: (retry) => this.modelRetries.push({ turn, ...retry }),
      });
      if (!outcome.ok) return { reason: outcome.reason, message: outcome.message };
      this.turns = turn;
      const usage = this.usageOf(outcome.answer, sentChars);
      this.tokens = addTokens(this.tokens, usage);
      const finished =
        this.s.opts.mode === "tools"
          ? await this.toolsTurn(outcome.answer, workspace, { usage, modelMs: outcome.ms })
          : await this.textTurn(outcome.answer, workspace, { usage, modelMs: outcome.ms });
      if (finished) return finished;
      const budget = exhaustedBudget(this.tokens, costOf(this.tokens, this.s.opts.pricing), { maxTokens: this.s.maxTokens, maxCostUsd: this.s.maxCostUsd });
      if (budget) return budget;
      if (isStuck(this.actions)) {
        return { reason: "stuck", message: `The same action was repeated ${STUCK_REPEATS} times in a row: ${describe(this.actions[this.actions.length - 1])}.` };
      }
    }
  }

  trajectory(ending: Ending, patch: string, durationMs: number): Trajectory {
    return {
      messages: this.messages,
      steps: this.steps,
      patch,
      finishReason: ending.reason,
      ...(ending.message === undefined ? {} : { finishMessage: ending.message }),
      turns: this.turns,
      tokens: this.tokens,
      costUsd: costOf(this.tokens, this.s.opts.pricing),
      durationMs,
      mode: this.s.opts.mode,
      model: this.s.opts.model,
      baseCommit: this.baseCommit,
      condensations: this.condensations,
      modelRetries: this.modelRetries,
    };
  }

  private request(): ChatCompletionCreateParamsNonStreaming {
    const { opts } = this.s;
    return {
      model: opts.model,
      messages: this.messages,
      ...(opts.mode === "tools" ? { tools: [...TOOLS], tool_choice: "auto" as const } : { stop: TEXT_STOP }),
      ...(opts.temperature === undefined ? {} : { temperature: opts.temperature }),
      ...(opts.user === undefined ? {} : { user: opts.user }),
    };
  }

  private condenseIfNeeded(): void {
    const result = condense(this.messages, {
      windowTokens: this.s.contextWindowTokens,
      keepRecentTurns: this.s.keepRecentTurns,
      tokensPerChar: this.tokensPerChar,
      extraChars: this.s.opts.mode === "tools" ? TOOLS_CHARS : 0,
    });
    if (!result || result.elided === 0) return;
    this.messages = result.messages;
    this.condensations.push({
      turn: this.turns + 1,
      elided: result.elided,
      estimatedTokensBefore: result.estimatedTokensBefore,
      estimatedTokensAfter: result.estimatedTokensAfter,
    });
  }

  /** Reported usage (which also calibrates the estimate), or an estimate when none came. */
  private usageOf(answer: ModelAnswer, sentChars: number): TokenCount {
    if (answer.usage) {
      if (answer.usage.prompt > 0 && sentChars > 0) this.tokensPerChar = answer.usage.prompt / sentChars;
      return answer.usage;
    }
    const answerChars = (answer.content ?? "").length + answer.toolCalls.reduce((n, c) => n + c.name.length + c.arguments.length, 0);
    return { prompt: estimateTokens(sentChars, this.tokensPerChar), completion: estimateTokens(answerChars, DEFAULT_TOKENS_PER_CHAR) };
  }

  private async toolsTurn(answer: ModelAnswer, workspace: Workspace, meta: TurnMeta): Promise<Ending | null> {
    if (answer.toolCalls.length === 0) {
      this.messages.push({ role: "assistant", content: answer.content ?? "" });
      this.noAction(meta);
      return null;
    }
    const parsed = answer.toolCalls.map((call) => ({ call, args: parseArguments(call.arguments) }));
    // Past tool calls are re-sent every turn and vLLM re-parses their arguments: only valid
    // JSON goes into the history (the repaired form, or {} when beyond repair); the step
    // keeps what the model actually sent.
    const toolCalls: ChatCompletionMessageToolCall[] = parsed.map(({ call, args }) => ({
      id: call.id,
      type: "function",
      function: { name: call.name, arguments: !args.ok ? "{}" : args.repairs.length > 0 ? JSON.stringify(args.value) : call.arguments },
    }));
    const assistant: ChatCompletionAssistantMessageParam = { role: "assistant", content: answer.content, tool_calls: toolCalls };
    this.messages.push(assistant);
    for (const [i, { call, args }] of parsed.entries()) {
      const stepMeta = i === 0 ? meta : { usage: { prompt: 0, completion: 0 }, modelMs: 0 };
      let result: StepOutcome;
      if (!args.ok) {
        result = {
          action: { tool: call.name, args: {}, raw: call.arguments },
          observation:
            `ERROR: The arguments of your ${call.name} call are not valid JSON and could not be repaired: ${args.error}. ` +
            `Send the arguments as one JSON object with double-quoted keys and strings, and newlines inside strings written as \\n, ` +
            `e.g. {"command": "ls -la"}.`,
          exitCode: null,
          errorKind: "bad-arguments",
          corrected: [],
        };
      } else {
        const repairs = args.repairs.map((r) => `arguments: repaired invalid JSON (${r})`);
        result = await this.act(call.name, args.value, call.arguments, repairs, workspace);
      }
      const ending = this.record(result, stepMeta);
      if (ending) return ending;
      this.messages.push({ role: "tool", tool_call_id: call.id, content: result.observation });
    }
    return null;
  }

  private async textTurn(answer: ModelAnswer, workspace: Workspace, meta: TurnMeta): Promise<Ending | null> {
    const content = answer.content ?? "";
    const parsed = parseTextAction(content);
    if (parsed.kind === "none") {
      this.messages.push({ role: "assistant", content });
      this.noAction(meta);
      return null;
    }
    this.messages.push({ role: "assistant", content: parsed.content });
    const { call } = parsed;
    const result = await this.act(call.name, call.args, call.raw, [], workspace);
    if (parsed.ignoredCalls > 0) result.observation += onlyFirstCallNote(parsed.ignoredCalls);
    const ending = this.record(result, meta);
    if (ending) return ending;
    this.messages.push({ role: "user", content: executionResult(call.name, result.observation) });
    return null;
  }

  /** Validates the arguments and runs the action; `finish` is only recorded. */
  private async act(tool: string, rawArgs: Record<string, unknown>, raw: string, repairs: string[], workspace: Workspace): Promise<StepOutcome> {
    const normalized = normalizeArguments(tool, rawArgs, this.s.repoDir);
    const corrected = [...repairs, ...normalized.corrected];
    if (!normalized.ok) {
      return { action: { tool, args: rawArgs, raw }, observation: `ERROR: ${normalized.error}`, exitCode: null, errorKind: normalized.kind, corrected };
    }
    const action: Action = { tool, args: argsOf(normalized.action), raw };
    if (normalized.action.tool === "finish") {
      return { action, observation: "", exitCode: null, corrected, finish: normalized.action.message };
    }
    const started = performance.now();
    const result = await executeAction(normalized.action, workspace, this.history, this.bashLimits());
    return {
      action,
      observation: result.observation,
      exitCode: result.exitCode,
      ...(result.errorKind ? { errorKind: result.errorKind } : {}),
      corrected: [...corrected, ...result.corrected],
      durationMs: performance.now() - started,
    };
  }

  private bashLimits(): BashLimits {
    return {
      defaultSec: this.s.commandTimeoutSec,
      maxSec: this.s.maxCommandTimeoutSec,
      remainingMs: this.s.deadline - Date.now(),
      maxOutputChars: MAX_COMMAND_OUTPUT_CHARS,
    };
  }

  private noAction(meta: TurnMeta): void {
    const message = noActionMessage(this.s.opts.mode);
    this.record({ action: null, observation: message, exitCode: null, errorKind: "no-action", corrected: [] }, meta);
    this.messages.push({ role: "user", content: message });
  }

  /** Appends the step; returns the ending when the action was `finish`. */
  private record(result: StepOutcome, meta: TurnMeta): Ending | null {
    this.steps.push({
      index: this.steps.length,
      turn: this.turns,
      action: result.action,
      observation: result.observation,
      exitCode: result.exitCode,
      error: result.errorKind !== undefined,
      ...(result.errorKind ? { errorKind: result.errorKind } : {}),
      ...(result.corrected.length > 0 ? { corrected: result.corrected } : {}),
      durationMs: result.durationMs ?? 0,
      modelMs: meta.modelMs,
      tokens: meta.usage,
    });
    this.actions.push(result.action);
    return result.finish === undefined ? null : { reason: "finish", message: result.finish };
  }
}

interface TurnMeta {
  usage: TokenCount;
  modelMs: number;
}

interface StepOutcome {
  action: Action | null;
  observation: string;
  exitCode: number | null;
  errorKind?: StepErrorKind;
  corrected: string[];
  durationMs?: number;
  /** The finish message, when the action was `finish`. */
  finish?: string;
}

/** The validated arguments under their tool's parameter names, as the step records them. */
function argsOf(action: ToolAction): Record<string, unknown> {
  switch (action.tool) {
    case "execute_bash":
      return { command: action.command, ...(action.isInput ? { is_input: "true" } : {}), ...(action.timeoutSec === undefined ? {} : { timeout: action.timeoutSec }) };
    case "str_replace_editor": {
      const args: Record<string, unknown> = { command: action.command, path: action.path };
      if (action.fileText !== undefined) args.file_text = action.fileText;
      if (action.oldStr !== undefined) args.old_str = action.oldStr;
      if (action.newStr !== undefined) args.new_str = action.newStr;
      if (action.insertLine !== undefined) args.insert_line = action.insertLine;
      if (action.viewRange !== undefined) args.view_range = action.viewRange;
      return args;
    }
    case "think":
      return { thought: action.thought };
    case "finish":
      return { message: action.message };
  }
}

function describe(action: Action | null | undefined): string {
  if (!action) return "an answer with no action";
  const text = JSON.stringify(action.args);
  return `${action.tool} ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`;
}
