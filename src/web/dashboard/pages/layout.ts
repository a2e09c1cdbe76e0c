// The frame every dashboard page shares: navigation, the scope filters, pagination, tables and
// charts. Charts are drawn by the bundled Chart.js from JSON blocks; the numbers are also in the
// page as links, so each figure leads to the rows behind it.
import { fmtInt, href, type Html, html, jsonBlock } from "../html.js";
import type { Window } from "../params.js";
import { windows } from "../params.js";
import { isOperator, type Viewer } from "../session.js";

export interface PageContext {
  viewer: Viewer;
  /** CSRF token for the forms on the page (sign out, actions). */
  csrf: string;
  /** Installations the viewer may pick from. */
  installations: { id: number; account: string }[];
}

export interface ScopeFilters {
  installation?: number | undefined;
  repo?: string | undefined;
  window: Window;
}

const NAV: [string, string, boolean][] = [
  ["/dashboard", "Overview", false],
  ["/dashboard/repos", "Repositories", false],
  ["/dashboard/tasks", "Tasks", false],
  ["/dashboard/environments", "Environments", false],
  ["/dashboard/rollouts", "Rollouts", false],
  ["/dashboard/fixes", "Fixes", false],
  ["/dashboard/deliveries", "Deliveries", false],
  ["/dashboard/training", "Training", false],
  ["/dashboard/queues", "Queues", true],
];

export function layout(ctx: PageContext, title: string, body: Html): string {
  const nav = NAV.filter(([, , operatorOnly]) => !operatorOnly || isOperator(ctx.viewer)).map(([path, label]) => html`<a href="${path}">${label}</a>`);
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · LegoFactory</title>
<link rel="stylesheet" href="/dashboard/assets/dashboard.css">
<script src="/dashboard/assets/chart.umd.js" defer></script>
<script src="/dashboard/assets/dashboard.js" defer></script>
</head><body>
<header><strong>LegoFactory</strong><nav>${nav}</nav>
<form method="post" action="/dashboard/logout" class="signout"><input type="hidden" name="_csrf" value="${ctx.csrf}"><span>${ctx.viewer.login}</span> <button type="submit">Sign out</button></form></header>
<main><h1>${title}</h1>${body}</main>
</body></html>`.value;
}

/** Scope parameters carried by every link, so a filter survives navigation. */
export function scopeQuery(f: ScopeFilters): Record<string, string | number | undefined> {
  return { installation: f.installation, repo: f.repo, window: f.window === "30d" ? undefined : f.window };
}

export function filterBar(ctx: PageContext, action: string, f: ScopeFilters, extra: Html | string = ""): Html {
  const options = ctx.installations.map((i) => html`<option value="${i.id}"${i.id === f.installation ? html` selected` : ""}>${i.account} (${i.id})</option>`);
  const win = windows.map((w) => html`<option value="${w}"${w === f.window ? html` selected` : ""}>${w === "all" ? "all time" : `last ${w}`}</option>`);
  return html`<form class="filters" method="get" action="${action}">
<label>Installation <select name="installation"><option value="">all of yours</option>${options}</select></label>
<label>Repository <input name="repo" value="${f.repo ?? ""}" placeholder="owner/name" size="24"></label>
<label>Window <select name="window">${win}</select></label>${extra}
<button type="submit">Apply</button></form>`;
}

export function select(name: string, label: string, values: readonly string[], current: string | undefined): Html {
  return html`<label>${label} <select name="${name}"><option value="">any</option>${values.map((v) => html`<option${v === current ? html` selected` : ""}>${v}</option>`)}</select></label>`;
}

export function countLink(n: number, to: string): Html {
  return html`<a class="num" href="${to}">${fmtInt(n)}</a>`;
}

export function table(head: string[], rows: (Html | string | number | null | undefined)[][], empty = "Nothing here yet."): Html {
  if (!rows.length) return html`<p class="empty">${empty}</p>`;
  return html`<table><thead><tr>${head.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${rows.map((r) => html`<tr>${r.map((c) => html`<td>${c ?? ""}</td>`)}</tr>`)}</tbody></table>`;
}

/** Label/value rows about one thing. */
export function facts(rows: [string, Html | string | number | null | undefined][]): Html {
  return html`<table class="facts"><tbody>${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v ?? ""}</td></tr>`)}</tbody></table>`;
}

export function pager(path: string, query: Record<string, string | number | undefined>, page: { page: number; perPage: number; total: number }): Html {
  const pages = Math.max(1, Math.ceil(page.total / page.perPage));
  const to = (p: number) => href(path, { ...query, page: p === 1 ? undefined : p, per_page: page.perPage === 50 ? undefined : page.perPage });
  return html`<nav class="pager"><span>${fmtInt(page.total)} rows · page ${fmtInt(page.page)} of ${fmtInt(pages)}</span>
${page.page > 1 ? html`<a rel="prev" href="${to(page.page - 1)}">← newer</a>` : ""}
${page.page < pages ? html`<a rel="next" href="${to(page.page + 1)}">older →</a>` : ""}</nav>`;
}

export interface ChartSpec {
  type: "bar" | "line" | "doughnut";
  labels: string[];
  datasets: { label: string; data: number[] }[];
  stacked?: boolean;
}

let chartSeq = 0;
export function chart(title: string, spec: ChartSpec): Html {
  const id = `chart-${++chartSeq}`;
  return html`<figure class="chart"><figcaption>${title}</figcaption><canvas data-chart="${id}" aria-label="${title}" role="img"></canvas>${jsonBlock(id, spec)}</figure>`;
}

export function badge(value: string | null | undefined): Html {
  const v = value ?? "—";
  return html`<span class="badge b-${v.replace(/[^a-z0-9-]/gi, "")}">${v}</span>`;
}
