// Pure parts of the yield benchmark (bench/yield.ts): how an environment and a repository's
// harvest are summarised in the table, so the table says why each PR yielded or did not.
import type { EnvironmentHealth } from "../../src/environment/health.js";
import { parseEnvMarkers } from "../../src/environment/python-index.js";

/** One environment image the harvest of a repository built or reused (a row of `environments`). */
export interface EnvBuild {
  status: string;
  fallback: string | null;
  failureClass: string | null;
  buildLog: string | null;
  health: EnvironmentHealth | null;
}

/** `path=owner/name` names a clone whose origin does not (a mirror path); a bare path is named from its origin. */
export function parseCloneArg(arg: string): { location: string; name?: string } {
  const m = /^(.+)=([\w.-]+\/[\w.-]+)$/.exec(arg);
  return m?.[1] && m[2] ? { location: m[1], name: m[2] } : { location: arg };
}

/** The first words of a status reason, so reasons of one kind count together. */
export function reasonKey(reason: string | null | undefined): string {
  return (reason ?? "unknown").split(/[:(]/)[0]?.trim().slice(0, 60) || "unknown";
}

/** How an image was built: the install path the log recorded (Python) and the fallback that worked. */
export function buildPath(b: Pick<EnvBuild, "fallback" | "buildLog">): string {
  const path = parseEnvMarkers(b.buildLog ?? "").path;
  const skipped = parseEnvMarkers(b.buildLog ?? "").skipped ?? [];
  const parts = [path ? `path ${path}` : null, b.fallback ? `fallback "${b.fallback}"` : "first install", skipped.length ? `skipped ${skipped.join(", ")}` : null];
  return parts.filter(Boolean).join(", ");
}

/** The health check in a cell: collected / passed / failed, and the first error when there was one. */
export function healthText(h: EnvironmentHealth | null | undefined): string {
  if (!h) return "not run";
  if (h.error && !h.ran) return `did not run (${h.error.slice(0, 80)})`;
  const counts = `${h.collected} collected, ${h.passed} passed, ${h.failed} failed`;
  return h.firstError ? `${counts}; first error: ${h.firstError.slice(0, 120)}` : counts;
}

/** Every image of one repository's harvest: how many were built and how the failed ones failed. */
export function buildsText(builds: EnvBuild[]): string {
  if (builds.length === 0) return "-";
  const ok = builds.filter((b) => b.status === "ready").length;
  const failed = new Map<string, number>();
  for (const b of builds) if (b.status === "failed") failed.set(b.failureClass ?? "unknown", (failed.get(b.failureClass ?? "unknown") ?? 0) + 1);
  const f = [...failed].map(([c, n]) => `${n} ${c}`).join(", ");
  return `${ok}/${builds.length} built${f ? `; failed: ${f}` : ""}`;
}

export function countText(m: Map<string, number>): string {
  return [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, n]) => `${n} ${k}`).join("; ") || "-";
}

export interface RepoYield {
  repo: string;
  /** The environment at the clone's HEAD (built, by which path), or its failure class. */
  env: string;
  envOk: boolean;
  health: string;
  builds: string;
  scanned: number;
  candidates: number;
  valid: number;
  invalid: Map<string, number>;
  skipped: Map<string, number>;
  minutes: number;
}

/** The README table and the overall line. */
export function yieldTable(results: RepoYield[]): string {
  const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const lines = [
    "| repository | environment at HEAD | health check at HEAD | images for the PRs' bases | PRs scanned | candidates | valid | invalid (by reason) | skipped (by reason) | minutes |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...results.map((r) =>
      `| ${[r.repo, r.env, r.health, r.builds, String(r.scanned), String(r.candidates), String(r.valid), countText(r.invalid), countText(r.skipped), r.minutes.toFixed(1)].map(cell).join(" | ")} |`,
    ),
  ];
  const scanned = results.reduce((a, r) => a + r.scanned, 0);
  const candidates = results.reduce((a, r) => a + r.candidates, 0);
  const valid = results.reduce((a, r) => a + r.valid, 0);
  const minutes = results.reduce((a, r) => a + r.minutes, 0);
  lines.push(
    "",
    `environment success rate ${results.filter((r) => r.envOk).length}/${results.length}; valid tasks per PR scanned ${valid}/${scanned} = ${(scanned ? valid / scanned : 0).toFixed(2)} (per candidate ${valid}/${candidates}); minutes per valid task ${valid ? (minutes / valid).toFixed(1) : "n/a"} (${minutes.toFixed(1)} min in all)`,
  );
  return lines.join("\n");
}
