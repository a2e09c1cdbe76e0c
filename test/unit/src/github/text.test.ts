import { describe, expect, it } from "vitest";
import { renderNoCandidateComment } from "../../../../src/github/text/no-candidate-comment.js";
import { type PrBodyInput, renderPrBody } from "../../../../src/github/text/pr-body.js";
import { type PrMeta, parsePrMeta } from "../../../../src/github/text/pr-meta.js";
import { type ProgressState, renderProgressComment } from "../../../../src/github/text/progress-comment.js";

const meta: PrMeta = {
  version: 1,
  attemptId: 42,
  issue: 7,
  chosenRolloutId: "rollout-7-2",
  siblingRolloutIds: ["rollout-7-0", "rollout-7-1", "rollout-7-3"],
  headSha: "0123456789abcdef0123456789abcdef01234567",
};

const input: PrBodyInput = {
  issueNumber: 7,
  summary: "Guard `parse()` against empty input: it returned `None` and the caller crashed.",
  changedFiles: [
    { path: "src/parse.py", additions: 3, deletions: 1 },
    { path: "src/odd|name.py", additions: 1, deletions: 0 },
  ],
  tests: { command: "pytest tests/test_parse.py", passed: ["tests/test_parse.py::test_empty", "tests/test_parse.py::test_basic"], failed: [] },
  rollouts: [
    { index: 0, outcome: "unresolved", score: 0.41 },
    { index: 1, outcome: "cheated", score: null, dropped: "the patch edits tests" },
    { index: 2, outcome: "resolved", score: 0.9123 },
    { index: 3, outcome: "infra-error", score: null, dropped: "the sandbox failed: image_missing" },
  ],
  chosen: { index: 2, score: 0.9123 },
  runnerUp: { index: 0, score: 0.41 },
  meta,
};

function lines(text: string): string[] {
  return text.split("\n");
}

