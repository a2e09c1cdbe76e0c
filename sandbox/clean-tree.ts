// A task's working tree holds what is tracked at its base commit and what the install put there,
// nothing else. Environment images are shared by every task whose dependency files hash alike,
// so build outputs (dist/, compiled extensions, generated files) made at one commit would
// otherwise be run by a task at another.
import { shQuote as q } from "./quote.js";

/** Paths the dependency install owns inside the repository, at any depth; everything else untracked goes. */
export const INSTALL_OUTPUTS = ["node_modules", "*.egg-info", ".pnp.cjs", ".pnp.loader.mjs", ".yarn/cache", ".yarn/unplugged", ".yarn/install-state.gz"] as const;

/**
 * Files the image's install wrote into the repository that the code imports and no commit tracks
 * (a VCS version file a build backend writes, `src/pkg/_version.py`): one `/path` per line,
 * relative to /repo, written by the install (src/environment/python.ts), kept by every clean.
 */
export const KEEP_FILE = "/etc/lego-keep";

const EXCLUDES = INSTALL_OUTPUTS.map((p) => `-e ${q(p)}`).join(" ");

/** POSIX shell: `set --` to the `-e /path` arguments for the image's KEEP_FILE (none without one). */
const KEEP_ARGS = `set --; if [ -f ${KEEP_FILE} ]; then while IFS= read -r lego_keep || [ -n "$lego_keep" ]; do [ -z "$lego_keep" ] || set -- "$@" -e "$lego_keep"; done < ${KEEP_FILE}; fi`;

/** Bash, run in the repository: removes every untracked and ignored file except the install's. */
export function cleanTreeScript(): string {
  return `${KEEP_ARGS}; git clean -ffdxq ${EXCLUDES} "$@"`;
}

/** Bash lines for a check script: a PROBLEM line naming files that are neither tracked nor the install's. */
export function leftoverCheckScript(): string {
  return `${KEEP_ARGS}
left=$(git clean -ndx ${EXCLUDES} "$@" 2>/dev/null | sed 's/^Would remove //' | head -5)
[ -z "$left" ] || echo "PROBLEM: files not tracked at the base commit (left by another commit's build?): $(echo $left)"`;
}
