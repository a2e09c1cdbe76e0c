// Process configuration: one zod schema over environment variables, with CLI flags layered on
// top. A bad or missing value is reported by name with what to set.
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v));

export const logLevels = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/** Every option once: name, description, default. The README's table is generated from this. */
export const configSchema = z.object({
  APP_ID: optionalString.describe("GitHub App ID. Without it `lego serve` offers the manifest registration flow."),
  PRIVATE_KEY: optionalString.describe("The app's private key (PEM). Escaped newlines (\\n) are accepted."),
  PRIVATE_KEY_PATH: optionalString.describe("Path to the app's private key file, instead of PRIVATE_KEY."),
  WEBHOOK_SECRET: optionalString.describe("Secret GitHub signs deliveries with; required with APP_ID. To rotate it, list the new and the old separated by a comma (`new,old`): a delivery signed with either is accepted until the old one is removed."),
  GHE_HOST: optionalString.describe("GitHub Enterprise Server host (e.g. github.example.com); API at /api/v3."),
  GHE_PROTOCOL: z.enum(["https", "http"]).default("https").describe("Protocol for GHE_HOST."),
  GITHUB_API_URL: optionalString.describe("Explicit REST API base URL; overrides GHE_HOST."),
  PORT: port.default(3000).describe("HTTP port for `lego serve` / `lego web` (0 picks a free one)."),
  HOST: z.string().default("127.0.0.1").describe("Interface to listen on (0.0.0.0 for all)."),
  LOG_LEVEL: z.enum(logLevels).default("info").describe("pino log level."),
  DATABASE_URL: optionalString.describe("PostgreSQL URL. Unset: an embedded PGlite database under LEGO_DATA_DIR."),
  REDIS_URL: z.string().default("redis://127.0.0.1:6379").describe("Redis for the BullMQ queues."),
  LEGO_DATA_DIR: z.string().default(".lego").describe("Where embedded state lives (PGlite database, work dirs)."),
  LEGO_CACHE_DIR: optionalString.describe("Downloads kept across builds (Node runtimes); default LEGO_DATA_DIR/cache."),
  LEGO_QUEUE_PREFIX: z.string().default("lego").describe("BullMQ key prefix; separate prefixes isolate deployments."),
  LEGO_WORKER_CONCURRENCY: positiveInt.default(2).describe("Jobs each queue's worker runs at once."),
  LEGO_WEBHOOK_CONCURRENCY: positiveInt.default(16).describe("Webhook deliveries each worker process handles at once (their handlers wait on GitHub, not on the CPU); LEGO_WORKER_CONCURRENCY applies to the other queues."),
  LEGO_SHUTDOWN_TIMEOUT_SEC: positiveInt.default(30).describe("On SIGTERM, how long active jobs may run before they are released for retry."),
  LEGO_HTTP_TIMEOUT_SEC: positiveInt.default(30).describe("Time-out of one GitHub API call, seconds; a call that takes longer fails and its job is retried."),
  LEGO_WEBHOOK_BODY_LIMIT: positiveInt.default(25 * 1024 * 1024).describe("Largest webhook body accepted, bytes (GitHub caps payloads at 25 MB)."),
  LEGO_BASE_IMAGE: z.string().default("lego/base:bookworm").describe("Sandbox base image (built by deploy/build-base-image.sh)."),
  LEGO_SANDBOX_CPUS: z.coerce.number().positive().default(2).describe("CPUs per sandbox container."),
  LEGO_SANDBOX_MEMORY_MB: positiveInt.default(4096).describe("Memory per sandbox container, MB (no swap)."),
  LEGO_SANDBOX_PIDS: positiveInt.default(512).describe("Process limit per sandbox container."),
  LEGO_SANDBOX_TIMEOUT_SEC: positiveInt.default(600).describe("Wall-clock limit of one sandbox command, seconds."),
  LEGO_PIP_INDEX_URL: optionalString.describe("Python package index (PEP 503 simple URL) environment builds install from; default PIP_INDEX_URL, else PyPI. Used only while building, never stored in images."),
  PIP_INDEX_URL: optionalString.describe("pip's own index variable, used when LEGO_PIP_INDEX_URL is unset."),
  DOCKER_HOST: optionalString.describe("Docker engine address (unix:// or tcp://); default the local socket."),
  LEGO_POLICY_BASE_URL: optionalString.describe("OpenAI-compatible endpoint of the policy (agent) model, including /v1. Unset: no fixes."),
  LEGO_POLICY_MODEL: z.string().default("SWE-Lego-Qwen3-8B").describe("Policy model name at that endpoint."),
  LEGO_POLICY_API_KEY: optionalString.describe("API key for the policy endpoint, if it needs one."),
  LEGO_POLICY_MODE: z.enum(["tools", "text"]).default("tools").describe("Native tool calls, or the OpenHands text action format (function calling off)."),
  LEGO_VERIFIER_BASE_URL: optionalString.describe("OpenAI-compatible endpoint of the verifier model (must return logprobs); default the policy endpoint."),
  LEGO_VERIFIER_MODEL: z.string().default("SWE-Lego-Verifier-8B").describe("Verifier model name."),
  LEGO_VERIFIER_API_KEY: optionalString.describe("API key for the verifier endpoint."),
  LEGO_WRITER_BASE_URL: optionalString.describe("OpenAI-compatible endpoint of the writer model (synthetic bugs and their issue text), including /v1; default the policy endpoint."),
  LEGO_WRITER_MODEL: optionalString.describe("Writer model name; default LEGO_POLICY_MODEL."),
  LEGO_WRITER_API_KEY: optionalString.describe("API key for the writer endpoint; default LEGO_POLICY_API_KEY."),
  LEGO_AGENT_MAX_TURNS: positiveInt.default(100).describe("Assistant turns per rollout."),
  LEGO_AGENT_MAX_COST_USD: z.coerce.number().positive().default(5).describe("Cost budget per rollout, USD (with the prices below)."),
  LEGO_PRICE_PROMPT_PER_MTOK: z.coerce.number().min(0).default(0).describe("Price of a million prompt tokens, USD (0 for self-hosted)."),
  LEGO_PRICE_COMPLETION_PER_MTOK: z.coerce.number().min(0).default(0).describe("Price of a million completion tokens, USD."),
  LEGO_TEACHER_BASE_URL: optionalString.describe("OpenAI-compatible endpoint of the teacher model that makes training trajectories on every newly validated task (the `trajgen` queue), including /v1. Set, it makes them (distillation from a stronger model); unset, the registry's promoted version does, else the LEGO_POLICY_* model, read per job; none of them: no trajectory generation."),
  LEGO_TEACHER_MODEL: z.string().default("Qwen3-Coder-480B-A35B-Instruct").describe("Teacher model name at that endpoint."),
  LEGO_TEACHER_API_KEY: optionalString.describe("API key for the teacher endpoint, if it needs one."),
  LEGO_TEACHER_MODE: z.enum(["tools", "text"]).default("tools").describe("How the teacher acts: native tool calls (converted to the text format at export) or the OpenHands text format."),
  LEGO_TEACHER_PRICE_PROMPT_PER_MTOK: z.coerce.number().min(0).default(0).describe("Teacher price of a million prompt tokens, USD, for the trajgen cost budgets."),
  LEGO_TEACHER_PRICE_COMPLETION_PER_MTOK: z.coerce.number().min(0).default(0).describe("Teacher price of a million completion tokens, USD."),
  LEGO_TRAJGEN_K: z.coerce.number().int().min(1).max(64).default(4).describe("Teacher rollouts per newly validated task."),
  LEGO_TRAJGEN_MAX_TURNS: z.coerce.number().int().min(1).max(100).default(100).describe("Assistant turns per teacher rollout (the SWE-Lego cap is 100)."),
  LEGO_TRAJGEN_MAX_COST_USD: z.coerce.number().positive().default(5).describe("Cost limit of one teacher rollout, USD (with the teacher prices)."),
  LEGO_TRAJGEN_ROLLOUTS_PER_DAY: z.coerce.number().int().min(0).default(2000).describe("Teacher rollouts started in any 24 hours, all repositories together; over it, jobs wait."),
  LEGO_TRAJGEN_REPO_ROLLOUTS_PER_DAY: z.coerce.number().int().min(0).default(200).describe("Teacher rollouts started in any 24 hours for one repository."),
  LEGO_TRAJGEN_COST_PER_DAY_USD: z.coerce.number().min(0).default(200).describe("Teacher spend in any 24 hours, all repositories together, USD; over it, jobs wait."),
  LEGO_TRAJGEN_REPO_COST_PER_DAY_USD: z.coerce.number().min(0).default(20).describe("Teacher spend in any 24 hours for one repository, USD."),
  LEGO_TRAIN_LAUNCHER: z.enum(["none", "command", "kubernetes"]).default("none").describe("Where scheduled training runs go: a command template, a Kubernetes Job, or nowhere (no scheduled training)."),
  LEGO_TRAIN_COMMAND: optionalString.describe("Training command template (run by bash; in the Job's container for kubernetes) with {data}, {config} (the export's train.yaml), {output}, {name} and {base_model}; e.g. `torchrun --nproc-per-node 8 -m lego_train sft --data {data} --model {base_model} --output-dir {output}` or `llamafactory-cli train {config}`."),
  LEGO_TRAIN_DIR: optionalString.describe("Where training exports, checkpoints and logs go (for kubernetes: the training volume, mounted at the same path in the worker and the Job); default LEGO_DATA_DIR/training."),
  LEGO_TRAIN_BASE_MODEL: z.string().default("Qwen/Qwen3-8B").describe("The model scheduled runs fine-tune ({base_model}; it sets the export's learning rate)."),
  LEGO_TRAIN_IN_CONTEXT_EXAMPLE: z.enum(["true", "false"]).default("true").describe("Whether the exported first user message carries OpenHands' worked example, as the text-mode agent sees it."),
  LEGO_TRAIN_CRON: optionalString.describe("Cron pattern for scheduled training runs (e.g. `0 3 * * 0`, Sundays 03:00 UTC). Unset: no cron runs."),
  LEGO_TRAIN_MIN_NEW: positiveInt.optional().describe("Start a training run once this many new resolved trajectories exist since the last run. Unset: no count trigger."),
  LEGO_TRAIN_CHECK_SEC: positiveInt.default(300).describe("How often the new-trajectory count and the candidates waiting for a gate are checked, seconds."),
  LEGO_TRAIN_TIMEOUT_SEC: positiveInt.default(172800).describe("Wall-clock limit of one training run, seconds (the Job's activeDeadlineSeconds)."),
  LEGO_TRAIN_POLL_SEC: positiveInt.default(30).describe("How often a running training run's status and log are read, seconds (a Kubernetes watch wakes it sooner)."),
  LEGO_TRAIN_K8S_API_URL: optionalString.describe("Kubernetes API server URL; unset: the kubeconfig (KUBECONFIG) or the in-cluster service account."),
  LEGO_TRAIN_K8S_TOKEN: optionalString.describe("Bearer token for LEGO_TRAIN_K8S_API_URL."),
  LEGO_TRAIN_K8S_NAMESPACE: z.string().default("default").describe("Namespace of the training Jobs."),
  LEGO_TRAIN_K8S_IMAGE: optionalString.describe("Container image of the training Job (with torch, transformers and lego_train or LLaMA-Factory)."),
  LEGO_TRAIN_K8S_GPUS: z.coerce.number().int().min(0).default(1).describe("nvidia.com/gpu limit of the training Job."),
  LEGO_TRAIN_K8S_PVC: optionalString.describe("PersistentVolumeClaim mounted at LEGO_TRAIN_DIR in the Job (and in the worker)."),
  LEGO_TRAIN_K8S_SERVICE_ACCOUNT: optionalString.describe("Service account of the training Job's pod."),
  LEGO_TRAIN_K8S_NODE_SELECTOR: optionalString.describe("Node selector of the training Job, as key=value pairs separated by commas."),
  LEGO_GATE_TASKS: optionalString.describe("Held-out tasks (JSON lines, validated) the service gates every served candidate on. Unset: candidates wait for `lego gate`."),
  LEGO_GATE_REPO: optionalString.describe("Where the gate tasks' repository is (path or git URL); default https://github.com/<repo>."),
  LEGO_GATE_K: z.coerce.number().int().min(1).max(16).default(1).describe("Rollouts per gate task and model."),
  LEGO_GATE_MARGIN: z.coerce.number().min(0).max(100).default(2).describe("Resolve-rate points a candidate must gain over the promoted model to be promoted."),
  LEGO_GATE_MIN_TASKS: positiveInt.default(20).describe("Gate tasks with evidence from both models needed for any decision (fewer: insufficient evidence)."),
  GITHUB_CLIENT_ID: optionalString.describe("The app's OAuth client ID: enables \"Sign in with GitHub\" on the dashboard (written by the registration flow)."),
  GITHUB_CLIENT_SECRET: optionalString.describe("The app's OAuth client secret, with GITHUB_CLIENT_ID."),
  LEGO_DASHBOARD_TOKEN: optionalString.describe("A shared token for a single-team dashboard: `Authorization: Bearer <token>` for scripts, or the sign-in form. It sees every installation."),
  LEGO_SESSION_SECRET: optionalString.describe("Key that signs dashboard session cookies (at least 32 characters; the same on every web replica). Default: derived from PRIVATE_KEY or LEGO_DASHBOARD_TOKEN."),
  LEGO_PUBLIC_URL: optionalString.describe("The URL people reach this server at, for GitHub sign-in's callback. Default: taken from each request."),
  LEGO_WORKER_METRICS_PORT: port.optional().describe("When set, `lego worker` serves /metrics and /healthz on this port (for Prometheus scraping of job durations and sandboxes)."),
  LEGO_METRICS_TOKEN: optionalString.describe("When set, /metrics needs `Authorization: Bearer <token>`; unset, it is open on the main port."),
});

