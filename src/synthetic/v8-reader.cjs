// LegoFactory: the V8 coverage of one test run → the repository lines of the functions that ran.
// Plain CommonJS with no dependencies: it runs inside the repository's sandbox, in whatever Node it
// has (`node v8-reader.cjs COVERAGE_DIR ROOT [SCRIPTS_DIR]`, JSON on stdout), and the unit tests
// require it for `mapCoverage`, the pure part.
// V8 reports character offsets into the code it compiled. That code is the file on disk for plain
// JavaScript; for TypeScript or anything a runner transforms it is not, and the offsets are mapped
// back through the code's source map:
//  - vitest (vite, vite-node) compiles its transformed modules with `vm`; v8-hook.cjs records that
//    code (with its inline source map and the wrapper's line/column offsets) in SCRIPTS_DIR;
//  - Node's own loaders (tsx, ts-node, anything with a sourceMappingURL) keep the map in the
//    coverage file's `source-map-cache`, with the compiled code's line lengths.
// Transformed code without a map counts when its lines are the file's (`esm`: a wrapper on the first
// and after the last line). A script none of these explains and whose length differs from the file
// on disk is left out: its offsets would land on the wrong lines.
"use strict";
const fs = require("fs");
const path = require("path");
const { fileURLToPath } = require("url");

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Source map v3 `mappings` → per generated line, [column, source, original line] sorted by column. */
function decodeMappings(mappings) {
  const lines = [];
  let source = 0, origLine = 0, origCol = 0, name = 0;
  for (const lineText of String(mappings).split(";")) {
    const segments = [];
    let col = 0;
    for (const seg of lineText.split(",")) {
      if (!seg) continue;
      const values = [];
      let value = 0, shift = 0;
      for (const ch of seg) {
        const digit = B64.indexOf(ch);
        if (digit < 0) break;
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      if (values.length === 0) continue;
      col += values[0];
      if (values.length >= 4) {
        source += values[1];
        origLine += values[2];
        origCol += values[3];
        if (values.length >= 5) name += values[4];
        segments.push([col, source, origLine]);
      }
    }
    segments.sort((a, b) => a[0] - b[0]);
    lines.push(segments);
  }
  return lines;
}

/** The inline source map of compiled code (the last sourceMappingURL comment), or null. */
function inlineSourceMap(code) {
  const re = /\/\/[#@] sourceMappingURL=data:application\/json[^,]*?(;base64)?,([^\s]+)/g;
  let match = null;
  for (let m = re.exec(code); m; m = re.exec(code)) match = m;
  if (!match) return null;
  try {
    const text = match[1] ? Buffer.from(match[2], "base64").toString("utf8") : decodeURIComponent(match[2]);
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * Compiled code without a map whose lines are the file's: a transform that keeps every line where
 * it was (the `esm` loader puts its wrapper on the first line and after the last). Most of the
 * file's non-empty lines after the first must sit unchanged at the same line of the code.
 */
function lineAligned(code, text) {
  if (typeof text !== "string") return false;
  const compiled = code.split("\n");
  const lines = text.split("\n");
  let nonEmpty = 0, same = 0;
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    nonEmpty++;
    if (compiled[i] === lines[i]) same++;
  }
  return nonEmpty > 0 && same / nonEmpty >= 0.8;
}

function lineStartsOfText(text) {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function lineStartsOfLengths(lengths) {
  const starts = [0];
  for (const n of lengths) starts.push(starts[starts.length - 1] + n + 1);
  return starts;
}

/** offset → [line, column], both from 0. */
function positionAt(starts, offset) {
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return [lo, offset - starts[lo]];
}

function filePathOf(url) {
  if (typeof url !== "string") return null;
  if (url.startsWith("file://")) {
    try {
      return fileURLToPath(url);
    } catch {
      return null;
    }
  }
  return path.isAbsolute(url) ? url : null;
}

/** The repository-relative path of a file, or null outside it or under node_modules. */
function relativeTo(root, file) {
  const rel = path.relative(root, file);
  if (!rel || rel.startsWith("..") || path.isAbsolute(rel) || rel.split(path.sep).includes("node_modules")) return null;
  return rel.split(path.sep).join("/");
}

/** A source of a map → absolute path: file URLs, paths on disk, vite's root-relative "/src/x.ts", or relative to the script. */
function resolveSource(source, map, scriptFile, root, exists) {
  const withRoot = map.sourceRoot ? `${String(map.sourceRoot).replace(/\/$/, "")}/${source}` : source;
  for (const candidate of [source, withRoot]) {
    if (candidate.startsWith("file://")) return filePathOf(candidate);
  }
  if (path.isAbsolute(withRoot)) {
    if (exists(withRoot)) return withRoot;
    return path.join(root, withRoot);
  }
  return path.resolve(path.dirname(scriptFile), withRoot);
}

/**
 * Pure: coverage objects (NODE_V8_COVERAGE files, parsed), the scripts v8-hook.cjs recorded, the
 * repository root and two readers → { files: { rel: [lines] }, skipped: { reason: count } }.
 * A function counts when it ran (its first range's count > 0): all of its lines, as its code maps
 * back to the repository's files. The module body (the script's top level or the runner's wrapper
 * around it) is not a function a test calls and is left out.
 */
function mapCoverage(coverages, scripts, root, io) {
  const recorded = new Map();
  for (const s of scripts) if (s && typeof s.code === "string" && typeof s.file === "string") recorded.set(`${s.file}\0${s.code.length}`, s);
  const files = new Map();
  const skipped = {};
  const skip = (reason) => (skipped[reason] = (skipped[reason] || 0) + 1);
  const add = (rel, from, to) => {
    let set = files.get(rel);
    if (!set) files.set(rel, (set = new Set()));
    for (let l = from; l <= to; l++) set.add(l);
  };
  const texts = new Map();
  const textOf = (file) => {
    if (!texts.has(file)) texts.set(file, io.readText(file));
    return texts.get(file);
  };
  for (const coverage of coverages) {
    const cache = (coverage && coverage["source-map-cache"]) || {};
    for (const script of (coverage && coverage.result) || []) {
      const file = filePathOf(script.url);
      if (!file || relativeTo(root, file) === null) continue;
      const functions = script.functions || [];
      const length = Math.max(0, ...functions.filter((f) => f.ranges[0].startOffset === 0).map((f) => f.ranges[0].endOffset));
      const own = recorded.get(`${file}\0${length}`);
      let starts = null, map = null, lineOffset = 0, columnOffset = 0, wrapped = false;
      if (own) {
        starts = lineStartsOfText(own.code);
        map = inlineSourceMap(own.code);
        lineOffset = own.lineOffset || 0;
        columnOffset = own.columnOffset || 0;
        if (!map && own.code !== textOf(file)) {
          if (!lineAligned(own.code, textOf(file))) {
            skip("transformed without a source map");
            continue;
          }
          wrapped = true;
        }
      } else if (cache[script.url] && cache[script.url].data && Array.isArray(cache[script.url].lineLengths)) {
        starts = lineStartsOfLengths(cache[script.url].lineLengths);
        map = cache[script.url].data;
      } else {
        const text = textOf(file);
        if (text === null) {
          skip("source unreadable");
          continue;
        }
        if (text.length !== length) {
          skip("compiled code differs from the file");
          continue;
        }
        starts = lineStartsOfText(text);
      }
      if (!map) {
        // The file's own code, or code whose lines are the file's (a module wrapper around them).
        const lastLine = positionAt(starts, length)[0];
        for (const fn of functions) {
          const r = fn.ranges[0];
          if (r.count <= 0 || (r.startOffset === 0 && !fn.functionName)) continue;
          const from = positionAt(starts, r.startOffset)[0];
          const to = positionAt(starts, r.endOffset)[0];
          if (wrapped && from === 0 && to >= lastLine - 1) continue; // the transform's wrapper around the module body
          add(relativeTo(root, file), from + 1, to + 1);
        }
        continue;
      }
      const lines = decodeMappings(map.mappings);
      const sources = (map.sources || []).map((s) => {
        const abs = s == null ? null : resolveSource(String(s), map, file, root, io.exists);
        return abs ? relativeTo(root, abs) : null;
      });
      const mapPosition = (offset) => {
        const [line, col] = positionAt(starts, offset);
        return [line + lineOffset, line === 0 ? col + columnOffset : col];
      };
      let mapped = false;
      for (const fn of functions) {
        const r = fn.ranges[0];
        if (r.count <= 0 || r.startOffset === 0) continue;
        const [sl, sc] = mapPosition(r.startOffset);
        if (sl < 0 || sc < 0) continue; // starts in the runner's wrapper: the module body
        const [el, ec] = mapPosition(r.endOffset);
        const span = new Map();
        for (let l = Math.max(sl, 0); l <= el && l < lines.length; l++) {
          for (const [col, source, origLine] of lines[l]) {
            if ((l === sl && col < sc) || (l === el && col >= ec)) continue;
            const rel = sources[source];
            if (rel == null) continue;
            const s = span.get(rel);
            if (!s) span.set(rel, [origLine, origLine]);
            else {
              s[0] = Math.min(s[0], origLine);
              s[1] = Math.max(s[1], origLine);
            }
          }
        }
        for (const [rel, [from, to]] of span) {
          add(rel, from + 1, to + 1);
          mapped = true;
        }
      }
      if (!mapped && functions.some((f) => f.ranges[0].count > 0 && f.ranges[0].startOffset > 0)) skip("no function maps to a repository file");
    }
  }
  const out = {};
  for (const [rel, set] of files) out[rel] = [...set].sort((a, b) => a - b);
  return { files: out, skipped };
}

function readJsonFiles(dir) {
  const out = [];
  let names = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    try {
      out.push(JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")));
    } catch {}
  }
  return out;
}

if (require.main === module) {
  const [dir, root, scriptsDir] = process.argv.slice(2);
  const result = mapCoverage(readJsonFiles(dir), scriptsDir ? readJsonFiles(scriptsDir) : [], path.resolve(root), {
    readText: (file) => {
      try {
        return fs.readFileSync(file, "utf8");
      } catch {
        return null;
      }
    },
    exists: (file) => fs.existsSync(file),
  });
  process.stdout.write(JSON.stringify(result));
}

module.exports = { mapCoverage, decodeMappings, inlineSourceMap, lineAligned };
