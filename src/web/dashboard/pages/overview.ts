// The overview: what the factory produced in the window and why things failed, per
// installation and repository, each figure linked to its rows.
import type { Overview } from "../../../../db/dashboard.js";
import { fmtInt, href, type Html, html } from "../html.js";
import type { QueueDepth } from "../queues.js";
import { chart, countLink, filterBar, type PageContext, type ScopeFilters, scopeQuery, table } from "./layout.js";
import { type TrainingSummary, modelsTable } from "./training.js";

const TASK_STATUSES = ["valid", "invalid", "skipped", "candidate", "validating"] as const;
const OUTCOMES = ["resolved", "semi-resolved", "unresolved", "cheated", "infra-error", "pending"] as const;
const SIGNALS: [string, string][] = [
  ["approved", "approved"],
  ["changes_requested", "changes requested"],
  ["merged", "merged"],
  ["closed_unmerged", "closed unmerged"],
  ["reaction_up", "thumbs up"],
  ["reaction_down", "thumbs down"],
];

export interface OverviewData {
  overview: Overview;
  training: TrainingSummary;
  /** Present for operators; a string says why the depths could not be read. */
  queues?: QueueDepth[] | string;
}

function series(o: Overview): { labels: string[]; datasets: { label: string; data: number[] }[] } {
  const labels = [...new Set(o.tasks.series.map((p) => p.at))].sort();
  const datasets = TASK_STATUSES.map((status) => ({
    label: status,
    data: labels.map((at) => o.tasks.series.filter((p) => p.at === at && p.status === status).reduce((a, p) => a + p.n, 0)),
  })).filter((d) => d.data.some((v) => v > 0));
  return { labels, datasets };
}

