// The table of an attempt's rollouts that the PR body and the no-candidate comment share.
import { cell, scoreText, untrusted } from "./markdown.js";

/** One rollout as the texts show it. */
export interface RolloutSummary {
  index: number;
  outcome: string;
  score: number | null;
  /** Why selection dropped the rollout. */
  dropped?: string;
}

export function rolloutsTable(rows: RolloutSummary[], notes: Map<number, string>, lastHeader: string): string {
  return [
    `| Rollout | Outcome | Verifier P(YES) | ${lastHeader} |`,
    "|---|---|---|---|",
    ...[...rows]
      .sort((a, b) => a.index - b.index)
      .map((r) => `| ${r.index} | ${cell(r.outcome)} | ${scoreText(r.score)} | ${cell(untrusted(notes.get(r.index) ?? r.dropped ?? "—"))} |`),
  ].join("\n");
}
