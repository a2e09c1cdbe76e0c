// Who may make LegoFactory work: users with write access to the repository. Bots never.
import type { Context } from "probot";
import { accessLevel, type Level } from "../src/github/write-access.js";

export { grants, type Level } from "../src/github/write-access.js";

type AnyRepoContext = Context<"issues" | "issue_comment" | "check_run" | "pull_request_review" | "pull_request">;

/**
 * Pure: whether an actor is a bot for LegoFactory's purposes: GitHub says so (type Bot), or the
 * login ends in `[bot]` whatever the type says — a human account named like an app is refused
 * too, so no one can pass as LegoFactory or another app.
 */
export function isBotActor(user: { login?: string | null; type?: string | null } | null | undefined): boolean {
  if (!user) return true;
  return user.type === "Bot" || (user.login ?? "").toLowerCase().endsWith("[bot]");
}

export async function hasPermission(context: AnyRepoContext, username: string, needed: Level): Promise<boolean> {
  const level = await accessLevel(context.octokit, context.repo(), username);
  return needed === "read" ? level !== "none" : level === "write";
}
