// What a repository's own GitHub Actions workflows say about the environment its tests pass in:
// the parsed workflow files, and the Node versions `actions/setup-node` installs (literal, or
// from the job's matrix). Pure: reads the snapshot only.
import YAML from "yaml";
import type { RepoSnapshot } from "./types.js";

const WORKFLOW = /^\.github\/workflows\/[^/]+\.ya?ml$/;

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** Every workflow file that parses, by path order; a file that does not parse is left out. */
export function workflowDocs(repo: RepoSnapshot): unknown[] {
  const docs: unknown[] = [];
  for (const file of repo.files.filter((f) => WORKFLOW.test(f)).sort()) {
    try {
      docs.push(YAML.parse(repo.read(file) ?? ""));
    } catch {
      // A workflow GitHub could not run either says nothing about the environment.
    }
  }
  return docs;
}

/** The values one matrix dimension takes: its list and any `include` entries that set it. */
function matrixValues(matrix: unknown, name: string): unknown[] {
  if (!isRecord(matrix)) return [];
  const listed = matrix[name];
  const values = Array.isArray(listed) ? [...listed] : listed !== undefined && typeof listed !== "object" ? [listed] : [];
  if (Array.isArray(matrix.include)) for (const inc of matrix.include) if (isRecord(inc) && inc[name] !== undefined) values.push(inc[name]);
  return values;
}

/**
 * The Node versions the workflows' `actions/setup-node` steps install, as written (`14`, `18.x`,
 * `lts/*`), a `${{ matrix.X }}` expanded from the job's matrix; other expressions are not read.
 */
export function ciNodeVersions(repo: RepoSnapshot): string[] {
  const out = new Set<string>();
  for (const doc of workflowDocs(repo)) {
    const jobs = isRecord(doc) && isRecord(doc.jobs) ? Object.values(doc.jobs) : [];
    for (const job of jobs) {
      if (!isRecord(job) || !Array.isArray(job.steps)) continue;
      const matrix = isRecord(job.strategy) ? job.strategy.matrix : undefined;
      for (const step of job.steps) {
        if (!isRecord(step) || typeof step.uses !== "string" || !step.uses.startsWith("actions/setup-node")) continue;
        const wanted = isRecord(step.with) ? step.with["node-version"] : undefined;
        if (wanted === undefined || wanted === null || typeof wanted === "object") continue;
        const text = String(wanted).trim();
        const ref = /^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$/.exec(text);
        const values = ref?.[1] ? matrixValues(matrix, ref[1]) : text.includes("${{") ? [] : [text];
        for (const v of values) if (v !== null && typeof v !== "object" && !String(v).includes("${{")) out.add(String(v).trim());
      }
    }
  }
  return [...out];
}
