// The candidate PR's body: small sections (what changed, evidence, commands) and the hidden
// metadata that parses back.
import { cell, code, cut, scoreText, untrusted } from "./markdown.js";
import { metaComment, type PrMeta } from "./pr-meta.js";
import { rolloutsTable, type RolloutSummary } from "./rollouts-table.js";
import type { RolloutCost } from "../../fix/costs.js";
import type { SelectionEvidence } from "../../fix/select.js";
import { costsSection, selectionSection } from "./selection-evidence.js";

export interface PrBodyInput {
  issueNumber: number;
  /** What changed and why, from the agent's finish message. */
  summary: string;
  changedFiles: { path: string; additions: number; deletions: number }[];
  tests: { command: string; passed: string[]; failed: string[] } | null;
  rollouts: RolloutSummary[];
  /** The score is null when the verifier could not score the chosen rollout. */
  chosen: { index: number; score: number | null };
  runnerUp: { index: number; score: number | null } | null;
  /** How the candidate was chosen; absent for attempts made before it was stored. */
  selection?: SelectionEvidence | null;
  costs?: { rollouts: RolloutCost[]; attemptWallMs: number | null };
  /** The policy model that wrote the chosen patch: its name at the endpoint and its registry version, if any. */
  model?: { name: string; version: string | null };
  meta: PrMeta;
}

const SUMMARY_CHARS = 6000;
const LISTED_TESTS = 50;

function testList(ids: string[]): string {
  const shown = ids.slice(0, LISTED_TESTS).map((id) => `- ${code(cell(id))}`);
  if (ids.length > LISTED_TESTS) shown.push(`- … and ${ids.length - LISTED_TESTS} more`);
  return shown.join("\n");
}

function whatChanged(input: PrBodyInput): string {
  const summary = untrusted(input.summary).trim();
  const files = input.changedFiles.map((f) => `| ${code(cell(f.path))} | +${f.additions} −${f.deletions} |`);
  return [
    "## What changed",
    "",
    summary ? cut(summary, SUMMARY_CHARS) : "_The agent left no summary; the diff is the description._",
    "",
    "| File | Lines |",
    "|---|---|",
    ...files,
  ].join("\n");
}

function testsSection(tests: PrBodyInput["tests"]): string {
  if (tests === null) return "**Tests:** none were run for this candidate, so the evidence is the verifier score alone.";
  const lines = [`**Tests:** ${code(tests.command)}: ${tests.passed.length} passed, ${tests.failed.length} failed.`];
  if (tests.failed.length > 0) lines.push("", "Failed:", "", testList(tests.failed));
  if (tests.passed.length > 0) {
    lines.push("", `<details><summary>Passed (${tests.passed.length})</summary>`, "", testList(tests.passed), "", "</details>");
  }
  return lines.join("\n");
}

function evidence(input: PrBodyInput): string {
  const notes = new Map<number, string>([[input.chosen.index, "**chosen**"]]);
  if (input.runnerUp) notes.set(input.runnerUp.index, "runner-up");
  const qualified = input.rollouts.filter((r) => r.dropped === undefined).length;
  const runnerUp = input.runnerUp
    ? `; runner-up: rollout ${input.runnerUp.index} at ${scoreText(input.runnerUp.score)}`
    : "; no other rollout qualified";
  return [
    "## Evidence",
    "",
    testsSection(input.tests),
    "",
    `**Rollouts:** ${input.rollouts.length} tried, ${qualified} qualified (a rollout is dropped when it has no patch, edits tests, breaks a test that passed before, or its sandbox failed).`,
    "",
    rolloutsTable(input.rollouts, notes, "Note"),
    "",
    `**Chosen:** rollout ${input.chosen.index} with verifier P(YES) ${scoreText(input.chosen.score)}${runnerUp}.`,
    ...[selectionSection(input.selection ?? null)].filter((s): s is string => s !== null).map((s) => `\n${s}`),
    ...(input.costs ? [`\n${costsSection(input.costs.rollouts, input.costs.attemptWallMs)}`] : []),
    ...(input.model ? ["", modelLine(input.model)] : []),
  ].join("\n");
}

function modelLine(model: NonNullable<PrBodyInput["model"]>): string {
  const from = model.version ? `model version ${code(cell(model.version))} from LegoFactory's registry` : "the configured policy model (`LEGO_POLICY_MODEL`)";
  return `**Model:** ${code(cell(model.name))}, ${from}.`;
}

function commandsSection(): string {
  return [
    "## Commands",
    "",
    "Comment on this pull request (first line of the comment; `retry` and `stop` need write access):",
    "",
    "- `/lego retry [k=N]`: run N fresh rollouts (1–16) and replace this candidate with the best of them.",
    "- `/lego explain`: show every rollout, its outcome, its score and why it was dropped.",
    "- `/lego stop`: stop work on this issue; this pull request stays as it is.",
    "- `/lego help`: list the commands.",
  ].join("\n");
}

/**
 * The candidate PR's body. It says "Fixes #N": closing keywords act only when the PR is merged
 * into the default branch, and a maintainer merging the fix is exactly when the issue should
 * close (closing the PR unmerged leaves the issue open). The keyword also links the PR in the
 * issue's Development panel, and the close on merge is itself a validation signal.
 */
export function renderPrBody(input: PrBodyInput): string {
  const intro = [
    `Fixes #${input.issueNumber}`,
    "",
    "> [!NOTE]",
    `> A candidate fix written by LegoFactory: the best of ${input.rollouts.length} automated attempt${input.rollouts.length === 1 ? "" : "s"}, chosen by ${input.selection?.mode === "hybrid" ? "a verifier model and the tests" : "a verifier model"}. Review it like any contribution; merging it closes #${input.issueNumber}.`,
  ].join("\n");
  return [intro, whatChanged(input), evidence(input), commandsSection(), metaComment(input.meta)].join("\n\n") + "\n";
}
