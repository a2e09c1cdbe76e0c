// `/lego explain`: how the current candidate was chosen, as a comment.
import type { RolloutRow } from "../../../db/fixes.js";
import { rolloutCosts } from "../../fix/costs.js";
import type { SelectionEvidence } from "../../fix/select.js";
import { costsSection, selectionSection } from "./selection-evidence.js";

/** A step of the chosen rollout's trajectory, as stored. */
export interface ExplainedStep {
  action: { tool: string; args: Record<string, unknown> } | null;
  error: boolean;
}

const SHOWN_STEPS = 40;

function stepLine(s: ExplainedStep, i: number): string {
  const a = s.action;
  const what = !a ? "(no action)" : a.tool === "execute_bash" ? `ran \`${String(a.args.command ?? "").split("\n")[0]?.slice(0, 80).replace(/`/g, "'")}\`` : a.tool === "str_replace_editor" ? `${String(a.args.command)} \`${String(a.args.path ?? "")}\`` : a.tool;
  return `${i + 1}. ${what}${s.error ? " — failed" : ""}`;
}

/**
 * The verifier's reasoning and what the chosen rollout did, step by step, then the others, how
 * the ranking chose among them, and what the attempt cost.
 */
export function renderExplanation(input: { issueNumber: number; chosenRolloutId: string; rollouts: RolloutRow[]; steps: ExplainedStep[]; selection?: SelectionEvidence | null }): string {
  const { issueNumber, chosenRolloutId, rollouts, steps } = input;
  const selection = selectionSection(input.selection ?? null);
  const chosen = rollouts.find((r) => r.id === chosenRolloutId);
  return [
    `### How the fix for #${issueNumber} was chosen`,
    "",
    `Rollout ${chosen?.index ?? "?"} of ${rollouts.length}; verifier P(YES) ${chosen?.verifierScore?.toFixed(3) ?? "n/a"}.`,
    "",
    "**Verifier's answer:**",
    "",
    "```",
    (chosen?.verifierReasoning ?? "(none recorded)").slice(0, 3000).replace(/```/g, "ʼʼʼ"),
    "```",
    "",
    `**What the agent did** (${steps.length} steps${steps.length > SHOWN_STEPS ? `, first ${SHOWN_STEPS} shown` : ""}):`,
    "",
    ...steps.slice(0, SHOWN_STEPS).map(stepLine),
    "",
    "Other rollouts:",
    ...rollouts.filter((r) => r.id !== chosenRolloutId).map((r) => `- rollout ${r.index}: ${r.outcome ?? r.status}${r.verifierScore != null ? `, P(YES) ${r.verifierScore.toFixed(3)}` : ""}${(r.evaluation as { dropped?: string } | null)?.dropped ? ` (dropped: ${(r.evaluation as { dropped: string }).dropped})` : ""}`),
    ...(selection ? ["", selection.replace(/^## /, "#### ")] : []),
    "",
    costsSection(rolloutCosts(rollouts), null, "#### Costs"),
  ].join("\n");
}
