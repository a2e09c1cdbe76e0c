// issues.opened / issues.labeled: start a fix when .github/lego.yml asks for it
// (autofix.trigger: all | label); the person who triggers it needs write access.
import type { Context } from "probot";
import type { HandlerDeps } from "./deps.js";
import { requestFix } from "./fix-request.js";
import { hasPermission, isBotActor } from "./permissions.js";
import { loadRepoConfig } from "./repo-config.js";

export function onIssueOpened(deps: HandlerDeps) {
  return async (context: Context<"issues.opened">): Promise<void> => {
    if (context.isBot || isBotActor(context.payload.issue.user)) return;
    const config = await loadRepoConfig(context, deps);
    if (config?.autofix.trigger !== "all") return;
    const author = context.payload.issue.user?.login;
    if (!author) return;
    if (!(await hasPermission(context, author, "write"))) {
      context.log.info({ author }, "autofix skipped: the issue's author has no write access");
      return;
    }
    await requestFix(context, deps, { issueNumber: context.payload.issue.number, trigger: "issue", requestedBy: author, config });
  };
}

export function onIssueLabeled(deps: HandlerDeps) {
  return async (context: Context<"issues.labeled">): Promise<void> => {
    if (context.isBot || isBotActor(context.payload.sender) || context.payload.issue.state !== "open") return;
    const config = await loadRepoConfig(context, deps);
    if (config?.autofix.trigger !== "label" || context.payload.label?.name !== config.autofix.label) return;
    const sender = context.payload.sender.login;
    if (!(await hasPermission(context, sender, "write"))) {
      context.log.info({ sender }, "autofix skipped: the labeler has no write access");
      return;
    }
    await requestFix(context, deps, { issueNumber: context.payload.issue.number, trigger: "label", requestedBy: sender, config });
  };
}
