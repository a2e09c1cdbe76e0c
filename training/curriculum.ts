// SWE-Lego's turn-count curriculum: trajectories tiered by assistant turns (easy 0–50, medium
// 50–70, hard 70–100) and trained in stages, easy → easy+medium → all, each stage starting from
// the previous stage's checkpoint. Pure.
export const TIERS = ["easy", "medium", "hard"] as const;
export type Tier = (typeof TIERS)[number];

export interface TierThresholds {
  /** Most assistant turns of an easy trajectory. */
  easy: number;
  /** Most assistant turns of a medium one; anything longer is hard. */
  medium: number;
}

export const DEFAULT_TIERS: TierThresholds = { easy: 50, medium: 70 };

export function tierOf(assistantTurns: number, thresholds: TierThresholds = DEFAULT_TIERS): Tier {
  if (assistantTurns <= thresholds.easy) return "easy";
  return assistantTurns <= thresholds.medium ? "medium" : "hard";
}

/** Parses "50,70"; null when it is not two increasing positive integers. */
export function parseTierThresholds(text: string): TierThresholds | null {
  const parts = text.split(",").map((p) => p.trim());
  if (parts.length !== 2 || !parts.every((p) => /^\d+$/.test(p))) return null;
  const [easy, medium] = parts.map(Number) as [number, number];
  return easy > 0 && medium > easy ? { easy, medium } : null;
}

export interface Stage {
  /** 1-based among the stages written. */
  index: number;
  /** Also the trainer's checkpoint folder name (training/python). */
  name: "easy" | "easy_medium" | "all";
  tiers: Tier[];
}

const STAGES: { name: Stage["name"]; tiers: Tier[] }[] = [
  { name: "easy", tiers: ["easy"] },
  { name: "easy_medium", tiers: ["easy", "medium"] },
  { name: "all", tiers: ["easy", "medium", "hard"] },
];

/**
 * The stages worth running: a stage whose newest tier is empty would only repeat the one before
 * it (and an empty first stage has nothing to train on), so it is left out.
 */
export function stagePlan(counts: Record<Tier, number>): Stage[] {
  const stages: Stage[] = [];
  for (const stage of STAGES) {
    const newest = stage.tiers[stage.tiers.length - 1] as Tier;
    if (counts[newest] > 0) stages.push({ index: stages.length + 1, ...stage });
  }
  return stages;
}
