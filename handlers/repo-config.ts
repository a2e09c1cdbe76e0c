// Reads .github/lego.yml through Probot's loader. A broken file never crashes a handler: it
// opens (or updates) one "Action Required" issue and the event is skipped with that reason.
import type { Context } from "probot";
import { getRepository, setConfigIssue } from "../db/installations.js";
import { setRepoTrajgen } from "../db/trajgen.js";
import { configErrorIssueBody, NOT_A_MAPPING, parseRepoConfig, type RepoConfig, trajgenSettings } from "../src/repo-config.js";
import type { HandlerDeps } from "./deps.js";

export const CONFIG_ISSUE_TITLE = "LegoFactory: .github/lego.yml needs attention";

type RepoContext = Context<"pull_request" | "issues" | "issue_comment" | "pull_request_review" | "check_run">;

export async function loadRepoConfig(context: RepoContext, deps: HandlerDeps): Promise<RepoConfig | null> {
  let raw: unknown;
  let errors: string[];
  try {
    raw = await context.config("lego.yml");
    const parsed = parseRepoConfig(raw);
    if (parsed.ok) {
      await closeConfigIssue(context, deps);
      // Trajgen reads it from the repository's row: its jobs and the sweep have no event to read the file from.
      await setRepoTrajgen(deps.db, context.payload.repository.full_name, trajgenSettings(parsed.config));
      return parsed.config;
    }
    errors = parsed.errors;
  } catch (err) {
    const e = err as { status?: number; name?: string; message?: string };
    // A GitHub error (5xx, auth) is not the user's fault: let the job retry.
    if (typeof e.status === "number") throw err;
    errors = [loaderProblem(err)];
  }
  await reportConfigIssue(context, deps, errors);
  context.log.warn({ errors }, "invalid .github/lego.yml; event skipped");
  return null;
}

/**
 * Pure: what the config loader's error says about the file, for the config issue. The loader
 * wraps YAML errors ("could not be parsed … (invalid YAML)") with the parser's message as the
 * cause; its `_extends` and recursion errors already name the problem.
 */
export function loaderProblem(err: unknown): string {
  const e = err as { message?: string; cause?: unknown };
  const message = (e?.message ?? String(err)).replace(/^\[@probot\/octokit-plugin-config\] /, "");
  const cause = e?.cause instanceof Error ? e.cause.message.split("\n")[0]!.slice(0, 300) : null;
  if (/\(invalid YAML\)$/.test(message)) return `not valid YAML: ${cause ?? message}`;
  if (/\(YAML is not an object\)$/.test(message)) return NOT_A_MAPPING;
  return cause ? `${message}: ${cause}` : message;
}

async function reportConfigIssue(context: RepoContext, deps: HandlerDeps, errors: string[]): Promise<void> {
  const fullName = context.payload.repository.full_name;
  const body = configErrorIssueBody(errors);
  const existing = (await getRepository(deps.db, fullName))?.configIssueNumber;
  if (existing) {
    await context.octokit.rest.issues.update(context.repo({ issue_number: existing, body, state: "open" as const }));
    return;
  }
  const { data } = await context.octokit.rest.issues.create(context.repo({ title: CONFIG_ISSUE_TITLE, body }));
  await setConfigIssue(deps.db, fullName, data.number);
}

async function closeConfigIssue(context: RepoContext, deps: HandlerDeps): Promise<void> {
  const fullName = context.payload.repository.full_name;
  const existing = (await getRepository(deps.db, fullName))?.configIssueNumber;
  if (!existing) return;
  await context.octokit.rest.issues.createComment(context.repo({ issue_number: existing, body: "`.github/lego.yml` is valid again; LegoFactory has resumed." }));
  await context.octokit.rest.issues.update(context.repo({ issue_number: existing, state: "closed" as const }));
  await setConfigIssue(deps.db, fullName, null);
}
