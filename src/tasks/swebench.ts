// The SWE-bench task instance and prediction formats, in and out as JSON lines. Ours adds
// kind, strategy, language, image, install, test_cmd and difficulty (DESIGN.md, "Formats").
import { z } from "zod";
import type { TaskRow } from "../../db/tasks.js";

/** SWE-bench datasets store the test lists as JSON strings; accept both that and arrays. */
const testList = z.union([
  z.array(z.string()),
  z.string().transform((s, ctx) => {
    try {
      const v: unknown = JSON.parse(s);
      if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
    } catch {
      // fall through to the issue below
    }
    ctx.addIssue({ code: "custom", message: "must be a JSON array of test ids" });
    return z.NEVER;
  }),
]);

export const taskInstanceSchema = z.object({
  instance_id: z.string().min(1),
  repo: z.string().min(1),
  base_commit: z.string().regex(/^[0-9a-f]{7,40}$/, "must be a commit sha"),
  patch: z.string(),
  test_patch: z.string(),
  problem_statement: z.string().default(""),
  hints_text: z.string().default(""),
  created_at: z.string().nullish(),
  version: z.string().nullish(),
  environment_setup_commit: z.string().nullish(),
  FAIL_TO_PASS: testList.default([]),
  PASS_TO_PASS: testList.default([]),
  kind: z.enum(["real", "synthetic"]).default("real"),
  strategy: z.string().nullish(),
  language: z.string().nullish(),
  image: z.string().nullish(),
  install: z.array(z.string()).nullish(),
  test_cmd: z.string().nullish(),
  difficulty: z.string().nullish(),
  /** Synthetic tasks: the diff that introduces the bug at base_commit. */
  bug_patch: z.string().nullish(),
}).refine((t) => t.kind !== "synthetic" || !!t.bug_patch?.trim(), { message: "a synthetic task needs its bug_patch", path: ["bug_patch"] });

export type TaskInstance = z.infer<typeof taskInstanceSchema>;

export const predictionSchema = z.object({
  instance_id: z.string().min(1),
  model_name_or_path: z.string().default("unknown"),
  model_patch: z.string().nullable().default(""),
});

export type Prediction = z.infer<typeof predictionSchema>;

/** Pure: a stored task → the SWE-bench instance (test lists as JSON arrays). */
export function toSweBench(row: TaskRow): TaskInstance {
  return {
    instance_id: row.instanceId,
    repo: row.repo,
    base_commit: row.baseCommit,
    patch: row.patch ?? "",
    test_patch: row.testPatch ?? "",
    problem_statement: row.problemStatement ?? "",
    hints_text: row.hintsText ?? "",
    created_at: row.taskCreatedAt ?? null,
    version: row.version ?? null,
    environment_setup_commit: row.environmentSetupCommit ?? row.baseCommit,
    FAIL_TO_PASS: row.failToPass ?? [],
    PASS_TO_PASS: row.passToPass ?? [],
    kind: row.kind,
    strategy: row.strategy ?? null,
    language: row.language ?? null,
    image: row.image ?? null,
    install: row.install ?? null,
    test_cmd: row.testCmd ?? null,
    difficulty: row.difficulty ?? null,
    ...(row.kind === "synthetic" ? { bug_patch: row.bugPatch ?? "" } : {}),
  };
}

/** A task as the CLI prints it with --json: the SWE-bench instance plus its status and reason. */
export function taskJsonLine(row: TaskRow): string {
  return JSON.stringify({ ...toSweBench(row), status: row.status, status_reason: row.statusReason ?? null });
}

/** A task as one line of a CLI summary. */
export function taskSummaryLine(row: TaskRow): string {
  const what = row.status === "valid" ? `valid: ${row.failToPass?.length ?? 0} FAIL_TO_PASS, ${row.passToPass?.length ?? 0} PASS_TO_PASS` : `${row.status}: ${row.statusReason ?? ""}`;
  return `  ${row.instanceId.padEnd(32)} ${what}`;
}

/** Pure: an imported instance → a row to store. */
export function fromSweBench(t: TaskInstance): TaskRow {
  return {
    instanceId: t.instance_id,
    repo: t.repo,
    kind: t.kind,
    strategy: t.strategy ?? null,
    language: t.language ?? null,
    baseCommit: t.base_commit,
    patch: t.patch,
    testPatch: t.test_patch,
    problemStatement: t.problem_statement,
    hintsText: t.hints_text,
    taskCreatedAt: t.created_at ?? null,
    version: t.version ?? null,
    environmentSetupCommit: t.environment_setup_commit ?? null,
    failToPass: t.FAIL_TO_PASS,
    passToPass: t.PASS_TO_PASS,
    image: t.image ?? null,
    install: t.install ?? null,
    testCmd: t.test_cmd ?? null,
    difficulty: t.difficulty ?? null,
    bugPatch: t.bug_patch ?? null,
    status: "candidate",
  };
}

export type LineResult<T> = { line: number; ok: true; value: T } | { line: number; ok: false; error: string };

/** Pure: JSONL text → one result per non-blank line; a bad line is reported, not fatal. */
export function parseJsonl<T>(text: string, schema: z.ZodType<T>): LineResult<T>[] {
  const out: LineResult<T>[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (err) {
      out.push({ line, ok: false, error: `not valid JSON: ${(err as Error).message}` });
      return;
    }
    const parsed = schema.safeParse(json);
    if (parsed.success) out.push({ line, ok: true, value: parsed.data });
    else out.push({ line, ok: false, error: parsed.error.issues.map((iss) => `${iss.path.join(".") || "(line)"}: ${iss.message}`).join("; ") });
  });
  return out;
}
