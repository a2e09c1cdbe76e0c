// pytest's JUnit XML report (`--junitxml`, xunit1 family so each case names its file) → the
// same ids pytest prints (`tests/test_x.py::TestC::test_y[param]`).
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { RunBuilder } from "./run-builder.js";
import type { ParsedRun, TestStatus } from "./types.js";

type Node = Record<string, unknown>;

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", isArray: (name) => name === "testsuite" || name === "testcase" });

export function parseJunitXml(text: string): ParsedRun {
  const run = new RunBuilder();
  if (!text.trim()) {
    run.note("the JUnit report is empty");
    return run.build();
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    run.note(`the JUnit report is truncated or malformed: ${valid.err.msg} (line ${valid.err.line})`);
    run.truncated = true;
    return run.build();
  }
  let doc: Node;
  try {
    doc = parser.parse(text) as Node;
  } catch (e) {
    // The validator passes some documents the parser refuses (a processing instruction it cannot close).
    run.note(`the JUnit report is malformed: ${(e as Error).message}`);
    run.truncated = true;
    return run.build();
  }
  const root = (doc.testsuites ?? doc) as Node;
  const suites = (root.testsuite ?? []) as Node[];
  let counted = 0;
  for (const suite of suites) {
    for (const c of (suite.testcase ?? []) as Node[]) {
      const id = idOf(c);
      if (id) run.set(id, statusOf(c));
    }
    const n = Number(suite["@tests"]);
    if (Number.isFinite(n)) counted += n;
  }
  if (suites.length > 0) run.ran = true;
  const statuses = Object.values(run.statuses);
  run.summary = { passed: statuses.filter((s) => s === "PASSED").length, failed: statuses.filter((s) => s === "FAILED" || s === "ERROR").length, skipped: statuses.filter((s) => s === "SKIPPED" || s === "XFAIL").length };
  if (counted > Object.keys(run.statuses).length) run.note(`the JUnit report counts ${counted} tests but lists ${Object.keys(run.statuses).length}`);
  return run.build();
}

function idOf(c: Node): string | null {
  const name = String(c["@name"] ?? "");
  const classname = String(c["@classname"] ?? "");
  const file = typeof c["@file"] === "string" ? (c["@file"] as string) : null;
  if (!name) return null;
  // A collection error: no class, the module's dotted name as the test's name.
  if (!classname) return file ?? `${name.replace(/\./g, "/")}.py`;
  const path = file ?? `${classname.split(".").filter((p) => !/^[A-Z]/.test(p)).join("/")}.py`;
  const module = path.replace(/\.py$/, "").replace(/\//g, ".");
  const inner = classname === module ? [] : classname.startsWith(`${module}.`) ? classname.slice(module.length + 1).split(".") : [];
  return [path, ...inner, name].join("::");
}

function statusOf(c: Node): TestStatus {
  if (c.error !== undefined) return "ERROR";
  if (c.failure !== undefined) return "FAILED";
  if (c.skipped !== undefined) {
    const type = String((c.skipped as Node | string)?.constructor === Object ? ((c.skipped as Node)["@type"] ?? "") : "");
    return type === "pytest.xfail" ? "XFAIL" : "SKIPPED";
  }
  return "PASSED";
}
