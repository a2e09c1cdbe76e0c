// Rows for the dashboard's tests, written through the schema so the figures a page shows can be
// checked against what was put in. Two installations, so scoping has something to leak.
import type { Db } from "../../db/client.js";
import {
  environments,
  fixAttempts,
  installations,
  modelVersions,
  outcomes,
  repositories,
  rollouts,
  taskInstances,
  trainingRuns,
  trajectories,
  webhookDeliveries,
} from "../../db/schema.js";

export const ACME = { installation: 101, repo: "acme/widgets" };
export const OTHER = { installation: 202, repo: "other/thing" };
export const SECRET_TASK = "other__thing-9";
export const HUGE_ROLLOUT = "rollout-acme-huge";

/** An observation far larger than any page should carry, with markup that must stay text. */
export const HOSTILE_OBSERVATION = `<script>window.__pwned = true</script><img src=x onerror="window.__pwned=true">\n${"x".repeat(200_000)}`;

const ago = (now: Date, hours: number) => new Date(now.getTime() - hours * 3600_000);

function task(repo: string, n: number, status: string, now: Date, extra: Partial<typeof taskInstances.$inferInsert> = {}) {
  return {
    instanceId: `${repo.replace("/", "__")}-${n}`,
    repo,
    kind: "real" as const,
    baseCommit: "a".repeat(40),
    patch: "diff --git a/src/calc.py b/src/calc.py\n--- a/src/calc.py\n+++ b/src/calc.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a - b\n+    return a + b\n",
    testPatch: "diff --git a/tests/test_calc.py b/tests/test_calc.py\n--- a/tests/test_calc.py\n+++ b/tests/test_calc.py\n@@ -0,0 +1,2 @@\n+def test_add():\n+    assert add(1, 2) == 3\n",
    problemStatement: `add() subtracts <b>instead</b> of adding (task ${n})`,
    status: status as never,
    pullNumber: n,
    failToPass: status === "valid" ? ["tests/test_calc.py::test_add"] : [],
    passToPass: status === "valid" ? ["tests/test_calc.py::test_sub"] : [],
    evidence:
      status === "valid"
        ? {
            runs: [
              { state: "nop", repeat: 1, exitCode: 1, timedOut: false, durationMs: 812, tests: 2, ran: true, notes: [], container: "c1", logTail: "FAILED tests/test_calc.py::test_add\n1 failed, 1 passed" },
              { state: "oracle", repeat: 1, exitCode: 0, timedOut: false, durationMs: 790, tests: 2, ran: true, notes: [], container: "c2", logTail: "2 passed" },
            ],
            testStatuses: { "tests/test_calc.py::test_add": ["FAILED", "PASSED"], "tests/test_calc.py::test_sub": ["PASSED", "PASSED"] },
            flaky: [],
          }
        : {},
    createdAt: ago(now, 2 + n),
    ...extra,
  };
}

export interface Seeded {
  /** What the acme installation's overview must show over the default window (30 days). */
  acme: { tasks: number; valid: number; invalid: number; skipped: number; skippedNoIssue: number; synthetic: number; rollouts: number; resolved: number; deliveries: number; prs: number; merged: number };
  all: { tasks: number; valid: number; rollouts: number };
}

