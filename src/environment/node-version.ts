// Which Node the image gets. A developer pin (volta, .nvmrc, .node-version) wins; then the
// newest Node the repository's own CI tests on (within engines.node), the environment its tests
// are known to pass in; then engines.node, a range, from which we take the newest LTS major.
import semver from "semver";

/** Whether any version of Node `major` satisfies the range (npm's own semver decides). */
export function allowsMajor(range: string, major: number): boolean {
  return semver.intersects(range, `>=${major}.0.0 <${major + 1}.0.0`);
}

/** LTS lines the image builder offers, newest first. */
export const NODE_MAJORS = [24, 22, 20, 18] as const;
/** When nothing asks for a version: the LTS line most older projects still run on. */
export const DEFAULT_NODE_MAJOR = 22;
const NEWEST_LTS = NODE_MAJORS[0];

const LTS_CODENAMES: Record<string, number> = {
  argon: 4, boron: 6, carbon: 8, dubnium: 10, erbium: 12, fermium: 14,
  gallium: 16, hydrogen: 18, iron: 20, jod: 22, krypton: 24,
};

export interface NodeChoice {
  version: string;
  note: string;
}

/** `.nvmrc` / `.node-version` content → an exact version or a major; undefined if unreadable. */
export function nodeFromPin(text: string): string | undefined {
  const line = text
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*$/, "").trim())
    .find((l) => l !== "");
  if (line === undefined) return undefined;
  const pin = line.toLowerCase();
  if (pin === "lts/*" || pin === "lts" || pin === "lts/latest") return String(NEWEST_LTS);
  if (pin === "node" || pin === "stable" || pin === "latest" || pin === "current") return String(NEWEST_LTS);
  const lts = /^lts\/(.+)$/.exec(pin);
  if (lts) {
    const major = LTS_CODENAMES[lts[1] ?? ""];
    return major === undefined ? undefined : String(major);
  }
  const exact = /^v?(\d+\.\d+\.\d+)$/.exec(pin);
  if (exact) return exact[1];
  const partial = /^v?(\d+)(\.\d+)?(\.x)?$/.exec(pin);
  if (partial) return partial[1];
  return nodeFromRange(pin)?.version;
}

/** engines.node → an exact version when it names one, else the newest major it allows. */
export function nodeFromRange(range: string): NodeChoice | undefined {
  const exact = /^\s*=?v?(\d+\.\d+\.\d+)\s*$/.exec(range);
  if (exact?.[1]) return { version: exact[1], note: `engines.node pins ${exact[1]}` };
  const sets = semver.validRange(range);
  if (!sets) return undefined;
  const lts = NODE_MAJORS.find((m) => allowsMajor(sets, m));
  if (lts !== undefined) {
    return { version: String(lts), note: `engines.node "${range}" allows Node ${lts}, the newest LTS line it accepts` };
  }
  // A range that only allows an old or odd line still says what the project runs on.
  for (let m = 30; m >= 0; m--) {
    if (allowsMajor(sets, m)) return { version: String(m), note: `engines.node "${range}" allows only older Node; using ${m}` };
  }
  return undefined;
}

export interface NodeSources {
  volta?: string;
  nvmrc?: string;
  nodeVersionFile?: string;
  engines?: string;
  /** The versions the repository's CI workflows install (`actions/setup-node`'s node-version, matrix expanded). */
  ci?: string[];
}

/** The oldest Node an image can get: the npm the builder installs beside it (npm 8) needs 12.13. */
export const OLDEST_CI_MAJOR = 12;

/**
 * Pure: the newest major the CI workflows test on that engines.node allows and the image builder
 * can run; undefined when they name none. Old projects (kleur: `uvu -r esm`, CI on Node 10–14)
 * pass only on the Node their CI used; the newest LTS an open `>=6` range allows breaks them.
 */
export function nodeFromCi(versions: string[], engines: string | undefined): NodeChoice | undefined {
  const range = engines ? semver.validRange(engines) : null;
  const majors = [...new Set(versions.map((v) => nodeFromPin(v)).filter((v): v is string => v !== undefined).map(nodeMajor))].sort((a, b) => b - a);
  const usable = majors.filter((m) => m >= OLDEST_CI_MAJOR && (!range || allowsMajor(range, m)));
  const chosen = usable[0];
  if (chosen === undefined) return undefined;
  return { version: String(chosen), note: `the repository's CI workflows test on Node ${[...majors].reverse().join(", ")}: using Node ${chosen}, the newest of them${range ? ` that engines.node "${engines}" allows` : ""}` };
}

export function chooseNode(src: NodeSources): NodeChoice {
  const volta = src.volta && /^v?(\d+\.\d+\.\d+)$/.exec(src.volta.trim())?.[1];
  if (volta) return { version: volta, note: `package.json volta.node pins ${volta}` };
  for (const [file, text] of [[".nvmrc", src.nvmrc], [".node-version", src.nodeVersionFile]] as const) {
    if (text === undefined) continue;
    const version = nodeFromPin(text);
    if (version) return { version, note: `${file} says "${text.trim()}" → Node ${version}` };
  }
  const fromCi = src.ci ? nodeFromCi(src.ci, src.engines) : undefined;
  if (fromCi) return fromCi;
  if (src.engines) {
    const fromRange = nodeFromRange(src.engines);
    if (fromRange) return fromRange;
    return { version: String(DEFAULT_NODE_MAJOR), note: `engines.node "${src.engines}" could not be read; using Node ${DEFAULT_NODE_MAJOR}` };
  }
  return { version: String(DEFAULT_NODE_MAJOR), note: `no engines.node, .nvmrc or .node-version; using Node ${DEFAULT_NODE_MAJOR}` };
}

export function nodeMajor(version: string): number {
  return Number(version.split(".")[0]);
}
