// Why an environment build failed, in terms a user can act on. Pure: log text in, class out.
// The class names the cause the user should fix first; `signals` lists every cause the log
// shows, so a fallback is tried wherever the failure happened (a lifecycle script that died on a
// socket error is both a failed script and a network failure).
export type BuildFailureClass =
  | "network"
  | "tls"
  | "lockfile"
  | "lifecycle-script"
  | "python-version"
  | "dependency-resolution"
  | "missing-compiler"
  | "compilation"
  | "timeout"
  | "unknown";

// The order is the order of precedence for the class; every match is a signal.
const rules: [BuildFailureClass, RegExp, string][] = [
  [
    "tls",
    /unable to get local issuer certificate|self[- ]signed certificate|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_HAS_EXPIRED|ERR_TLS_CERT_ALTNAME_INVALID|SSL: CERTIFICATE_VERIFY_FAILED|certificate verify failed|SSLError\(|server certificate verification failed/i,
    "a TLS certificate was not trusted (a proxy's CA missing from the image, or a registry's certificate problem)",
  ],
  [
    "network",
    /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ERR_SOCKET_CLOSED_BEFORE_CONNECTION|ERR_SOCKET_CONNECTION_TIMEOUT|UND_ERR_CONNECT_TIMEOUT|ERR_SOCKET_CLOSED)\b|Temporary failure in name resolution|Could not resolve host|Failed to establish a new connection|NewConnectionError|network is unreachable|getaddrinfo|Failed to fetch|Unable to connect to|socket hang up|Connection refused|lego: no package index reachable|too many 50\d error responses|Read timed out/i,
    "a download failed: the network or a registry was unreachable",
  ],
  [
    "lockfile",
    /lockfile needs to be updated|frozen-lockfile|Your lockfile needs to be updated|ERR_PNPM_OUTDATED_LOCKFILE|ERR_PNPM_LOCKFILE_CONFIG_MISMATCH|The lockfile would have been modified by this install|`npm ci` can only install packages when your package\.json and package-lock\.json|Missing: \S+ from lock file|Invalid: lock file's|pnpm-lock\.yaml is not up to date|poetry\.lock.*(not consistent|out of date)/i,
    "the lockfile does not match package.json (or cannot be installed as it is)",
  ],
  [
    "lifecycle-script",
    /\bELIFECYCLE\b|npm (ERR!|error) command failed|(pre|post)?install script|^\s*Exit code: \d+\s*$|lifecycle script|ERR_PNPM_LIFECYCLE|YN0009/i,
    "a package's install (lifecycle) script failed",
  ],
  [
    "python-version",
    /requires a different Python|Requires-Python|lego: requires-python .* no interpreter here satisfies it|is not a supported wheel on this platform|No interpreter found for Python/i,
    "no available Python satisfies the project's requires-python",
  ],
  [
    "dependency-resolution",
    /\bERESOLVE\b|Could not resolve dependency|No matching version found|\bETARGET\b|\bE404\b|404 Not Found - GET|Could not find a version that satisfies|No matching distribution found|ResolutionImpossible|conflicting dependencies|Cannot install .* because these package versions have conflicting|ERR_PNPM_NO_MATCHING_VERSION|ERR_PNPM_FETCH_404|Couldn't find any versions for|is not in the npm registry|No solution found when resolving|YN0016|YN0035|Registry failed to return reference/i,
    "the dependencies could not be resolved from the registry",
  ],
  [
    "missing-compiler",
    /error: command '[^']*' failed: No such file or directory|(gcc|g\+\+|cc|c\+\+|make|cmake|rustc|cargo): (command )?not found|fatal error: [\w/.+-]+\.h: No such file|gyp ERR! find Python|unable to execute '[^']*': No such file|Could not find compiler|Microsoft Visual C\+\+ .* is required|can't find Rust compiler|pkg-config: not found|No CMAKE_C_COMPILER could be found/i,
    "a compiler, build tool or C header the install needs is missing from the image",
  ],
  [
    "compilation",
    /gyp ERR!|node-gyp|error: command '.*(gcc|g\+\+|cc)' failed|collect2: error|error TS\d{4}:|Failed building wheel|subprocess-exited-with-error|make: \*\*\*|compilation terminated/i,
    "a native module or build step did not compile",
  ],
];

/** What the user can set in `.github/lego.yml` to get past each class. */
const HINTS: Record<BuildFailureClass, string> = {
  network: "if the registry is only reachable through a mirror, set LEGO_PIP_INDEX_URL / npm_config_registry; or give sandbox.install commands that work offline, or a prepared sandbox.image",
  tls: "put the proxy's CA in the host bundle before building the base image (deploy/build-base-image.sh), or set sandbox.image to an image that trusts it",
  lockfile: "commit a lockfile that matches package.json, or set sandbox.install (e.g. `npm install`)",
  "lifecycle-script": "set sandbox.install to install without scripts (e.g. `npm ci --ignore-scripts`) plus the build step the tests need",
  "python-version": "set sandbox.image to an image with a Python that satisfies requires-python (or provide uv so it can fetch one)",
  "dependency-resolution": "pin versions that exist together, or set sandbox.install to the commands that install this project",
  "missing-compiler": "set sandbox.image to an image with the compiler and headers, or sandbox.install to add them (apt-get install …)",
  compilation: "set sandbox.install to skip or fix the native build, or sandbox.image to an image with prebuilt dependencies",
  timeout: "set sandbox.install to a faster install, or sandbox.image to a prepared image",
  unknown: "set sandbox.install, sandbox.testCmd or sandbox.image in .github/lego.yml",
};

export interface BuildFailure {
  class: BuildFailureClass;
  reason: string;
  /** The log line that decided it, for the user to search for. */
  evidence?: string;
  /** Every class the log shows (the class first); fallbacks are chosen from these. */
  signals?: BuildFailureClass[];
  /** What to set in `.github/lego.yml`. */
  hint?: string;
}

export function failureHint(cls: BuildFailureClass): string {
  return HINTS[cls];
}

/**
 * Lines that name what failed, preferred as evidence over the first line of the class
 * (`npm error code E404` says nothing; the GET line names the package and version).
 */
const DETAIL: Partial<Record<BuildFailureClass, RegExp>> = {
  "dependency-resolution": /404 Not Found - GET \S+|No matching version found for \S+|Could not find a version that satisfies the requirement \S+|No matching distribution found for \S+|Could not resolve dependency|is not in the npm registry/i,
};

export function classifyBuildFailure(log: string, timedOut: boolean): BuildFailure {
  const lines = log.split("\n");
  const matches: { cls: BuildFailureClass; reason: string; line: string }[] = [];
  for (const [cls, re, reason] of rules) {
    const first = lines.find((l) => re.test(l));
    const detail = DETAIL[cls];
    const line = first !== undefined && detail ? (lines.find((l) => detail.test(l)) ?? first) : first;
    if (line !== undefined) matches.push({ cls, reason, line });
  }
  const signals = matches.map((m) => m.cls);
  if (timedOut) return { class: "timeout", reason: "the install did not finish within its time limit", signals: ["timeout", ...signals], hint: HINTS.timeout };
  const first = matches[0];
  if (first) return { class: first.cls, reason: first.reason, evidence: first.line.trim().slice(0, 300), signals, hint: HINTS[first.cls] };
  const last = lines.map((l) => l.trim()).filter(Boolean).slice(-1)[0];
  return { class: "unknown", reason: "the install command failed", ...(last ? { evidence: last.slice(0, 300) } : {}), signals: [], hint: HINTS.unknown };
}
