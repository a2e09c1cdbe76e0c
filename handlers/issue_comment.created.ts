// Slash commands in issue and pull request comments: first line only, permission checked
// before anything happens, bots ignored (edited comments arrive as issue_comment.edited, which
// is not handled). On a LegoFactory PR, commands act on the issue the PR fixes.
import type { Context } from "probot";
import { attemptForPull } from "../db/fixes.js";
import { helpText, parseCommand, requiredPermission } from "../src/github/commands.js";
import type { HandlerDeps } from "./deps.js";
import { explainFix, requestFix, stopFixes } from "./fix-request.js";
import { requestFollowUp } from "./follow-up.js";
import { hasPermission, isBotActor } from "./permissions.js";
import { loadRepoConfig } from "./repo-config.js";
import { replier } from "./reply.js";

export function onIssueComment(deps: HandlerDeps) {
  return async (context: Context<"issue_comment.created">): Promise<void> => {
    if (context.isBot || isBotActor(context.payload.sender) || isBotActor(context.payload.comment.user)) return;
    const command = parseCommand(context.payload.comment.body ?? "");
    if (!command) return;
    const { issue, comment, repository } = context.payload;
    const sender = context.payload.sender.login;
    const reply = replier(context, issue.number);
    if (!(await hasPermission(context, sender, requiredPermission(command)))) {
      await reply(`@${sender} \`/lego ${command.kind}\` needs ${requiredPermission(command)} access to ${repository.full_name}; nothing was done.`);
      return;
    }
    await context.octokit.rest.reactions.createForIssueComment(context.repo({ comment_id: comment.id, content: "eyes" as const }));
    // On a LegoFactory PR the commands are about the issue it fixes.
    const attempt = issue.pull_request ? await attemptForPull(deps.db, repository.full_name, issue.number) : undefined;
    if (issue.pull_request && !attempt && command.kind !== "help" && command.kind !== "unknown" && command.kind !== "invalid") {
      await reply("This pull request was not opened by LegoFactory; use `/lego` commands on the issue instead.");
      return;
    }
    const issueNumber = attempt?.issueNumber ?? issue.number;
    switch (command.kind) {
      case "help":
      case "unknown":
        await reply(command.kind === "unknown" ? `\`/lego ${command.name.replace(/`/g, "")}\` is not a command.\n\n${helpText()}` : helpText());
        return;
      case "invalid":
        await reply(command.message);
        return;
      case "stop": {
        const n = await stopFixes(context, deps, issueNumber);
        await reply(n ? `Stopping ${n} fix attempt${n === 1 ? "" : "s"} for #${issueNumber}.` : `No fix attempt for #${issueNumber} is running.`);
        return;
      }
      case "explain":
        await reply(await explainFix(context, deps, issueNumber));
        return;
      case "fix":
      case "retry": {
        // With text below the command, on a LegoFactory PR: iterate on the PR instead of starting over.
        if (command.kind === "retry" && attempt && command.feedback) {
          await requestFollowUp(context, deps, { pullNumber: issue.number, trigger: "retry", requestedBy: sender, ...(command.k ? { k: command.k } : {}), feedback: [{ author: sender, body: command.feedback }] });
          return;
        }
        const config = await loadRepoConfig(context, deps);
        if (!config) return;
        await requestFix(context, deps, { issueNumber, trigger: command.kind === "fix" ? "command" : "retry", requestedBy: sender, ...(command.k ? { k: command.k } : {}), config });
      }
    }
  };
}
