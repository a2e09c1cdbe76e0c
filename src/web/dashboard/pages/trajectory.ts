// The trajectory viewer: every step of a rollout as it will reach training, with the turns the SFT
// export masks highlighted by the export's own masking rule, so what is audited is what is trained.
import type { getRolloutInScope } from "../../../../db/dashboard.js";
import type { Step, StepErrorKind } from "../../../agent/types.js";
import { renderDiff } from "../diff.js";
import { clip, fmtInt, fmtMs, fmtTime, href, type Html, html } from "../html.js";
import { badge, facts } from "./layout.js";
import { taskLink } from "./lists.js";

type Rollout = NonNullable<Awaited<ReturnType<typeof getRolloutInScope>>>;

/** The SFT export's decision for one step: is the assistant turn that produced it masked? */
export type StepMasker = (step: Pick<Step, "error" | "errorKind">) => boolean;

interface StepView {
  index: number;
  turn: number;
  action: { tool: string; args: Record<string, unknown> } | null;
  observation: string;
  exitCode: number | null;
  error: boolean;
  errorKind?: StepErrorKind;
  durationMs: number;
}

const OBSERVATION_LIMIT = 6000;
const ARGUMENT_LIMIT = 4000;
const STEP_LIMIT = 400;

function asSteps(raw: unknown): StepView[] {
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((s): s is Record<string, unknown> => Boolean(s) && typeof s === "object")
    .map((s, i) => {
      const action = s.action && typeof s.action === "object" ? (s.action as Record<string, unknown>) : null;
      return {
        index: typeof s.index === "number" ? s.index : i,
        turn: typeof s.turn === "number" ? s.turn : 0,
        action: action ? { tool: String(action.tool ?? "?"), args: (action.args && typeof action.args === "object" ? action.args : {}) as Record<string, unknown> } : null,
        observation: typeof s.observation === "string" ? s.observation : JSON.stringify(s.observation ?? ""),
        exitCode: typeof s.exitCode === "number" ? s.exitCode : null,
        error: s.error === true,
        // Stored by the agent; an unknown kind is passed on for the masking rule to judge.
        ...(typeof s.errorKind === "string" ? { errorKind: s.errorKind as StepErrorKind } : {}),
        durationMs: typeof s.durationMs === "number" ? s.durationMs : 0,
      };
    });
}

/** The assistant's text for each turn (1-based), from the stored chat messages. */
function assistantTexts(raw: unknown): Map<number, string> {
  const out = new Map<number, string>();
  if (!Array.isArray(raw)) return out;
  let turn = 0;
  for (const m of raw) {
    if (!m || typeof m !== "object" || (m as { role?: unknown }).role !== "assistant") continue;
    turn += 1;
    const content = (m as { content?: unknown }).content;
    const text = typeof content === "string" ? content : Array.isArray(content) ? content.map((p) => (p && typeof p === "object" && "text" in p ? String(p.text) : "")).join("") : "";
    if (text.trim()) out.set(turn, text);
  }
  return out;
}

function clipped(text: string, limit: number, cls: string): Html {
  const c = clip(text, limit);
  return html`<pre class="${cls}">${c.text}</pre>${c.omitted ? html`<p class="note">${fmtInt(c.omitted)} characters not shown.</p>` : ""}`;
}

function renderAction(action: StepView["action"]): Html {
  if (!action) return html`<p class="note">No parsable action.</p>`;
  const args = action.args;
  const main = typeof args.command === "string" && action.tool === "execute_bash" ? args.command : typeof args.thought === "string" ? args.thought : typeof args.message === "string" ? args.message : null;
  if (main !== null) return html`<div class="action"><b>${action.tool}</b>${clipped(main, ARGUMENT_LIMIT, "args")}</div>`;
  return html`<div class="action"><b>${action.tool}</b>${clipped(JSON.stringify(args, null, 2), ARGUMENT_LIMIT, "args")}</div>`;
}

export function trajectoryPage(r: Rollout, problemStatement: string | null, masker: StepMasker | undefined): Html {
  const ro = r.rollout;
  const steps = asSteps(r.trajectory?.steps);
  const thoughts = assistantTexts(r.trajectory?.messages);
  const masked = steps.filter((s) => masker?.(s));
  const about = facts(
    [
      ["repository", html`<a href="/dashboard/repos/${r.repo}">${r.repo}</a>`],
      ["for", ro.taskInstanceId ? taskLink(ro.taskInstanceId) : ro.fixAttemptId ? html`<a href="${href("/dashboard/rollouts", { fix: ro.fixAttemptId, window: "all" })}">fix attempt #${ro.fixAttemptId}</a>` : ""],
      ["model", ro.model],
      ["outcome", html`${badge(ro.outcome ?? ro.status)} ${ro.outcomeReason ?? ""}`],
      ["verifier score", ro.verifierScore === null ? "—" : html`<span id="verifier-score">${ro.verifierScore.toFixed(3)}</span>`],
      ["finish reason", ro.finishReason ?? ""],
      ["turns / steps", `${ro.turns ?? "—"} / ${steps.length}`],
      ["tokens", `${fmtInt(ro.promptTokens ?? 0)} prompt, ${fmtInt(ro.completionTokens ?? 0)} completion`],
      ["cost", ro.costUsd === null ? "" : `$${ro.costUsd.toFixed(4)}`],
      ["masked turns", masker ? html`<span id="masked-count">${masked.length}</span> (kept in context, no loss in SFT)` : "masking rule not available in this build"],
      ["started / finished", `${fmtTime(ro.startedAt)} / ${fmtTime(ro.finishedAt)}`],
    ],
  );
  const shown = steps.slice(0, STEP_LIMIT);
  let lastTurn = -1;
  const items = shown.map((s) => {
    const isMasked = masker?.(s) ?? false;
    const thought = s.turn !== lastTurn ? thoughts.get(s.turn) : undefined;
    lastTurn = s.turn;
    return html`<li class="step${isMasked ? " masked" : ""}${s.error ? " failed" : ""}" data-step="${s.index}" data-turn="${s.turn}">
<div class="step-head">step ${s.index} · turn ${s.turn} · exit ${s.exitCode ?? "—"} · ${fmtMs(s.durationMs)}${s.error ? html` · <span class="err">error${s.errorKind ? `: ${s.errorKind}` : ""}</span>` : ""}${isMasked ? html` · <span class="mask-label">masked in SFT</span>` : ""}</div>
${thought ? clipped(thought, ARGUMENT_LIMIT, "thought") : ""}${renderAction(s.action)}${s.observation ? clipped(s.observation, OBSERVATION_LIMIT, "observation") : ""}</li>`;
  });
  const reasoning = ro.verifierReasoning ? html`<details><summary>Verifier's reasoning</summary>${clipped(ro.verifierReasoning, 8000, "text")}</details>` : "";
  return html`${about}${reasoning}
${problemStatement !== null ? html`<section><h2>Problem statement</h2>${clipped(problemStatement, 20_000, "text")}</section>` : ""}
<section><h2>Steps</h2>${steps.length ? html`<ol class="steps">${items}</ol>` : html`<p class="empty">No steps recorded${r.trajectory ? "" : " (no trajectory stored)"}.</p>`}${steps.length > STEP_LIMIT ? html`<p class="note">${steps.length - STEP_LIMIT} more steps not shown.</p>` : ""}</section>
<section><h2>Final patch</h2>${renderDiff(ro.patch ?? "")}</section>`;
}
