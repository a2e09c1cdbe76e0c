// One task, one environment build, one repository: everything recorded about it.
import type { getEnvironmentInScope, getTaskInScope, listEnvironments, listFixes, listTasks } from "../../../../db/dashboard.js";
import { renderDiff } from "../diff.js";
import { clip, fmtMs, fmtTime, href, type Html, html } from "../html.js";
import { badge, facts, pager, table } from "./layout.js";
import { taskLink } from "./lists.js";

type Task = NonNullable<Awaited<ReturnType<typeof getTaskInScope>>>;
type Environment = NonNullable<Awaited<ReturnType<typeof getEnvironmentInScope>>>;

interface RunRecord {
  state?: string;
  repeat?: number;
  exitCode?: number | null;
  timedOut?: boolean;
  durationMs?: number;
  tests?: number;
  ran?: boolean;
  notes?: string[];
  logTail?: string;
}

const TEXT_LIMIT = 20_000;

function longText(text: string): Html {
  const c = clip(text, TEXT_LIMIT);
  return html`<pre class="text">${c.text}</pre>${c.omitted ? html`<p class="note">${c.omitted} characters not shown.</p>` : ""}`;
}

function runsOf(evidence: Record<string, unknown>): RunRecord[] {
  return Array.isArray(evidence.runs) ? (evidence.runs.filter((r) => r && typeof r === "object") as RunRecord[]) : [];
}

function testTable(title: string, tests: string[], statuses: Record<string, unknown>, runLabels: string[]): Html {
  const rows = tests.slice(0, 500).map((t) => {
    const s = Array.isArray(statuses[t]) ? (statuses[t] as unknown[]).map(String) : [];
    return [t, ...runLabels.map((_, i) => badge(s[i] ?? "—"))];
  });
  return html`<h3>${title} (${tests.length})</h3>${table(["test", ...runLabels], rows, "None.")}${tests.length > 500 ? html`<p class="note">${tests.length - 500} more not shown.</p>` : ""}`;
}

export function taskPage(task: Task): Html {
  const evidence = (task.evidence ?? {}) as Record<string, unknown>;
  const runs = runsOf(evidence);
  const runLabels = runs.map((r) => `${(r.state ?? "run").toUpperCase()} ${r.repeat ?? ""}`.trim());
  const statuses = (evidence.testStatuses && typeof evidence.testStatuses === "object" ? evidence.testStatuses : {}) as Record<string, unknown>;
  const flaky = Array.isArray(evidence.flaky) ? (evidence.flaky as unknown[]).map(String) : [];
  const about = facts(
    [
      ["repository", html`<a href="/dashboard/repos/${task.repo}">${task.repo}</a>`],
      ["kind", task.strategy ? `${task.kind} (${task.strategy})` : task.kind],
      ["status", html`${badge(task.status)} ${task.statusReason ?? ""}`],
      ["pull request", task.pullNumber ? `#${task.pullNumber}` : ""],
      ["issues", task.issueNumbers.map((i) => `#${i}`).join(", ")],
      ["base commit", task.baseCommit],
      ["image", task.image ?? ""],
      ["test command", task.testCmd ? html`<code>${task.testCmd}</code>` : ""],
      ["environment", task.environmentId ? html`<a href="/dashboard/environments/${task.environmentId}">#${task.environmentId}</a>` : ""],
      ["rollouts", html`<a href="${href("/dashboard/rollouts", { task: task.instanceId, window: "all" })}">rollouts on this task</a>`],
      ["created", fmtTime(task.createdAt)],
    ],
  );
  const logs = runs.map(
    (r, i) => html`<details${i === 0 ? html` open` : ""}><summary>${runLabels[i]}: exit ${r.exitCode ?? "—"}${r.timedOut ? " (timed out)" : ""}, ${r.tests ?? 0} tests, ${fmtMs(r.durationMs)}${r.ran === false ? ", no evidence the suite ran" : ""}</summary>
${(r.notes ?? []).length ? html`<p class="note">${(r.notes ?? []).join("; ")}</p>` : ""}${longText(r.logTail ?? "(no output kept)")}</details>`,
  );
  return html`${about}
<section><h2>Problem statement</h2>${longText(task.problemStatement)}${task.hintsText ? html`<h3>Hints</h3>${longText(task.hintsText)}` : ""}</section>
<section><h2>Gold patch</h2>${renderDiff(task.patch)}<h2>Test patch</h2>${renderDiff(task.testPatch)}</section>
<section><h2>Tests</h2>${testTable("FAIL_TO_PASS", task.failToPass, statuses, runLabels)}${testTable("PASS_TO_PASS", task.passToPass, statuses, runLabels)}${flaky.length ? testTable("Flaky (dropped)", flaky, statuses, runLabels) : ""}</section>
<section><h2>Validation logs</h2>${logs.length ? logs : html`<p class="empty">No validation runs recorded.</p>`}</section>`;
}

export function environmentPage(env: Environment): Html {
  return html`${facts(
    [
      ["repository", html`<a href="/dashboard/repos/${env.repo}">${env.repo}</a>`],
      ["image", env.image],
      ["base image", env.baseImage],
      ["language", env.language ?? ""],
      ["status", badge(env.status)],
      ["failure", env.failureClass ? `${env.failureClass}: ${env.failureReason ?? ""}` : ""],
      ["fallback", env.fallback ?? ""],
      ["install", html`<code>${env.install.join(" && ")}</code>`],
      ["test command", env.testCmd ? html`<code>${env.testCmd}</code>` : ""],
      ["started", fmtTime(env.createdAt)],
      ["built", fmtTime(env.builtAt)],
    ],
  )}<section><h2>Build log</h2>${longText(env.buildLog ?? "(no log kept)")}</section>`;
}

export function repoPage(
  repo: string,
  data: { environments: Awaited<ReturnType<typeof listEnvironments>>; tasks: Awaited<ReturnType<typeof listTasks>>; fixes: Awaited<ReturnType<typeof listFixes>> },
): Html {
  const q = { repo, window: "all" };
  return html`<section><h2>Environments</h2>${table(
    ["build", "image", "status", "failure", "built"],
    data.environments.rows.map((e) => [html`<a href="/dashboard/environments/${e.id}">#${e.id}</a>`, e.image, badge(e.status), e.failureClass ? `${e.failureClass}: ${e.failureReason ?? ""}` : "", fmtTime(e.builtAt ?? e.createdAt)]),
    "No environment built yet.",
  )}${data.environments.total > data.environments.rows.length ? html`<p><a href="${href("/dashboard/environments", q)}">All ${data.environments.total} builds</a></p>` : ""}</section>
<section><h2>Tasks</h2>${table(
    ["task", "kind", "status", "reason", "PR", "created"],
    data.tasks.rows.map((t) => [taskLink(t.instanceId), t.kind, badge(t.status), t.statusReason ?? "", t.pullNumber ? `#${t.pullNumber}` : "", fmtTime(t.createdAt)]),
    "No tasks yet.",
  )}${pager("/dashboard/tasks", q, data.tasks)}</section>
<section><h2>Fix PRs</h2>${table(
    ["attempt", "issue", "status", "PR", "signals", "created"],
    data.fixes.rows.map((a) => [
      html`<a href="${href("/dashboard/rollouts", { fix: a.id, window: "all" })}">#${a.id}</a>`,
      `#${a.issueNumber}`,
      badge(a.status),
      a.pullNumber ? `#${a.pullNumber}` : "",
      (a.signals ?? []).join(", "),
      fmtTime(a.createdAt),
    ]),
    "No fix attempts yet.",
  )}</section>`;
}