export async function seedDashboard(db: Db, now = new Date()): Promise<Seeded> {
  await db.insert(installations).values([
    { id: ACME.installation, accountLogin: "acme", accountType: "Organization" },
    { id: OTHER.installation, accountLogin: "other", accountType: "Organization" },
  ]);
  await db.insert(repositories).values([
    { id: 11, installationId: ACME.installation, fullName: ACME.repo },
    { id: 22, installationId: OTHER.installation, fullName: OTHER.repo },
  ]);
  const envRows = await db
    .insert(environments)
    .values([
      { repo: ACME.repo, key: "k1", image: "lego-env/acme_widgets:k1", baseImage: "lego/base:bookworm", language: "python", status: "ready", buildLog: "Step 1/3: pip install -e .\nSuccessfully installed widgets", createdAt: ago(now, 30), builtAt: ago(now, 29) },
      { repo: ACME.repo, key: "k0", image: "lego-env/acme_widgets:k0", baseImage: "lego/base:bookworm", language: "python", status: "failed", failureClass: "network", failureReason: "could not reach the package index", buildLog: "ERROR: Could not find a version", createdAt: ago(now, 40) },
      { repo: OTHER.repo, key: "k2", image: "lego-env/other_thing:k2", baseImage: "lego/base:bookworm", language: "javascript", status: "failed", failureClass: "compilation", failureReason: "tsc failed", createdAt: ago(now, 20) },
    ])
    .returning({ id: environments.id });
  const envId = envRows[0]?.id;

  await db.insert(taskInstances).values([
    task(ACME.repo, 1, "valid", now, { environmentId: envId }),
    task(ACME.repo, 2, "valid", now),
    task(ACME.repo, 3, "valid", now),
    task(ACME.repo, 4, "invalid", now, { statusReason: "FAIL_TO_PASS is empty: no test fails before the fix and passes after it" }),
    task(ACME.repo, 5, "invalid", now, { statusReason: "FAIL_TO_PASS is empty: no test fails before the fix and passes after it" }),
    task(ACME.repo, 6, "skipped", now, { statusReason: "no linked issue" }),
    task(ACME.repo, 7, "skipped", now, { statusReason: "no linked issue" }),
    task(ACME.repo, 8, "skipped", now, { statusReason: "the PR changes tests only" }),
    task(ACME.repo, 9, "skipped", now, { statusReason: "no test change" }),
    task(ACME.repo, 10, "valid", now, { kind: "synthetic", strategy: "ast:remove_cond" }),
    task(ACME.repo, 11, "invalid", now, { kind: "synthetic", strategy: "ast:remove_cond", statusReason: "the bug breaks no test" }),
    // Outside the default 30-day window.
    task(ACME.repo, 12, "valid", now, { createdAt: ago(now, 24 * 60) }),
    task(OTHER.repo, 9, "valid", now),
    task(OTHER.repo, 10, "valid", now),
  ]);

  const [acmeFix] = await db
    .insert(fixAttempts)
    .values({ repo: ACME.repo, issueNumber: 40, trigger: "command", requestedBy: "alice", k: 2, status: "done", pullNumber: 41, installationId: ACME.installation, createdAt: ago(now, 5) })
    .returning({ id: fixAttempts.id });
  const [otherFix] = await db
    .insert(fixAttempts)
    .values({ repo: OTHER.repo, issueNumber: 3, trigger: "label", k: 1, status: "done", pullNumber: 4, installationId: OTHER.installation, createdAt: ago(now, 5) })
    .returning({ id: fixAttempts.id });

  const steps = [
    { index: 0, turn: 1, action: { tool: "execute_bash", args: { command: "grep -n 'def add' src/calc.py" } }, observation: "1:def add(a, b):", exitCode: 0, error: false, durationMs: 12, modelMs: 300, tokens: { prompt: 900, completion: 40 } },
    { index: 1, turn: 2, action: { tool: "str_replace_editor", args: { path: "src/calc.py" } }, observation: "ERROR: Parameter `command` is required for str_replace_editor", exitCode: null, error: true, errorKind: "bad-arguments", durationMs: 1, modelMs: 280, tokens: { prompt: 950, completion: 30 } },
    { index: 2, turn: 3, action: { tool: "execute_bash", args: { command: "python -m pytest -q" } }, observation: HOSTILE_OBSERVATION, exitCode: 1, error: true, errorKind: "nonzero-exit", durationMs: 840, modelMs: 310, tokens: { prompt: 990, completion: 35 } },
    { index: 3, turn: 4, action: { tool: "str_replace_editor", args: { command: "str_replace", path: "src/calc.py", old_str: "a - b", new_str: "a + b" } }, observation: "The file src/calc.py has been edited.", exitCode: 0, error: false, durationMs: 3, modelMs: 250, tokens: { prompt: 1010, completion: 50 } },
    { index: 4, turn: 5, action: { tool: "finish", args: { message: "Fixed add()." } }, observation: "", exitCode: null, error: false, durationMs: 0, modelMs: 200, tokens: { prompt: 1030, completion: 10 } },
  ];
  const messages = [
    { role: "system", content: "You are a software engineer." },
    { role: "user", content: "Fix add()." },
    ...steps.flatMap((s) => [
      { role: "assistant", content: `Thinking about turn ${s.turn} <i>carefully</i>`, tool_calls: [{ id: `c${s.index}`, type: "function", function: { name: s.action.tool, arguments: JSON.stringify(s.action.args) } }] },
      { role: "tool", tool_call_id: `c${s.index}`, content: s.observation },
    ]),
  ];
  const base = { model: "SWE-Lego-Qwen3-8B", status: "done", createdAt: ago(now, 4) };
  await db.insert(rollouts).values([
    { ...base, id: HUGE_ROLLOUT, taskInstanceId: "acme__widgets-1", index: 0, outcome: "resolved", verifierScore: 0.913, turns: 5, promptTokens: 4880, completionTokens: 165, costUsd: 0.012, patch: "diff --git a/src/calc.py b/src/calc.py\n-    return a - b\n+    return a + b\n", finishReason: "finish" },
    { ...base, id: "rollout-acme-fix-0", fixAttemptId: acmeFix?.id, index: 0, outcome: "resolved", verifierScore: 0.8, turns: 12, promptTokens: 1000, completionTokens: 100, costUsd: 0.01 },
    { ...base, id: "rollout-acme-fix-1", fixAttemptId: acmeFix?.id, index: 1, outcome: "unresolved", verifierScore: 0.2, turns: 30, promptTokens: 2000, completionTokens: 200, costUsd: 0.02 },
    { ...base, id: "rollout-other-0", taskInstanceId: SECRET_TASK, index: 0, outcome: "cheated", turns: 8, promptTokens: 500, completionTokens: 50, costUsd: 0.005 },
  ]);
  await db.insert(trajectories).values({ rolloutId: HUGE_ROLLOUT, messages, steps });
  await db.insert(outcomes).values([
    { fixAttemptId: acmeFix?.id, rolloutId: "rollout-acme-fix-0", signal: "approved", actor: "bob", deliveryId: "d-a1" },
    { fixAttemptId: acmeFix?.id, rolloutId: "rollout-acme-fix-0", signal: "merged", actor: "bob", deliveryId: "d-a2" },
    { fixAttemptId: otherFix?.id, signal: "closed_unmerged", actor: "carol", deliveryId: "d-o1" },
  ]);
  const delivery = (id: string, installationId: number, repository: string, status: string, hours: number) => ({
    id,
    event: "issues",
    action: "opened",
    installationId,
    repository,
    payload: {},
    status: status as never,
    receivedAt: ago(now, hours),
  });
  await db.insert(webhookDeliveries).values([
    delivery("d-1", ACME.installation, ACME.repo, "processed", 1),
    delivery("d-2", ACME.installation, ACME.repo, "processed", 26),
    delivery("d-3", ACME.installation, ACME.repo, "failed", 50),
    delivery("d-4", ACME.installation, ACME.repo, "processed", 3),
    delivery("d-5", ACME.installation, ACME.repo, "enqueued", 2),
    delivery("d-6", OTHER.installation, OTHER.repo, "processed", 2),
    delivery("d-7", OTHER.installation, OTHER.repo, "processed", 2),
  ]);
  const [v1] = await db.insert(modelVersions).values({ name: "lego-8b-v1", baseModel: "Qwen3-8B", uri: "s3://models/v1", endpoint: "http://vllm-v1:8000/v1", status: "promoted", evaluation: { resolvedRate: 0.41, baseline: 0.38, passed: true }, promotedAt: ago(now, 100) }).returning({ id: modelVersions.id });
  await db.insert(modelVersions).values({ name: "lego-8b-v2", baseModel: "Qwen3-8B", uri: "s3://models/v2", endpoint: "http://vllm-v2:8000/v1", status: "candidate", evaluation: { resolvedRate: 0.44, baseline: 0.41, passed: true } });
  await db.insert(trainingRuns).values([
    { backend: "command", status: "succeeded", modelVersionId: v1?.id, metrics: { loss: [{ step: 1, loss: 2.5 }, { step: 2, loss: 1.75 }, { step: 3, loss: 1.25 }] }, checkpointUri: "s3://models/v1", createdAt: ago(now, 120) },
    { backend: "command", status: "failed", statusReason: "GPU out of memory", createdAt: ago(now, 10) },
  ]);
  return {
    acme: { tasks: 11, valid: 4, invalid: 3, skipped: 4, skippedNoIssue: 2, synthetic: 2, rollouts: 3, resolved: 2, deliveries: 5, prs: 1, merged: 1 },
    all: { tasks: 13, valid: 6, rollouts: 4 },
  };
}
