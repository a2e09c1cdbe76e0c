// A PEP 503 "simple" package index over real HTTP, serving wheels the test builds from tiny
// packages (make_wheel.py) plus `legobackend`, a real PEP 517/660 build backend. pip and uv
// talk to it as they would to PyPI: /simple/<name>/ pages of links with #sha256 fragments.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

export interface WheelSpec {
  name: string;
  version: string;
  requires?: string[];
  files?: Record<string, string>;
  requires_python?: string;
}

const HERE = path.dirname(new URL(import.meta.url).pathname);

/** PEP 503 normalisation. */
export function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

/** Builds a wheel into `dir` with the host's Python (any 3.x); returns its path. */
export function buildWheel(dir: string, spec: WheelSpec): string {
  mkdirSync(dir, { recursive: true });
  return execFileSync("python3", [path.join(HERE, "make_wheel.py"), JSON.stringify(spec), dir], { encoding: "utf8" }).trim();
}

/** The `legobackend` build backend as a wheel. */
export function buildBackendWheel(dir: string): string {
  return buildWheel(dir, { name: "legobackend", version: "1.0", files: { "legobackend.py": readFileSync(path.join(HERE, "legobackend.py"), "utf8") } });
}

export interface PypiDouble {
  /** The simple index URL, as reachable from `host` given at start. */
  url: string;
  port: number;
  /** Request paths in arrival order. */
  requests: string[];
  /** Project names (normalised) whose pages answer 500. */
  failing: Set<string>;
  close(): Promise<void>;
}

export async function startPypiDouble(wheelDir: string, opts: { host?: string; listen?: string } = {}): Promise<PypiDouble> {
  const requests: string[] = [];
  const failing = new Set<string>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    requests.push(url.pathname);
    const wheels = readdirSync(wheelDir).filter((f) => f.endsWith(".whl"));
    const simple = /^\/simple\/([^/]+)\/?$/.exec(url.pathname);
    if (url.pathname === "/simple/" || url.pathname === "/simple") {
      const names = [...new Set(wheels.map((w) => normalize(w.split("-")[0] ?? "")))].sort();
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<!DOCTYPE html><html><body>${names.map((n) => `<a href="/simple/${n}/">${n}</a>`).join("\n")}</body></html>`);
      return;
    }
    if (simple) {
      const name = normalize(decodeURIComponent(simple[1] ?? ""));
      if (failing.has(name)) {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end("internal error");
        return;
      }
      const files = wheels.filter((w) => normalize(w.split("-")[0] ?? "") === name);
      if (files.length === 0) {
        res.writeHead(404, { "content-type": "text/plain" });
        res.end("not found");
        return;
      }
      const links = files.map((f) => {
        const sha = createHash("sha256").update(readFileSync(path.join(wheelDir, f))).digest("hex");
        return `<a href="/files/${encodeURIComponent(f)}#sha256=${sha}">${f}</a>`;
      });
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<!DOCTYPE html><html><body>\n${links.join("<br/>\n")}\n</body></html>`);
      return;
    }
    const file = /^\/files\/([^/]+\.whl)$/.exec(url.pathname);
    if (file && wheels.includes(decodeURIComponent(file[1] ?? ""))) {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end(readFileSync(path.join(wheelDir, decodeURIComponent(file[1] ?? ""))));
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found");
  });
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, opts.listen ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host ?? "127.0.0.1"}:${port}/simple`,
    port,
    requests,
    failing,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
