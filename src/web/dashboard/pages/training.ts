// Training runs and model versions with their gate results; operators can promote a version.
import type { training } from "../../../../db/dashboard.js";
import { fmtTime, type Html, html } from "../html.js";
import { badge, type PageContext, table } from "./layout.js";
import { isOperator } from "../session.js";

export type TrainingSummary = Awaited<ReturnType<typeof training>>;
type ModelRow = TrainingSummary["models"][number];

/** The gate's decision with both resolve rates; other recorded results shown as they are. */
function gateScores(evaluation: Record<string, unknown> | null): string {
  if (!evaluation) return "—";
  const e = evaluation as { decision?: string; deltaPoints?: number; candidate?: { resolveRate?: number }; current?: { name?: string; resolveRate?: number }; tasks?: { evaluated?: number } };
  if (typeof e.decision === "string" && e.candidate && e.current) {
    const pct = (r: number | undefined) => (typeof r === "number" ? `${(r * 100).toFixed(1)}%` : "?");
    return `${e.decision}: ${pct(e.candidate.resolveRate)} vs ${pct(e.current.resolveRate)} (${e.current.name ?? "current"}), ${e.deltaPoints ?? 0} points on ${e.tasks?.evaluated ?? 0} tasks`;
  }
  const flat: string[] = [];
  const walk = (prefix: string, v: unknown, depth: number) => {
    if (typeof v === "number") flat.push(`${prefix}: ${Number.isInteger(v) ? v : v.toFixed(3)}`);
    else if (typeof v === "boolean" || typeof v === "string") flat.push(`${prefix}: ${String(v).slice(0, 40)}`);
    else if (v && typeof v === "object" && depth < 2) for (const [k, x] of Object.entries(v)) walk(prefix ? `${prefix}.${k}` : k, x, depth + 1);
  };
  walk("", evaluation, 0);
  return flat.slice(0, 8).join(" · ") || "—";
}

export function modelsTable(models: ModelRow[], promote?: { csrf: string }): Html {
  return table(
    ["model version", "base", "endpoint", "status", "gate", "created", "promoted", ...(promote ? [""] : [])],
    models.map((m) => [
      m.name,
      m.baseModel,
      m.endpoint ?? "not served",
      badge(m.status),
      gateScores(m.evaluation),
      fmtTime(m.createdAt),
      fmtTime(m.promotedAt),
      ...(promote
        ? [
            m.status === "promoted"
              ? ""
              : html`<form method="post" action="/dashboard/models/${m.id}/promote"><input type="hidden" name="_csrf" value="${promote.csrf}"><button type="submit">Promote</button></form>`,
          ]
        : []),
    ]),
    "No model versions yet.",
  );
}

/** The loss curve in one cell: steps, first and last loss (the whole curve is in ?format=json). */
export function lossSummary(metrics: Record<string, unknown> | null): string {
  const loss = (metrics?.loss as { step: number; loss: number }[] | undefined) ?? [];
  if (loss.length === 0) return "—";
  const [first, last] = [loss[0] as { loss: number }, loss.at(-1) as { step: number; loss: number }];
  return `${last.step} steps: ${first.loss.toFixed(3)} → ${last.loss.toFixed(3)}`;
}

export function trainingPage(ctx: PageContext, data: TrainingSummary): Html {
  return html`<section><h2>Model versions</h2>${modelsTable(data.models, isOperator(ctx.viewer) ? { csrf: ctx.csrf } : undefined)}</section>
<section><h2>Training runs</h2>${table(
    ["run", "backend", "trigger", "status", "reason", "loss", "model version", "created", "finished"],
    data.latestRuns.map((r) => [String(r.id), r.backend, r.trigger ?? "", badge(r.status), r.statusReason ?? "", lossSummary(r.metrics), r.modelVersionId ? String(r.modelVersionId) : "", fmtTime(r.createdAt), fmtTime(r.finishedAt)]),
    "No training runs yet.",
  )}</section>`;
}
