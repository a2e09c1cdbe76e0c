// The coding agent: an OpenHands 0.53 CodeAct loop (execute_bash, str_replace_editor, think,
// finish) over one persistent sandbox shell, in native tool-call or text function-call mode.
export { runAgent, DEFAULTS } from "./loop.js";
export type {
  Action,
  ActionMode,
  AgentInput,
  AgentOptions,
  Condensation,
  FinishReason,
  ModelRetry,
  Pricing,
  RetryPolicy,
  Step,
  StepErrorKind,
  TokenCount,
  ToolName,
  Trajectory,
} from "./types.js";
export { EDITOR_COMMANDS, TOOL_NAMES, TOOLS, toolSchema } from "./tools.js";
export { describeTools, executionResult, formatFunctionCall, parseTextAction } from "./text-format.js";
export type { ParsedFunctionCall, TextParse } from "./text-format.js";
export { buildSystemPrompt, buildUserMessage, noActionMessage, REPRODUCTION_TEST_INSTRUCTIONS } from "./prompts.js";
export { normalizeArguments } from "./arguments.js";
export type { Normalized, ToolAction } from "./arguments.js";
export { parseArguments, repairJson } from "./json-repair.js";
export { truncateMiddle, MAX_COMMAND_OUTPUT_CHARS } from "./truncate.js";
export { condense, ELIDED_OBSERVATION } from "./context.js";
export { costOf, exhaustedBudget } from "./budget.js";
export { isStuck, STUCK_REPEATS } from "./stuck.js";