export type RawConfig = z.infer<typeof configSchema>;

export interface Config extends RawConfig {
  /** The REST base URL Probot and Octokit use. */
  githubApiUrl: string;
  /** PEM from PRIVATE_KEY or PRIVATE_KEY_PATH, when either is set. */
  privateKey: string | undefined;
  /** True when the app can authenticate to GitHub (APP_ID + key + secret). */
  hasAppCredentials: boolean;
  /** WEBHOOK_SECRET's entries (during a rotation the new and the old); empty when unset. */
  webhookSecrets: string[];
}

/** Pure: WEBHOOK_SECRET → the secrets a delivery may be signed with, in the order given. */
export function webhookSecretsOf(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export class ConfigError extends Error {
  readonly code = "config_invalid";
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

function describeIssue(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string {
  const key = String(issue.path[0] ?? "");
  const got = env[key];
  const shown = got === undefined ? "it is unset" : `got ${JSON.stringify(got.length > 40 ? `${got.slice(0, 40)}…` : got)}`;
  return `${key}: ${issue.message} (${shown}). Set ${key} in the environment or .env.`;
}

export function githubApiUrl(c: Pick<RawConfig, "GITHUB_API_URL" | "GHE_HOST" | "GHE_PROTOCOL">): string {
  if (c.GITHUB_API_URL) return c.GITHUB_API_URL.replace(/\/+$/, "");
  if (c.GHE_HOST) return `${c.GHE_PROTOCOL}://${c.GHE_HOST}/api/v3`;
  return "https://api.github.com";
}

/** Per-container limits for sandboxes, from LEGO_SANDBOX_*. */
export function sandboxLimitsOf(c: Pick<RawConfig, "LEGO_SANDBOX_CPUS" | "LEGO_SANDBOX_MEMORY_MB" | "LEGO_SANDBOX_PIDS">): { cpus: number; memoryMb: number; pids: number } {
  return { cpus: c.LEGO_SANDBOX_CPUS, memoryMb: c.LEGO_SANDBOX_MEMORY_MB, pids: c.LEGO_SANDBOX_PIDS };
}

/** The Python package index environment builds use, when one is configured. */
export function pipIndexOf(c: Pick<RawConfig, "LEGO_PIP_INDEX_URL" | "PIP_INDEX_URL">): string | undefined {
  return c.LEGO_PIP_INDEX_URL ?? c.PIP_INDEX_URL;
}

/** Downloads kept across builds: LEGO_CACHE_DIR, or `cache` under the data directory. */
export function cacheDirOf(c: Pick<RawConfig, "LEGO_CACHE_DIR" | "LEGO_DATA_DIR">): string {
  return path.resolve(c.LEGO_CACHE_DIR ?? path.join(c.LEGO_DATA_DIR, "cache"));
}

/** Pure: environment (plus overrides from flags) in, validated config or ConfigError out. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<Record<keyof RawConfig, string | number | undefined>> = {},
  readFile: (p: string) => string = (p) => readFileSync(p, "utf8"),
): Config {
  const merged: Record<string, string | undefined> = { ...env };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) merged[k] = String(v);
  const picked = Object.fromEntries(Object.keys(configSchema.shape).map((k) => [k, merged[k]]));
  const parsed = configSchema.safeParse(picked);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => describeIssue(i, merged)));
  const raw = parsed.data;

  const problems: string[] = [];
  let privateKey = raw.PRIVATE_KEY?.replace(/\\n/g, "\n");
  if (!privateKey && raw.PRIVATE_KEY_PATH) {
    try {
      privateKey = readFile(path.resolve(raw.PRIVATE_KEY_PATH));
    } catch (err) {
      problems.push(`PRIVATE_KEY_PATH: cannot read ${raw.PRIVATE_KEY_PATH} (${(err as NodeJS.ErrnoException).code ?? err}). Point it at the .pem file GitHub gave you.`);
    }
  }
  if (privateKey && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) {
    problems.push("PRIVATE_KEY: not a PEM private key (expected a '-----BEGIN RSA PRIVATE KEY-----' block). Paste the .pem GitHub generated, or use PRIVATE_KEY_PATH.");
  }
  if (raw.APP_ID) {
    if (!/^\d+$/.test(raw.APP_ID)) problems.push(`APP_ID: must be the numeric App ID (got ${JSON.stringify(raw.APP_ID)}). Find it on the app's settings page.`);
    if (!privateKey && !raw.PRIVATE_KEY_PATH) problems.push("PRIVATE_KEY: required with APP_ID. Set PRIVATE_KEY or PRIVATE_KEY_PATH.");
    if (!raw.WEBHOOK_SECRET) problems.push("WEBHOOK_SECRET: required with APP_ID, or every delivery would be rejected. Set it to the app's webhook secret.");
  }
  if (Boolean(raw.GITHUB_CLIENT_ID) !== Boolean(raw.GITHUB_CLIENT_SECRET)) {
    problems.push("GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET go together: set both (from the app's settings page) or neither.");
  }
  if (raw.LEGO_SESSION_SECRET && raw.LEGO_SESSION_SECRET.length < 32) {
    problems.push("LEGO_SESSION_SECRET: must be at least 32 characters. Generate one with `openssl rand -hex 32`.");
  }
  if (raw.LEGO_DASHBOARD_TOKEN && raw.LEGO_DASHBOARD_TOKEN.length < 16) {
    problems.push("LEGO_DASHBOARD_TOKEN: must be at least 16 characters, or anyone could guess it. Generate one with `openssl rand -hex 24`.");
  }
  if (problems.length) throw new ConfigError(problems);

  return {
    ...raw,
    githubApiUrl: githubApiUrl(raw),
    privateKey,
    hasAppCredentials: Boolean(raw.APP_ID && privateKey && raw.WEBHOOK_SECRET),
    webhookSecrets: webhookSecretsOf(raw.WEBHOOK_SECRET),
  };
}

/** Markdown rows for the README's configuration table. */
export function configTableMarkdown(): string {
  const rows = Object.entries(configSchema.shape).map(([name, schema]) => {
    const s = schema as z.ZodType;
    const parsed = s.safeParse(undefined);
    const def = parsed.success && parsed.data !== undefined ? `\`${String(parsed.data)}\`` : "";
    return `| \`${name}\` | ${def} | ${s.description ?? ""} |`;
  });
  return ["| variable | default | meaning |", "|---|---|---|", ...rows].join("\n");
}
