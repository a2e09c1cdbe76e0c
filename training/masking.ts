// Step-level error masking (SWE-Lego): an assistant turn whose action failed *as an action* stays
// in the context but carries no loss. A command that ran and exited non-zero because the code
// under test fails is the agent doing its job and is trained on. Pure.
import type { Step, StepErrorKind } from "../src/agent/index.js";

export const MASK_MODES = ["none", "tool-errors", "all-nonzero"] as const;
export type MaskMode = (typeof MASK_MODES)[number];

/** The kinds that mean the action itself failed: it could not be parsed, validated or run. */
const ACTION_FAILURES: ReadonlySet<StepErrorKind> = new Set<StepErrorKind>([
  "command-not-found",
  "shell-syntax",
  "interactive-prompt",
  "timeout",
  "editor",
  "bad-arguments",
  "unknown-tool",
  "no-action",
  "not-interactive",
]);

/**
 * Whether the assistant message that produced `step` is masked. `tool-errors` is the recipe;
 * `all-nonzero` also masks failing commands (every recorded error); `none` masks nothing.
 */
export function isMasked(step: Pick<Step, "error" | "errorKind">, mode: MaskMode): boolean {
  if (mode === "none" || !step.error) return false;
  if (mode === "all-nonzero") return true;
  // An error without a kind predates the kinds: nothing says the action itself failed.
  return step.errorKind !== undefined && ACTION_FAILURES.has(step.errorKind);
}