export function overviewPage(ctx: PageContext, f: ScopeFilters, data: OverviewData): Html {
  const o = data.overview;
  const q = scopeQuery(f);
  const link = (path: string, extra: Record<string, string | number | undefined>) => href(path, { ...q, ...extra });
  const taskSeries = series(o);
  const outcomeCounts = OUTCOMES.map((k) => o.rollouts.byOutcome[k] ?? 0);
  const rate = o.fixes.acceptanceRate === null ? "—" : `${Math.round(o.fixes.acceptanceRate * 100)}%`;

  const tiles = html`<section class="tiles">
<div class="tile"><span>Deliveries</span>${countLink(o.deliveries.total, link("/dashboard/deliveries", {}))}</div>
<div class="tile"><span>Tasks harvested</span>${countLink(o.tasks.total, link("/dashboard/tasks", {}))}</div>
<div class="tile"><span>Valid tasks</span>${countLink(o.tasks.byStatus.valid ?? 0, link("/dashboard/tasks", { status: "valid" }))}</div>
<div class="tile"><span>Rollouts</span>${countLink(o.rollouts.total, link("/dashboard/rollouts", {}))}</div>
<div class="tile"><span>Fix PRs opened</span>${countLink(o.fixes.prsOpened, link("/dashboard/fixes", { pr: "opened" }))}</div>
<div class="tile"><span>Acceptance rate</span><b class="num" id="acceptance-rate">${rate}</b></div>
</section>`;

  const tasks = html`<section><h2>Tasks</h2><div class="row">
${chart("Tasks by status over time", { type: "bar", stacked: true, ...taskSeries })}
<div>${table(
    ["status", "tasks"],
    TASK_STATUSES.map((s) => [s, countLink(o.tasks.byStatus[s] ?? 0, link("/dashboard/tasks", { status: s }))]),
  )}
${table(
    ["kind", "tasks"],
    (["real", "synthetic"] as const).map((k) => [k, countLink(o.tasks.byKind[k] ?? 0, link("/dashboard/tasks", { kind: k }))]),
  )}</div></div>
<div class="row"><div><h3>Skipped, by reason</h3>${table(
    ["reason", "tasks"],
    o.tasks.skippedReasons.map((r) => [r.reason, countLink(r.n, link("/dashboard/tasks", { status: "skipped", reason: r.reason }))]),
    "No skipped tasks in this window.",
  )}</div>
<div><h3>Invalid, by reason</h3>${table(
    ["reason", "tasks"],
    o.tasks.invalidReasons.map((r) => [r.reason, countLink(r.n, link("/dashboard/tasks", { status: "invalid", reason: r.reason }))]),
    "No invalid tasks in this window.",
  )}</div></div>
<h3>Synthetic yield, by strategy</h3>${table(
    ["strategy", "made", "valid", "yield"],
    o.tasks.synthetic.map((s) => [
      s.strategy,
      countLink(s.total, link("/dashboard/tasks", { kind: "synthetic", strategy: s.strategy })),
      countLink(s.valid, link("/dashboard/tasks", { kind: "synthetic", strategy: s.strategy, status: "valid" })),
      s.total ? `${Math.round((s.valid / s.total) * 100)}%` : "—",
    ]),
    "No synthetic tasks yet.",
  )}</section>`;

  const envStatuses = ["ready", "failed", "building"] as const;
  const environments = html`<section><h2>Environment builds</h2><div class="row">
${chart("Builds by outcome", { type: "bar", labels: [...envStatuses], datasets: [{ label: "builds", data: envStatuses.map((s) => o.environments.byStatus[s] ?? 0) }] })}
<div>${table(
    ["outcome", "builds"],
    envStatuses.map((s) => [s, countLink(o.environments.byStatus[s] ?? 0, link("/dashboard/environments", { status: s }))]),
  )}
${table(
    ["failure class", "builds"],
    o.environments.failureClasses.map((c) => [c.failureClass, countLink(c.n, link("/dashboard/environments", { status: "failed", failure_class: c.failureClass }))]),
    "No failed builds in this window.",
  )}</div></div></section>`;

  const rollouts = html`<section><h2>Rollouts</h2><div class="row">
${chart("Rollouts by outcome", { type: "doughnut", labels: [...OUTCOMES], datasets: [{ label: "rollouts", data: outcomeCounts }] })}
<div>${table(
    ["outcome", "rollouts"],
    OUTCOMES.map((k) => [k, countLink(o.rollouts.byOutcome[k] ?? 0, link("/dashboard/rollouts", k === "pending" ? {} : { outcome: k }))]),
  )}
<p>Tokens: ${fmtInt(o.rollouts.promptTokens)} prompt, ${fmtInt(o.rollouts.completionTokens)} completion · cost $${o.rollouts.costUsd.toFixed(2)}</p></div></div></section>`;

  const fixes = html`<section><h2>Fixes and what maintainers did</h2><div class="row">
${chart("Maintainer signals on fix PRs", { type: "bar", labels: SIGNALS.map(([, l]) => l), datasets: [{ label: "PRs", data: SIGNALS.map(([k]) => o.fixes.signals[k] ?? 0) }] })}
<div>${table(
    ["", "count"],
    [
      ["fix attempts", countLink(o.fixes.total, link("/dashboard/fixes", {}))],
      ["PRs opened", countLink(o.fixes.prsOpened, link("/dashboard/fixes", { pr: "opened" }))],
      ...SIGNALS.map(([k, label]) => [`PRs ${label}`, countLink(o.fixes.signals[k] ?? 0, link("/dashboard/fixes", { signal: k }))]),
      ["acceptance rate (merged ÷ merged or closed)", rate],
    ],
  )}</div></div></section>`;

  const deliveryLabels = o.deliveries.series.map((p) => p.at);
  const deliveries = html`<section><h2>Webhook deliveries</h2><div class="row">
${chart("Deliveries received", { type: "line", labels: deliveryLabels, datasets: [{ label: "deliveries", data: o.deliveries.series.map((p) => p.n) }] })}
<div>${table(
    ["status", "deliveries"],
    ["received", "enqueued", "processed", "failed"].map((s) => [s, countLink(o.deliveries.byStatus[s] ?? 0, link("/dashboard/deliveries", { status: s }))]),
  )}</div></div></section>`;

  const training = html`<section><h2>Training runs and model versions</h2>
${table(
    ["run status", "runs"],
    Object.entries(data.training.runs).map(([s, k]) => [s, countLink(k, "/dashboard/training")]),
    "No training runs yet.",
  )}
${modelsTable(data.training.models.slice(0, 5))}</section>`;

  let queues: Html | string = "";
  if (typeof data.queues === "string") queues = html`<section><h2>Queues</h2><p class="error">${data.queues}</p></section>`;
  else if (data.queues) {
    queues = html`<section><h2>Queues</h2>${table(
      ["queue", "waiting", "active", "delayed", "failed"],
      data.queues.map((d) => [d.queue, fmtInt(d.waiting), fmtInt(d.active), fmtInt(d.delayed), countLink(d.failed, href("/dashboard/queues", { queue: d.queue }))]),
    )}<p><a href="/dashboard/queues/ui/">Open the queue UI</a></p></section>`;
  }

  return html`${filterBar(ctx, "/dashboard", f)}${tiles}${tasks}${environments}${rollouts}${fixes}${deliveries}${training}${queues}`;
}