describe("renderPrBody", () => {
  const body = renderPrBody(input);

  it("closes the issue on merge and says it is a candidate", () => {
    expect(lines(body)[0]).toBe("Fixes #7");
    expect(body).toMatch(/> A candidate fix written by LegoFactory: the best of 4 automated attempts, chosen by a verifier model\./);
  });

  it("has the sections in order", () => {
    const at = ["## What changed", "## Evidence", "## Commands", "<!-- lego:meta "].map((h) => body.indexOf(h));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it("says what changed, file by file", () => {
    expect(body).toContain("Guard `parse()` against empty input");
    expect(lines(body)).toContain("| `src/parse.py` | +3 −1 |");
    expect(lines(body)).toContain("| `src/odd\\|name.py` | +1 −0 |");
  });

  it("shows the tests run and their results", () => {
    expect(body).toContain("**Tests:** `pytest tests/test_parse.py`: 2 passed, 0 failed.");
    expect(body).toContain("<details><summary>Passed (2)</summary>");
    expect(lines(body)).toContain("- `tests/test_parse.py::test_empty`");
    expect(body).not.toContain("Failed:");
  });

  it("tabulates every rollout with chosen, runner-up and drop reasons", () => {
    const table = lines(body).filter((l) => /^\| \d+ \|/.test(l));
    expect(table).toEqual([
      "| 0 | unresolved | 0.410 | runner-up |",
      "| 1 | cheated | — | the patch edits tests |",
      "| 2 | resolved | 0.912 | **chosen** |",
      "| 3 | infra-error | — | the sandbox failed: image_missing |",
    ]);
    expect(body).toContain("**Rollouts:** 4 tried, 2 qualified");
    expect(body).toContain("**Chosen:** rollout 2 with verifier P(YES) 0.912; runner-up: rollout 0 at 0.410.");
  });

  it("lists the commands", () => {
    for (const command of ["`/lego retry [k=N]`", "`/lego explain`", "`/lego stop`", "`/lego help`"]) {
      expect(lines(body).some((l) => l.startsWith(`- ${command}:`))).toBe(true);
    }
  });

  it("parses its metadata back", () => {
    expect(parsePrMeta(body)).toEqual(meta);
  });

  it("handles no tests, failures, no runner-up and an unscored choice", () => {
    const text = renderPrBody({
      ...input,
      tests: { command: "npm test", passed: [], failed: Array.from({ length: 53 }, (_, i) => `suite > case ${i}`) },
      runnerUp: null,
      chosen: { index: 2, score: null },
    });
    expect(text).toContain("**Tests:** `npm test`: 0 passed, 53 failed.");
    expect(text).toContain("- `suite > case 49`");
    expect(text).not.toContain("- `suite > case 50`");
    expect(text).toContain("- … and 3 more");
    expect(text).toContain("**Chosen:** rollout 2 with verifier P(YES) —; no other rollout qualified.");
    expect(renderPrBody({ ...input, tests: null })).toContain("**Tests:** none were run for this candidate");
  });

  it("defuses the agent's summary: no hidden markup, mentions or closing references", () => {
    const text = renderPrBody({
      ...input,
      summary: 'Thanks @octocat! This also closes #12.<!-- lego:meta {"version":1} -->\n\n```py\n@decorator\n```\nSee `a#1`.',
    });
    expect(text).toContain("Thanks @&#8203;octocat! This also closes #&#8203;12.");
    expect(text).toContain("```py\n@decorator\n```");
    expect(text).toContain("See `a#1`.");
    expect(text.match(/lego:meta/g)).toHaveLength(1);
    expect(parsePrMeta(text)).toEqual(meta);
  });

  it("refuses metadata that would not parse back", () => {
    expect(() => renderPrBody({ ...input, meta: { ...meta, headSha: "not-a-sha" } })).toThrow();
  });
});

describe("parsePrMeta", () => {
  const body = renderPrBody(input);
  const block = /<!-- lego:meta [^\n]*-->/.exec(body)?.[0] ?? "";

  const cases: [string, string, PrMeta | null][] = [
    ["the rendered body", body, meta],
    ["edits around it", `Edited by a maintainer.\n\n${block}\n\nMore notes.`, meta],
    ["extra whitespace inside the comment", block.replace("<!-- lego:meta ", "<!--   lego:meta\n").replace(" -->", "\n-->"), meta],
    ["no metadata", "Fixes #7\n\nsomething", null],
    ["broken JSON", block.replace('"attemptId":42', '"attemptId":42,,'), null],
    ["an extra key", block.replace('"version":1', '"version":1,"admin":true'), null],
    ["a wrong type", block.replace('"issue":7', '"issue":"7"'), null],
    ["an unknown version", block.replace('"version":1', '"version":2'), null],
    ["a bad sha", block.replace(meta.headSha, "zzzz"), null],
    ["the chosen rollout among its siblings", block.replace('"rollout-7-0"', '"rollout-7-2"'), null],
    ["two blocks", `${block}\n${block}`, null],
    ["an unterminated block", block.replace(" -->", ""), null],
  ];
  it.each(cases)("%s", (_name, text, expected) => {
    expect(parsePrMeta(text)).toEqual(expected);
  });

  it("keeps ids that look like markup inside the comment", () => {
    const tricky = { ...meta, chosenRolloutId: "a-->b<!--c" };
    const text = renderPrBody({ ...input, meta: tricky });
    expect(text).not.toContain("a-->b");
    expect(parsePrMeta(text)).toEqual(tricky);
  });
});

describe("renderProgressComment", () => {
  const base = { issueNumber: 7, k: 3 };
  const rollouts: ProgressState["rollouts"] = [
    { index: 0, status: "finished", turns: 31, outcome: "patch", score: 0.8 },
    { index: 1, status: "running", turns: 12 },
    { index: 2, status: "failed", note: "sandbox_timeout: ran past 600 s, ask @admin" },
  ];
  const cases: [string, ProgressState, RegExp][] = [
    ["queued", { ...base, phase: "queued", rollouts: [] }, /⏳ Queued: 3 rollouts will start when a worker is free\./],
    ["running", { ...base, phase: "running", rollouts }, /🔧 Running 3 rollouts: 2 of 3 finished\./],
    ["verifying", { ...base, phase: "verifying", rollouts }, /🔍 Verifying/],
    ["opened", { ...base, phase: "opened", rollouts, prNumber: 9, chosen: { index: 0, score: 0.8 } }, /✅ Opened #9 with rollout 0 \(verifier P\(YES\) 0\.800\)\./],
    ["no candidate", { ...base, phase: "no-candidate", rollouts }, /⚠️ No candidate qualified.*`\/lego retry k=N`/],
    ["stopped", { ...base, phase: "stopped", rollouts }, /⏹️ Stopped on request/],
    ["held", { ...base, phase: "held", reason: "no pull request was opened: autofix.maxPrsPerHour is 0", rollouts }, /⏸️ no pull request was opened: autofix\.maxPrsPerHour is 0/],
    ["failed", { ...base, phase: "failed", rollouts, error: "GitHub refused the push" }, /❌ The attempt failed: GitHub refused the push\..*`\/lego retry`/],
  ];

  it.each(cases)("%s", (_name, state, headline) => {
    const text = renderProgressComment(state);
    expect(lines(text)[0]).toBe("**LegoFactory** · fix attempt for #7");
    expect(text).toMatch(headline);
  });

  it("shows per-rollout status, without pinging anyone", () => {
    const text = renderProgressComment({ ...base, phase: "running", rollouts: [...rollouts].reverse() });
    const rows = lines(text).filter((l) => /^\| \d+ \|/.test(l));
    expect(rows).toEqual([
      "| 0 | finished | 31 | patch | 0.800 | — |",
      "| 1 | running | 12 | — | — | — |",
      "| 2 | failed | — | — | — | sandbox_timeout: ran past 600 s, ask @&#8203;admin |",
    ]);
  });

  it("has no table before any rollout starts", () => {
    expect(renderProgressComment({ ...base, phase: "queued", rollouts: [] })).not.toContain("| Rollout |");
  });
});

describe("renderNoCandidateComment", () => {
  it("explains what was tried, why each failed, and what to do next", () => {
    const text = renderNoCandidateComment({ issueNumber: 7, rollouts: input.rollouts.filter((r) => r.dropped) });
    expect(lines(text)[0]).toBe("### No candidate fix for #7");
    expect(text).toContain("LegoFactory tried 2 rollouts and none qualified, so no pull request was opened.");
    expect(text).toContain("| Rollout | Outcome | Verifier P(YES) | Why it was not used |");
    expect(lines(text)).toContain("| 1 | cheated | — | the patch edits tests |");
    expect(text).toContain("`/lego retry k=8`");
    expect(text).toMatch(/Add detail to the issue/);
  });

  it("blames the sandbox, not the issue, when every rollout was an infra error", () => {
    const text = renderNoCandidateComment({
      issueNumber: 7,
      rollouts: [{ index: 0, outcome: "infra-error", score: null, dropped: "the sandbox failed: docker_unavailable" }],
    });
    expect(text).toContain("tried 1 rollout and none qualified");
    expect(text).toMatch(/Every rollout's sandbox failed, so this says nothing about the issue/);
    expect(text).not.toMatch(/Add detail to the issue/);
  });
});
