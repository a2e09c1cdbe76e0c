// `lego holdout add <file> | --repo OWNER/NAME` and `lego holdout list`: the evaluation set no
// training export may contain. Ids come as plain lines, JSON lines with `instance_id`, or a JSON
// array (a SWE-bench id list works as it is); each is matched by id, by repository + PR and by
// its gold patch when LegoFactory knows the task.
import { readFile } from "node:fs/promises";
import type { Db } from "../../../db/client.js";
import { addHoldout, knownTasks, tasksOfRepo, type HoldoutRow } from "../../../db/training-data.js";
import { parseInstanceId } from "../../../training/holdout.js";
import { normalizedPatchHash } from "../../../training/patch-hash.js";

export interface HoldoutReport {
  added: number;
  entries: number;
  /** Ids matched only by id and repository + PR: LegoFactory has no such task. */
  unknownTask: string[];
  /** Ids that name no task LegoFactory knows and no repository + PR. */
  rejected: { id: string; reason: string }[];
}

/** Pure: the ids in a list file, whatever its shape, in order, without repeats. */
export function readIdList(text: string): string[] {
  const trimmed = text.trim();
  let ids: string[];
  if (trimmed.startsWith("[")) {
    const parsed = JSON.parse(trimmed) as unknown;
    if (!Array.isArray(parsed)) throw new Error("the file is not a JSON array of instance ids");
    ids = parsed.map((v) => (typeof v === "string" ? v : typeof v === "object" && v !== null && "instance_id" in v ? String((v as { instance_id: unknown }).instance_id) : ""));
  } else {
    ids = trimmed.split(/\r?\n/).map((line) => {
      const l = line.trim();
      if (l.startsWith("{")) {
        try {
          return String((JSON.parse(l) as { instance_id?: unknown }).instance_id ?? "");
        } catch {
          return l;
        }
      }
      return l.startsWith("#") ? "" : l;
    });
  }
  return [...new Set(ids.map((id) => id.trim()).filter(Boolean))];
}

export async function holdoutAddFile(db: Db, file: string): Promise<HoldoutReport> {
  const ids = readIdList(await readFile(file, "utf8"));
  const known = new Map((await knownTasks(db, ids)).map((t) => [t.instanceId, t]));
  const rows: HoldoutRow[] = [];
  const report: HoldoutReport = { added: 0, entries: 0, unknownTask: [], rejected: [] };
  for (const id of ids) {
    const task = known.get(id);
    const named = parseInstanceId(id);
    if (!task && !named) {
      report.rejected.push({ id, reason: "LegoFactory has no such task and it is not a SWE-bench id (owner__name-PR)" });
      continue;
    }
    if (!task) report.unknownTask.push(id);
    const repo = task?.repo ?? named?.repo ?? null;
    const pullNumber = task?.pullNumber ?? named?.pullNumber ?? null;
    rows.push({ key: `id:${id}`, instanceId: id, repo, pullNumber, patchHash: task?.patch ? normalizedPatchHash(task.patch) : null, source: file });
  }
  report.entries = rows.length;
  report.added = await addHoldout(db, rows);
  return report;
}

export async function holdoutAddRepo(db: Db, repo: string): Promise<HoldoutReport> {
  if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(repo)) {
    return { added: 0, entries: 0, unknownTask: [], rejected: [{ id: repo, reason: "not a repository name; give it as OWNER/NAME" }] };
  }
  // The repository's gold patches too, so the same fixes are caught in a fork or a mirror.
  const hashes = (await tasksOfRepo(db, repo)).flatMap((t) => {
    const hash = normalizedPatchHash(t.patch);
    return hash ? [{ key: `hash:${hash}`, patchHash: hash, repo, source: `--repo ${repo}` }] : [];
  });
  const rows: HoldoutRow[] = [{ key: `repo:${repo.toLowerCase()}`, repo, wholeRepo: true, source: `--repo ${repo}` }, ...hashes];
  return { added: await addHoldout(db, rows), entries: rows.length, unknownTask: [], rejected: [] };
}
