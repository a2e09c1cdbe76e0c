// The Retry button on a LegoFactory check run: the same as `/lego retry` by the person who
// pressed it (write access required).
import type { Context } from "probot";
import { getAttempt } from "../db/fixes.js";
import type { HandlerDeps } from "./deps.js";
import { replier } from "./reply.js";
import { requestFix } from "./fix-request.js";
import { hasPermission, isBotActor } from "./permissions.js";
import { loadRepoConfig } from "./repo-config.js";

export function onCheckRunAction(deps: HandlerDeps) {
  return async (context: Context<"check_run.requested_action">): Promise<void> => {
    const { check_run, requested_action, sender } = context.payload;
    if (requested_action?.identifier !== "retry" || context.isBot || isBotActor(sender)) return;
    const attempt = await getAttempt(deps.db, Number(check_run.external_id));
    if (!attempt || attempt.repo !== context.payload.repository.full_name) return;
    const prNumber = attempt.pullNumber ?? attempt.issueNumber;
    if (!(await hasPermission(context, sender.login, "write"))) {
      await replier(context, prNumber)(`@${sender.login} retrying needs write access; nothing was done.`);
      return;
    }
    const config = await loadRepoConfig(context, deps);
    if (!config) return;
    await requestFix(context, deps, { issueNumber: attempt.issueNumber, trigger: "check-run", requestedBy: sender.login, config });
  };
}
