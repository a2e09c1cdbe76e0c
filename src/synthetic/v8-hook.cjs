// LegoFactory: preloaded (NODE_OPTIONS=--require) into every Node process of a V8 coverage run.
// Plain CommonJS with no dependencies: it runs inside the repository's sandbox, in whatever Node it has.
//  1. Test runners that transform sources themselves (vitest through vite, vite-node) compile the
//     transformed code with `vm`; V8's offsets then point into that code, not into the file on disk.
//     Each such script under the repository (not node_modules) is written to $LEGO_V8_SCRIPTS so the
//     reader can map the offsets back through the script's inline source map.
//  2. Node writes NODE_V8_COVERAGE only on a normal exit; a worker process stopped with SIGTERM
//     (vitest's and tinypool's forks) writes nothing. On SIGTERM/SIGINT the coverage is taken first,
//     then the signal is raised again with its default action (unless the program handles it).
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");
const v8 = require("v8");

const dir = process.env.LEGO_V8_SCRIPTS;
const root = process.env.LEGO_V8_ROOT || process.cwd();
let count = 0;

function filenameOf(options) {
  if (typeof options === "string") return options;
  return options && typeof options.filename === "string" ? options.filename : null;
}

function record(code, options) {
  try {
    const name = filenameOf(options);
    if (!dir || typeof code !== "string" || !name) return;
    const file = name.startsWith("file://") ? decodeURIComponent(new URL(name).pathname) : name;
    if (!path.isAbsolute(file)) return;
    const rel = path.relative(root, file);
    if (rel.startsWith("..") || rel.split(path.sep).includes("node_modules")) return;
    fs.mkdirSync(dir, { recursive: true });
    const o = typeof options === "object" && options ? options : {};
    const entry = { file, code, lineOffset: o.lineOffset || 0, columnOffset: o.columnOffset || 0 };
    fs.writeFileSync(path.join(dir, `${process.pid}-${require("worker_threads").threadId}-${count++}.json`), JSON.stringify(entry));
  } catch {
    // Recording is best effort: the test run itself must never notice.
  }
}

function wrap(name, optionsAt) {
  const original = vm[name];
  if (typeof original !== "function") return;
  vm[name] = function (code, ...rest) {
    record(code, rest[optionsAt]);
    return original.call(this, code, ...rest);
  };
}

wrap("runInThisContext", 0);
wrap("runInContext", 1);
wrap("runInNewContext", 1);
wrap("compileFunction", 1);
const OriginalScript = vm.Script;
vm.Script = class Script extends OriginalScript {
  constructor(code, options) {
    record(code, options);
    super(code, options);
  }
};
try {
  require("module").syncBuiltinESMExports();
} catch {}

if (process.env.NODE_V8_COVERAGE && typeof v8.takeCoverage === "function" && require("worker_threads").isMainThread) {
  for (const signal of ["SIGTERM", "SIGINT"]) {
    const onSignal = () => {
      try {
        v8.takeCoverage();
      } catch {}
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.once(signal, onSignal);
  }
}
