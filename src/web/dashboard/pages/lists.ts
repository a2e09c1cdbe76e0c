// The paged lists every overview figure links to, each with its own filters.
import type { listDeliveries, listEnvironments, listFixes, listRepositories, listRollouts, listTasks } from "../../../../db/dashboard.js";
import { deliveryStatuses, environmentStatuses, outcomeSignals, rolloutOutcomes, taskStatuses } from "../../../../db/schema.js";
import { fmtInt, fmtTime, href, type Html, html } from "../html.js";
import type { DeliveriesQuery, EnvironmentsQuery, FixesQuery, ReposQuery, RolloutsQuery, TasksQuery } from "../params.js";
import { badge, filterBar, type PageContext, pager, scopeQuery, select, table } from "./layout.js";

type Rows<F extends (...args: never[]) => Promise<{ rows: unknown[] }>> = Awaited<ReturnType<F>>;

const repoLink = (repo: string | null) => (repo ? html`<a href="/dashboard/repos/${repo}">${repo}</a>` : "");
export const taskLink = (id: string) => html`<a href="/dashboard/tasks/${encodeURIComponent(id)}">${id}</a>`;
export const rolloutLink = (id: string) => html`<a href="/dashboard/rollouts/${encodeURIComponent(id)}">${id}</a>`;

