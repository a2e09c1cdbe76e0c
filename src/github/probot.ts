// The Probot instance: GitHub App auth, webhook dispatch and per-installation Octokit clients.
import { Probot, ProbotOctokit } from "probot";
import type { Logger } from "pino";
import type { Config } from "../config.js";
import { timedFetch } from "../http-timeout.js";
import { configTextProblem, falsyDocumentProblem } from "../repo-config.js";

/** An Octokit authenticated as one installation of the app. */
export type InstallationOctokit = Awaited<ReturnType<Probot["auth"]>>;

export interface ProbotOptions {
  /** Octokit's retry and throttling plugins; tests turn them off so failures surface at once. */
  retries?: boolean;
}

/**
 * The throttle options of one Octokit: GitHub's pacing (a second between writes, three between
 * writes that notify) is per installation, so each installation's client gets its own limiter
 * key. Probot keys the clients `probot.auth(id)` makes, but the one a webhook handler gets
 * (`context.octokit`, built from the app client's options) kept the shared default key, so one
 * worker process posted at most one comment every three seconds across all installations.
 */
export function throttleFor(options: Record<string, unknown>): Record<string, unknown> | undefined {
  const throttle = options.throttle as Record<string, unknown> | undefined;
  const installationId = (options.auth as { installationId?: unknown } | undefined)?.installationId;
  if (throttle?.enabled === false || (typeof installationId !== "number" && typeof installationId !== "string")) return throttle;
  return { ...throttle, id: String(installationId) };
}

export function createProbot(config: Config, log: Logger, opts: ProbotOptions = {}): Probot {
  if (!config.hasAppCredentials || !config.APP_ID || !config.privateKey || !config.WEBHOOK_SECRET) {
    throw new Error("GitHub App credentials are missing: set APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH) and WEBHOOK_SECRET, or run `lego serve` and register the app at http://localhost:PORT/probot.");
  }
  // Every call has a time-out (the transport aborts it), so a hung connection fails the job's
  // attempt instead of holding it. The function form: Probot passes its own options per
  // instance, which would replace an object default.
  const fetch = timedFetch(config.LEGO_HTTP_TIMEOUT_SEC * 1000, "GitHub");
  const Octokit = ProbotOctokit.plugin(guardConfigFiles).defaults((o: Record<string, unknown>) => ({
    ...o,
    request: { ...(o.request as object | undefined), fetch },
    // Tests turn retries and throttling off: Probot's throttle options would make every write wait a second.
    ...(opts.retries === false ? { retry: { enabled: false }, throttle: { enabled: false } } : { throttle: throttleFor(o) }),
  }));
  return new Probot({
    appId: config.APP_ID,
    privateKey: config.privateKey,
    // The intake verifies deliveries (against every listed secret); Probot gets the current one.
    secret: config.webhookSecrets[0] ?? config.WEBHOOK_SECRET,
    baseUrl: config.githubApiUrl,
    log: log.child({ component: "probot" }),
    Octokit,
  });
}

/** Thrown when a fetched `.github/lego.yml` is refused before the loader's YAML parser sees it. */
export class ConfigFileShapeError extends Error {
  override name = "ConfigFileShapeError";
}

/**
 * Octokit plugin: every `.github/lego.yml` that Probot's config loader fetches (the repository's,
 * the org's `.github` fallback, each `_extends` target) passes the same shape check as
 * parseRepoConfigText before the loader parses it, so no repository can stall or crash the
 * process that handles its events with a pathological file.
 */
export function guardConfigFiles(octokit: { hook: { after(name: "request", hook: (response: { data: unknown }, options: Record<string, unknown>) => void): void } }): void {
  octokit.hook.after("request", (response, options) => {
    const path = typeof options.path === "string" ? options.path : "";
    if (!String(options.url).includes("/contents/") || !/(^|\/)\.github\/lego\.ya?ml$/.test(path) || typeof response.data !== "string") return;
    const problem = configTextProblem(response.data) ?? falsyDocumentProblem(response.data);
    if (problem) throw new ConfigFileShapeError(`${problem} (${String(options.owner)}/${String(options.repo)}: ${path})`);
  });
}
