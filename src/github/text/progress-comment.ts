// The one progress comment of a fix attempt, re-rendered from scratch at every change.
import { cell, plural, scoreText, untrusted } from "./markdown.js";

export type RolloutStatus = "queued" | "running" | "finished" | "failed" | "cancelled";

export interface RolloutProgress {
  index: number;
  status: RolloutStatus;
  turns?: number;
  outcome?: string;
  score?: number | null;
  /** A drop reason or an error, shown as is. */
  note?: string;
}

export type ProgressState = { issueNumber: number; k: number; rollouts: RolloutProgress[] } & (
  | { phase: "queued" }
  | { phase: "running" }
  | { phase: "verifying" }
  | { phase: "opened"; prNumber: number; chosen: { index: number; score: number | null } }
  | { phase: "no-candidate" }
  | { phase: "stopped" }
  | { phase: "failed"; error: string }
  /** A candidate qualified but a repository limit held the PR back. */
  | { phase: "held"; reason: string }
);

function headline(state: ProgressState): string {
  const done = state.rollouts.filter((r) => r.status !== "queued" && r.status !== "running").length;
  switch (state.phase) {
    case "queued":
      return `⏳ Queued: ${plural(state.k, "rollout")} will start when a worker is free.`;
    case "running":
      return `🔧 Running ${plural(state.k, "rollout")}: ${done} of ${state.k} finished.`;
    case "verifying":
      return "🔍 Verifying: every rollout has finished and the verifier is scoring the candidates.";
    case "opened":
      return `✅ Opened #${state.prNumber} with rollout ${state.chosen.index} (verifier P(YES) ${scoreText(state.chosen.score)}).`;
    case "no-candidate":
      return `⚠️ No candidate qualified, so no pull request was opened; the reasons are in the table. Comment \`/lego retry k=N\` to try again with more rollouts.`;
    case "stopped":
      return "⏹️ Stopped on request: rollouts in flight were cancelled. Comment `/lego fix` to start again.";
    case "held":
      return `⏸️ ${cell(untrusted(state.reason))}`;
    case "failed":
      return `❌ The attempt failed: ${cell(untrusted(state.error))}. This is a LegoFactory problem, not one in the issue; comment \`/lego retry\` to try again.`;
  }
}

/** The single progress comment on the issue, re-rendered from scratch at every change. */
export function renderProgressComment(state: ProgressState): string {
  const lines = [`**LegoFactory** · fix attempt for #${state.issueNumber}`, "", headline(state)];
  if (state.rollouts.length > 0) {
    lines.push(
      "",
      "| Rollout | Status | Turns | Outcome | Verifier P(YES) | Note |",
      "|---|---|---|---|---|---|",
      ...[...state.rollouts]
        .sort((a, b) => a.index - b.index)
        .map(
          (r) =>
            `| ${r.index} | ${r.status} | ${r.turns ?? "—"} | ${cell(r.outcome ?? "—")} | ${scoreText(r.score)} | ${cell(untrusted(r.note ?? "—"))} |`,
        ),
    );
  }
  return `${lines.join("\n")}\n`;
}