export function tasksPage(ctx: PageContext, q: TasksQuery, page: Rows<typeof listTasks>): Html {
  const extra = html`${select("status", "Status", taskStatuses, q.status)}${select("kind", "Kind", ["real", "synthetic"], q.kind)}
<label>Strategy <input name="strategy" value="${q.strategy ?? ""}" size="12"></label>${q.reason ? html`<input type="hidden" name="reason" value="${q.reason}">` : ""}`;
  const query = { ...scopeQuery(q), status: q.status, kind: q.kind, strategy: q.strategy, reason: q.reason };
  return html`${filterBar(ctx, "/dashboard/tasks", q, extra)}${q.reason ? html`<p>Reason: <q>${q.reason}</q> <a href="${href("/dashboard/tasks", { ...query, reason: undefined })}">clear</a></p>` : ""}
${table(
    ["task", "repository", "kind", "status", "reason", "PR", "F2P", "P2P", "created"],
    page.rows.map((t) => [
      taskLink(t.instanceId),
      repoLink(t.repo),
      t.strategy ? `${t.kind} (${t.strategy})` : t.kind,
      badge(t.status),
      t.statusReason ?? "",
      t.pullNumber ? `#${t.pullNumber}` : "",
      fmtInt(Number(t.failToPass)),
      fmtInt(Number(t.passToPass)),
      fmtTime(t.createdAt),
    ]),
    "No tasks match these filters.",
  )}${pager("/dashboard/tasks", query, page)}`;
}

export function environmentsPage(ctx: PageContext, q: EnvironmentsQuery, page: Rows<typeof listEnvironments>): Html {
  const extra = html`${select("status", "Status", environmentStatuses, q.status)}<label>Failure class <input name="failure_class" value="${q.failure_class ?? ""}" size="14"></label>`;
  const query = { ...scopeQuery(q), status: q.status, failure_class: q.failure_class };
  return html`${filterBar(ctx, "/dashboard/environments", q, extra)}${table(
    ["build", "repository", "image", "language", "status", "failure", "fallback", "started", "built"],
    page.rows.map((e) => [
      html`<a href="/dashboard/environments/${e.id}">#${e.id}</a>`,
      repoLink(e.repo),
      e.image,
      e.language ?? "",
      badge(e.status),
      e.failureClass ? `${e.failureClass}: ${e.failureReason ?? ""}` : "",
      e.fallback ?? "",
      fmtTime(e.createdAt),
      fmtTime(e.builtAt),
    ]),
    "No environment builds match these filters.",
  )}${pager("/dashboard/environments", query, page)}`;
}

export function rolloutsPage(ctx: PageContext, q: RolloutsQuery, page: Rows<typeof listRollouts>): Html {
  const extra = html`${select("outcome", "Outcome", rolloutOutcomes, q.outcome)}${q.task ? html`<input type="hidden" name="task" value="${q.task}">` : ""}${q.fix ? html`<input type="hidden" name="fix" value="${q.fix}">` : ""}`;
  const query = { ...scopeQuery(q), outcome: q.outcome, task: q.task, fix: q.fix };
  return html`${filterBar(ctx, "/dashboard/rollouts", q, extra)}${table(
    ["rollout", "repository", "for", "model", "outcome", "verifier", "turns", "cost", "created"],
    page.rows.map((r) => [
      rolloutLink(r.id),
      repoLink(r.repo),
      r.taskInstanceId ? taskLink(r.taskInstanceId) : r.fixAttemptId ? html`<a href="${href("/dashboard/rollouts", { fix: r.fixAttemptId })}">fix #${r.fixAttemptId}</a>` : "",
      r.model,
      badge(r.outcome ?? r.status),
      r.verifierScore === null ? "" : r.verifierScore.toFixed(3),
      r.turns === null ? "" : String(r.turns),
      r.costUsd === null ? "" : `$${r.costUsd.toFixed(3)}`,
      fmtTime(r.createdAt),
    ]),
    "No rollouts match these filters.",
  )}${pager("/dashboard/rollouts", query, page)}`;
}

export function fixesPage(ctx: PageContext, q: FixesQuery, page: Rows<typeof listFixes>): Html {
  const extra = html`${select("signal", "Signal", outcomeSignals, q.signal)}<label>Status <input name="status" value="${q.status ?? ""}" size="10"></label>${select("pr", "PR", ["opened"], q.pr)}`;
  const query = { ...scopeQuery(q), status: q.status, signal: q.signal, pr: q.pr };
  return html`${filterBar(ctx, "/dashboard/fixes", q, extra)}${table(
    ["attempt", "repository", "issue", "trigger", "k", "status", "PR", "signals", "created"],
    page.rows.map((a) => [
      html`<a href="${href("/dashboard/rollouts", { fix: a.id })}">#${a.id}</a>`,
      repoLink(a.repo),
      `#${a.issueNumber}`,
      a.requestedBy ? `${a.trigger} by ${a.requestedBy}` : a.trigger,
      String(a.k),
      html`${badge(a.status)} ${a.statusReason ?? ""}`,
      a.pullNumber ? `#${a.pullNumber}` : "",
      (a.signals ?? []).join(", "),
      fmtTime(a.createdAt),
    ]),
    "No fix attempts match these filters.",
  )}${pager("/dashboard/fixes", query, page)}`;
}

export function deliveriesPage(ctx: PageContext, q: DeliveriesQuery, page: Rows<typeof listDeliveries>): Html {
  const extra = html`${select("status", "Status", deliveryStatuses, q.status)}<label>Event <input name="event" value="${q.event ?? ""}" size="14"></label>`;
  const query = { ...scopeQuery(q), status: q.status, event: q.event };
  return html`${filterBar(ctx, "/dashboard/deliveries", q, extra)}${table(
    ["delivery", "event", "installation", "repository", "status", "attempts", "error", "received"],
    page.rows.map((d) => [d.id, d.action ? `${d.event}.${d.action}` : d.event, d.installationId ? String(d.installationId) : "", repoLink(d.repository), badge(d.status), String(d.attempts), d.error ?? "", fmtTime(d.receivedAt)]),
    "No deliveries match these filters.",
  )}${pager("/dashboard/deliveries", query, page)}`;
}

export function reposPage(ctx: PageContext, q: ReposQuery, page: Rows<typeof listRepositories>): Html {
  return html`${filterBar(ctx, "/dashboard/repos", q)}${table(
    ["repository", "installation", "tasks", "valid"],
    page.rows.map((r) => [
      repoLink(r.fullName),
      r.account ? `${r.account} (${r.installationId})` : "",
      html`<a href="${href("/dashboard/tasks", { repo: r.fullName, window: "all" })}">${fmtInt(Number(r.tasks))}</a>`,
      html`<a href="${href("/dashboard/tasks", { repo: r.fullName, window: "all", status: "valid" })}">${fmtInt(Number(r.valid))}</a>`,
    ]),
    "No repositories yet: install the app on one.",
  )}${pager("/dashboard/repos", scopeQuery(q), page)}`;
}
