// The comment that explains why no rollout became a pull request, and what to do next.
import { plural } from "./markdown.js";
import { rolloutsTable, type RolloutSummary } from "./rollouts-table.js";

/** Why no rollout became a pull request, and what the reader can do about it. */
export function renderNoCandidateComment(input: { issueNumber: number; rollouts: RolloutSummary[] }): string {
  const { rollouts } = input;
  const allInfra = rollouts.length > 0 && rollouts.every((r) => r.outcome === "infra-error");
  const next = allInfra
    ? [
        "Every rollout's sandbox failed, so this says nothing about the issue or the model. An administrator can find the errors in LegoFactory's logs; once fixed, comment `/lego retry`.",
      ]
    : [
        "What you can do next:",
        "",
        "- Add detail to the issue (steps to reproduce, expected and actual behaviour, a failing test if you have one) and comment `/lego retry`.",
        "- Ask for more attempts: `/lego retry k=8` (at most 16).",
      ];
  return [
    `### No candidate fix for #${input.issueNumber}`,
    "",
    `LegoFactory tried ${plural(rollouts.length, "rollout")} and none qualified, so no pull request was opened. A rollout is dropped when it produced no patch, edited tests, broke a test that passed before, or its sandbox failed.`,
    "",
    rolloutsTable(rollouts, new Map(), "Why it was not used"),
    "",
    ...next,
  ].join("\n") + "\n";
}
