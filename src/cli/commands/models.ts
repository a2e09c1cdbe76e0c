// `lego models list|add|promote|rollback`: the model registry from the command line. A refusal
// (no such version, no endpoint, nothing to roll back to) changes nothing and says what to do.
import type { Db } from "../../../db/client.js";
import { addModelVersion, listModelVersions, type ModelVersion, promoteByName, type RegistryChange, rollbackPromotion } from "../../../db/model-versions.js";
import { UsageError } from "./export-training.js";

type Print = (line: string) => void;

/** Pure: an endpoint must be an http(s) URL; OpenAI-compatible servers answer under /v1. */
export function checkEndpoint(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--endpoint ${raw} is not a URL; give the OpenAI-compatible base URL, e.g. http://vllm:8000/v1`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--endpoint must be http:// or https://, not ${url.protocol}`);
  return raw.replace(/\/+$/, "");
}

function gateSummary(v: ModelVersion): string {
  const e = v.evaluation as { decision?: string; candidate?: { resolveRate?: number }; current?: { resolveRate?: number } } | null;
  if (!e?.decision) return "";
  const rate = (r: number | undefined) => (typeof r === "number" ? `${(r * 100).toFixed(1)}%` : "?");
  return `${e.decision} ${rate(e.candidate?.resolveRate)} vs ${rate(e.current?.resolveRate)}`;
}

export function renderVersion(v: ModelVersion): Record<string, unknown> {
  return {
    name: v.name,
    status: v.status,
    status_reason: v.statusReason,
    endpoint: v.endpoint,
    served_model: v.servedModel ?? v.name,
    base_model: v.baseModel,
    checkpoint_uri: v.uri || null,
    training_run_id: v.trainingRunId,
    previous_version_id: v.previousVersionId,
    evaluation: v.evaluation,
    created_at: v.createdAt.toISOString(),
    promoted_at: v.promotedAt?.toISOString() ?? null,
  };
}

export async function modelsList(db: Db, json: boolean, print: Print): Promise<number> {
  const rows = await listModelVersions(db);
  if (json) {
    for (const v of rows) print(JSON.stringify(renderVersion(v)));
    return 0;
  }
  if (rows.length === 0) {
    print("No model versions. Add a served one with `lego models add NAME --endpoint URL`; until one is promoted, fixes use LEGO_POLICY_*.");
    return 0;
  }
  const header = ["name", "status", "endpoint", "base", "gate"];
  const table = rows.map((v) => [`${v.status === "promoted" ? "* " : "  "}${v.name}`, v.status, v.endpoint ?? "(not served)", v.baseModel, gateSummary(v)]);
  const widths = header.map((h, i) => Math.max(h.length + 2 * Number(i === 0), ...table.map((r) => (r[i] as string).length)));
  print(header.map((h, i) => (i === 0 ? `  ${h}` : h).padEnd(widths[i] as number)).join("  ").trimEnd());
  for (const r of table) print(r.map((c, i) => c.padEnd(widths[i] as number)).join("  ").trimEnd());
  return 0;
}

export async function modelsAdd(db: Db, name: string, flags: { endpoint: string; modelName?: string; base?: string }, print: Print): Promise<number> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/.test(name)) throw new UsageError(`model version name ${JSON.stringify(name)}: use letters, digits and . _ : / - (at most 128)`);
  const endpoint = checkEndpoint(flags.endpoint);
  const { version, created } = await addModelVersion(db, { name, endpoint, ...(flags.modelName ? { servedModel: flags.modelName } : {}), ...(flags.base ? { baseModel: flags.base } : {}) });
  print(
    created
      ? `added ${name} (candidate) at ${endpoint}; gate it with \`lego gate ${name} --tasks FILE\` or promote it with \`lego models promote ${name}\``
      : `recorded ${name}'s endpoint ${endpoint} (status ${version.status})${version.status === "candidate" && !version.evaluation ? "; the service gates it on the held-out tasks next" : ""}`,
  );
  return 0;
}

function reportChange(change: RegistryChange, verb: string, print: Print, printErr: Print): number {
  if (!change.ok) {
    printErr(`lego models ${verb}: ${change.reason}. Nothing changed.`);
    return 4;
  }
  print(`${change.version.name} is now the promoted model (${change.version.endpoint})${change.previous ? `; ${change.previous.name} retired` : ""}. The next fix uses it.`);
  return 0;
}

export async function modelsPromote(db: Db, name: string, print: Print, printErr: Print): Promise<number> {
  return reportChange(await promoteByName(db, name, "promoted with lego models promote"), "promote", print, printErr);
}

export async function modelsRollback(db: Db, print: Print, printErr: Print): Promise<number> {
  return reportChange(await rollbackPromotion(db), "rollback", print, printErr);
}
