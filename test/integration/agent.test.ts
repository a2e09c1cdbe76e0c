// The agent loop against the real Docker engine and the OpenAI-compatible model double: a small
// Python repository with a bug, scripted models that look around, fix it and finish, and the
// ways a rollout ends early.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { assertDockerAvailable, assertImageAvailable, createDocker, Sandbox } from "../../sandbox/index.js";
import { runAgent, type AgentOptions, type Trajectory } from "../../src/agent/index.js";
import { commit, git, writeFiles, type Files } from "../support/fixture-repos.js";
import { startModelDouble, type ChatRequest, type ModelDouble, type Reply } from "../support/model-double.js";
import { TEST_BASE_IMAGE } from "../support/services.js";

const docker = createDocker();
const work = mkdtempSync(path.join(os.tmpdir(), "lego-agent-"));
const repoDir = path.join(work, "repo");
const sandboxes: Sandbox[] = [];
let double: ModelDouble;
let client: OpenAI;

const BUGGY = "def add(a, b):\n    return a - b\n\n\ndef sub(a, b):\n    return a - b\n";
const FIXED = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n";
const PROJECT: Files = {
  ".gitignore": "__pycache__/\n",
  "calc/__init__.py": "",
  "calc/ops.py": BUGGY,
  "tests/test_ops.py": "from calc.ops import add, sub\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\ndef test_sub():\n    assert sub(5, 3) == 2\n",
};
const ISSUE = "`add(2, 3)` returns -1 instead of 5.";

beforeAll(async () => {
  await assertDockerAvailable(docker);
  await assertImageAvailable(docker, TEST_BASE_IMAGE);
  execFileSync("git", ["init", "-q", "-b", "main", repoDir]);
  commit(repoDir, "base", PROJECT);
  double = await startModelDouble();
  client = new OpenAI({ apiKey: "test-key", baseURL: double.baseURL });
});

afterEach(() => double.reset());

afterAll(async () => {
  await Promise.allSettled(sandboxes.map((s) => s.destroy()));
  await double?.close();
  rmSync(work, { recursive: true, force: true });
});

/** A sandbox holding the repository at /repo, created with a variable that must not reach the agent. */
async function sandboxWithRepo(): Promise<Sandbox> {
  const sandbox = await Sandbox.create(docker, {
    image: TEST_BASE_IMAGE,
    limits: { cpus: 1, memoryMb: 512, pids: 256, lifetimeSec: 600 },
    labels: { "org.legofactory.test": "agent-integration" },
    env: { LEGO_TEST_SECRET: "s3cret" },
  });
  sandboxes.push(sandbox);
  await sandbox.copyIn(repoDir, "/repo");
  return sandbox;
}

function options(extra: Partial<AgentOptions> = {}): AgentOptions {
  return { client, model: "swe-lego-test", mode: "tools", user: "rollout-test-1", retry: { baseDelayMs: 10 }, ...extra };
}

/** Answers turn n (counted by the assistant messages already in the request) with replies[n]. */
function scripted(replies: ((request: ChatRequest) => Reply)[]): (request: ChatRequest) => Reply {
  return (request) => {
    const turn = request.messages.filter((m) => m.role === "assistant").length;
    const reply = replies[turn];
    if (!reply) throw new Error(`no scripted reply for turn ${turn}`);
    return reply(request);
  };
}

const call = (name: string, args: unknown): Reply => ({ toolCalls: [{ name, arguments: args }] });
const text = (content: string): Reply => ({ content });
const bash = (command: string) => call("execute_bash", { command });

/** What `git diff` says for the expected fix, computed on the host the same way. */
function expectedPatch(files: Files): string {
  const copy = path.join(work, `expected-${Math.random().toString(16).slice(2)}`);
  cpSync(repoDir, copy, { recursive: true });
  writeFiles(copy, files);
  git(copy, "add", "-A");
  return execFileSync("git", ["diff", "--cached", "--binary", "--full-index", "HEAD"], { cwd: copy, encoding: "utf8" });
}

function stepSummary(t: Trajectory) {
  return t.steps.map((s) => ({ tool: s.action?.tool ?? null, error: s.error, errorKind: s.errorKind, exitCode: s.exitCode }));
}

describe("agent rollouts that fix the bug", () => {
  it("fixes the bug with native tool calls: look around, run tests, edit, think, finish", async () => {
    double.respondWith(
      scripted([
        () => bash("cd calc && ls && (env | grep -q LEGO_TEST_SECRET && echo LEAKED || echo CLEAN)"),
        () => bash("pwd && cd /repo && python3 -m pytest -q 2>&1 | tail -1"),
        () => call("str_replace_editor", { command: "view", path: "/repo/calc/ops.py" }),
        () => call("str_replace_editor", { command: "str_replace", path: "/repo/calc/ops.py", old_str: "return a - b", new_str: "return a + b" }),
        () => call("str_replace_editor", { command: "str_replace", path: "calc/ops.py", old_str: "def add(a, b):\n    return a - b", new_str: "def add(a, b):\n    return a + b" }),
        () => call("think", { thought: "add used subtraction; fixed. Now run the tests." }),
        () => bash("python3 -m pytest -q 2>&1 | tail -1"),
        () => call("str_replace_editor", { command: "create", path: "/repo/NOTES.md", file_text: "add() fixed.\n" }),
        () => call("finish", { message: "Fixed add() to return a + b." }),
      ]),
    );
    const sandbox = await sandboxWithRepo();
    const t = await runAgent(sandbox, { problemStatement: ISSUE }, options());

    expect(t.finishReason).toBe("finish");
    expect(t.finishMessage).toBe("Fixed add() to return a + b.");
    expect(t.turns).toBe(9);
    expect(stepSummary(t)).toEqual([
      { tool: "execute_bash", error: false, errorKind: undefined, exitCode: 0 },
      { tool: "execute_bash", error: false, errorKind: undefined, exitCode: 0 },
      { tool: "str_replace_editor", error: false, errorKind: undefined, exitCode: null },
      { tool: "str_replace_editor", error: true, errorKind: "editor", exitCode: null },
      { tool: "str_replace_editor", error: false, errorKind: undefined, exitCode: null },
      { tool: "think", error: false, errorKind: undefined, exitCode: null },
      { tool: "execute_bash", error: false, errorKind: undefined, exitCode: 0 },
      { tool: "str_replace_editor", error: false, errorKind: undefined, exitCode: null },
      { tool: "finish", error: false, errorKind: undefined, exitCode: null },
    ]);
    const [ls, pwd, view, ambiguous, edit, think, tests] = t.steps;
    expect(ls?.observation).toBe(
      "__init__.py\nops.py\nCLEAN\n[The command completed with exit code 0.]\n[Current working directory: /repo/calc]\n" +
        "[Python interpreter: /usr/bin/python3]\n[Command finished with exit code 0]",
    );
    // The shell kept the cwd of the previous command.
    expect(pwd?.observation).toMatch(/^\/repo\/calc\n.*1 failed, 1 passed/s);
    expect(view?.observation).toBe(
      "Here's the result of running `cat -n` on /repo/calc/ops.py:\n     1\tdef add(a, b):\n     2\t    return a - b\n     3\t\n     4\t\n     5\tdef sub(a, b):\n     6\t    return a - b\n",
    );
    expect(ambiguous?.observation).toBe("ERROR:\nNo replacement was performed. Multiple occurrences of old_str `return a - b` in lines [2, 6]. Please ensure it is unique.");
    expect(edit?.corrected).toEqual(['path: relative "calc/ops.py" resolved to "/repo/calc/ops.py"']);
    expect(edit?.observation).toContain("The file /repo/calc/ops.py has been edited. Here's the result of running `cat -n` on a snippet of /repo/calc/ops.py:\n     1\tdef add(a, b):\n     2\t    return a + b\n");
    expect(think?.observation).toBe("Your thought has been logged.");
    expect(tests?.observation).toMatch(/^2 passed in .*\n\[The command completed with exit code 0\.\]\n\[Current working directory: \/repo\]/);
    expect(t.steps.every((s) => s.tokens.prompt > 0 && s.tokens.completion > 0)).toBe(true);

    expect(t.patch).toBe(expectedPatch({ "calc/ops.py": FIXED, "NOTES.md": "add() fixed.\n" }));
    // The repository's own index was not touched: the fix is still unstaged.
    const status = await sandbox.exec("git -C /repo status --porcelain", { timeoutMs: 10_000 });
    expect(status.stdout).toBe(" M calc/ops.py\n?? NOTES.md\n");

    // Messages are what was sent: system, issue, assistant tool calls and tool results.
    expect(t.messages.map((m) => m.role)).toEqual(["system", "user", ...Array(8).fill(["assistant", "tool"]).flat(), "assistant"]);
    expect(t.messages[1]?.content).toContain(`<issue_description>\n${ISSUE}\n</issue_description>`);
    const requests = double.chatRequests();
    expect(requests).toHaveLength(9);
    expect(requests[0]).toMatchObject({ tool_choice: "auto", user: "rollout-test-1" });
    expect(requests[0]?.tools?.map((tool) => tool.function.name)).toEqual(["execute_bash", "think", "finish", "str_replace_editor"]);
    expect(requests[8]?.messages).toEqual(t.messages.slice(0, -1));
  });

  it("fixes the bug in the text format, tool results going back as user messages", async () => {
    double.respondWith(
      scripted([
        () => text("Let me look at the code first.\n<function=execute_bash>\n<parameter=command>cd /repo/calc && grep -n 'a - b' ops.py</parameter>\n"),
        () => text("<function=browser>\n<parameter=code>goto('x')</parameter>\n</function>"),
        () =>
          text(
            "<function=str_replace_editor>\n<parameter=command>str_replace</parameter>\n<parameter=path>/repo/calc/ops.py</parameter>\n" +
              "<parameter=old_str>\ndef add(a, b):\n    return a - b\n</parameter>\n<parameter=new_str>\ndef add(a, b):\n    return a + b\n</parameter>\n</function>",
          ),
        () => text("I have fixed it."),
        () =>
          text(
            "<function=execute_bash>\n<parameter=command>pwd; cd /repo && python3 -m pytest -q 2>&1 | tail -1</parameter>\n</function>\n" +
              "<function=finish>\n<parameter=message>too early</parameter>\n</function>",
          ),
        () => text("<function=finish>\n<parameter=message>Fixed.</parameter>\n<parameter=task_completed>true</parameter>\n</function>"),
      ]),
    );
    const t = await runAgent(await sandboxWithRepo(), { problemStatement: ISSUE }, options({ mode: "text" }));

    expect(t.finishReason).toBe("finish");
    expect(t.finishMessage).toBe("Fixed.");
    expect(stepSummary(t)).toEqual([
      { tool: "execute_bash", error: false, errorKind: undefined, exitCode: 0 },
      { tool: "browser", error: true, errorKind: "unknown-tool", exitCode: null },
      { tool: "str_replace_editor", error: false, errorKind: undefined, exitCode: null },
      { tool: null, error: true, errorKind: "no-action", exitCode: null },
      { tool: "execute_bash", error: false, errorKind: undefined, exitCode: 0 },
      { tool: "finish", error: false, errorKind: undefined, exitCode: null },
    ]);
    expect(t.steps[0]?.action).toEqual({
      tool: "execute_bash",
      args: { command: "cd /repo/calc && grep -n 'a - b' ops.py" },
      raw: "<function=execute_bash>\n<parameter=command>cd /repo/calc && grep -n 'a - b' ops.py</parameter>\n",
    });
    expect(t.steps[4]?.observation).toMatch(/^\/repo\/calc\n2 passed in .*\n\[Only the first function call of your message was executed; 1 more was ignored/s);
    expect(t.steps[5]?.corrected).toEqual(["dropped unknown parameter 'task_completed'"]);
    expect(t.patch).toBe(expectedPatch({ "calc/ops.py": FIXED }));

    const messages = t.messages;
    expect(messages.map((m) => m.role)).toEqual(["system", "user", ...Array(5).fill(["assistant", "user"]).flat(), "assistant"]);
    expect(messages[0]?.content).toContain("---- BEGIN FUNCTION #1: execute_bash ----");
    // The unclosed block is kept closed in the history, as OpenHands' stop-word fix does.
    expect(messages[2]?.content).toBe(
      "Let me look at the code first.\n\n<function=execute_bash>\n<parameter=command>cd /repo/calc && grep -n 'a - b' ops.py</parameter>\n</function>",
    );
    expect(messages[3]?.content).toMatch(/^EXECUTION RESULT of \[execute_bash\]:\n2:    return a - b\n6:    return a - b\n\[The command completed with exit code 0\.\]/);
    expect(messages[5]?.content).toBe(
      "EXECUTION RESULT of [browser]:\nERROR: Function 'browser' not found in available tools: ['execute_bash', 'str_replace_editor', 'think', 'finish']",
    );
    expect(messages[9]?.content).toMatch(/^Please use one of the tools/);
    const requests = double.chatRequests();
    expect(requests[0]?.tools).toBeUndefined();
    expect(requests[0]?.stop).toEqual(["</function"]);
  });
});

describe("malformed tool calls", () => {
  it("repairs arguments that are almost JSON and reports those that are not", async () => {
    double.respondWith(
      scripted([
        () => call("execute_bash", "{'command': 'echo repaired',}"),
        () => call("execute_bash", '{"command": "echo never'),
        () => call("str_replace_editor", { command: "view", path: "/repo/calc/ops.py", view_range: "1,2" }),
        () => call("finish", { message: "done" }),
      ]),
    );
    const t = await runAgent(await sandboxWithRepo(), { problemStatement: ISSUE }, options());

    expect(t.finishReason).toBe("finish");
    const [repaired, broken, ranged] = t.steps;
    expect(repaired).toMatchObject({ error: false, exitCode: 0, corrected: ["arguments: repaired invalid JSON (single-quoted strings)", "arguments: repaired invalid JSON (trailing comma)"] });
    expect(repaired?.observation).toMatch(/^repaired\n/);
    expect(repaired?.action).toEqual({ tool: "execute_bash", args: { command: "echo repaired" }, raw: "{'command': 'echo repaired',}" });
    expect(broken).toMatchObject({ error: true, errorKind: "bad-arguments", exitCode: null, action: { tool: "execute_bash", args: {}, raw: '{"command": "echo never' } });
    expect(broken?.observation).toMatch(/^ERROR: The arguments of your execute_bash call are not valid JSON and could not be repaired: .*JSON/);
    expect(ranged?.corrected).toEqual(['view_range: "1,2" → [1,2]']);
    // The history only holds valid JSON: the repaired form, or {} for what could not be read.
    const sent = double.chatRequests()[3]?.messages.filter((m) => m.role === "assistant").map((m) => m.tool_calls?.[0]?.function.arguments);
    expect(sent).toEqual(['{"command":"echo repaired"}', "{}", '{"command":"view","path":"/repo/calc/ops.py","view_range":"1,2"}']);
  });
});

describe("the editor through the sandbox shell", () => {
  it("lists directories, creates nested files, and reports what the sandbox refuses", async () => {
    double.respondWith(
      scripted([
        () => call("str_replace_editor", { command: "view", path: "/repo/" }),
        () => call("str_replace_editor", { command: "create", path: "/repo/pkg/deep/mod.py", file_text: "# it's \"quoted\" $HOME `x`\n\tü\n" }),
        () => bash("cat /repo/pkg/deep/mod.py"),
        () => call("str_replace_editor", { command: "create", path: "/proc/nope/x.txt", file_text: "x" }),
        () => bash("printf '\\x00\\x01' > /repo/blob.bin"),
        () => call("str_replace_editor", { command: "view", path: "/repo/blob.bin" }),
        () => call("finish", { message: "done" }),
      ]),
    );
    const t = await runAgent(await sandboxWithRepo(), { problemStatement: ISSUE }, options());
    const [listing, created, shown, refused, , binary] = t.steps;
    expect(listing?.observation).toBe(
      "Here's the files and directories up to 2 levels deep in /repo/, excluding hidden items:\n" +
        "/repo/\n/repo/calc/\n/repo/calc/__init__.py\n/repo/calc/ops.py\n/repo/tests/\n/repo/tests/test_ops.py\n\n" +
        "2 hidden files/directories in this directory are excluded. You can use 'ls -la /repo/' to see them.",
    );
    expect(created?.observation).toBe("File created successfully at: /repo/pkg/deep/mod.py");
    expect(shown?.observation).toMatch(/^# it's "quoted" \$HOME `x`\n\tü\n\[The command completed with exit code 0\.\]/);
    expect(refused).toMatchObject({ error: true, errorKind: "editor" });
    expect(refused?.observation).toMatch(/^ERROR:\nmkdir: cannot create directory/);
    expect(binary?.observation).toBe("ERROR:\n/repo/blob.bin is a binary file; the editor only handles text.");
  });
});

describe("commands that could not run, told apart from commands that failed", () => {
  it("records command not found, a shell syntax error and a prompt at end of input, but a failing test as a plain non-zero exit", async () => {
    double.respondWith(
      scripted([
        () => bash("cd /repo && no_such_tool --check"),
        () => bash("echo (broken"),
        () => bash("python3 -c \"input('Continue? ')\""),
        () => bash("python3 -m pytest -q tests 2>&1 | tail -1; exit_code=${PIPESTATUS[0]}; (exit $exit_code)"),
        () => call("finish", { message: "done" }),
      ]),
    );
    const t = await runAgent(await sandboxWithRepo(), { problemStatement: ISSUE }, options());
    expect(stepSummary(t).slice(0, 4)).toEqual([
      { tool: "execute_bash", error: true, errorKind: "command-not-found", exitCode: 127 },
      { tool: "execute_bash", error: true, errorKind: "shell-syntax", exitCode: 2 },
      { tool: "execute_bash", error: true, errorKind: "interactive-prompt", exitCode: 1 },
      { tool: "execute_bash", error: true, errorKind: "nonzero-exit", exitCode: 1 },
    ]);
  });
});

describe("rollouts that end early", () => {
  it("kills a command that hangs at its timeout and carries on", async () => {
    double.respondWith(
      scripted([
        () => call("execute_bash", { command: "echo started; sleep 100", timeout: 1 }),
        () => bash("echo alive"),
        () => call("finish", { message: "done" }),
      ]),
    );
    const t = await runAgent(await sandboxWithRepo(), { problemStatement: ISSUE }, options());

    expect(t.finishReason).toBe("finish");
    const [hung, alive] = t.steps;
    expect(hung).toMatchObject({ error: true, errorKind: "timeout" });
    // bash reports the killed job ("Terminated") before our note.
    expect(hung?.observation).toMatch(/^started\n(Terminated\n)?\[The command timed out after 1 seconds and was killed\./);
    expect(hung?.durationMs).toBeLessThan(10_000);
    expect(alive?.observation).toMatch(/^alive\n\[The command completed with exit code 0\.\]/);
  });

  it("starts a fresh shell when a command ends the current one", async () => {
    double.respondWith(scripted([() => bash("cd /tmp && export FOO=1 && exit 3"), () => bash("pwd; echo \"FOO=$FOO\""), () => call("finish", { message: "done" })]));
    const t = await runAgent(await sandboxWithRepo(), { problemStatement: ISSUE }, options());
    expect(t.finishReason).toBe("finish");
    const [exited, after] = t.steps;
    expect(exited).toMatchObject({ exitCode: 3, errorKind: "nonzero-exit" });
    expect(exited?.observation).toContain("[The shell session was restarted because the command ended the shell; the working directory and environment variables were reset.]");
    expect(after?.observation).toMatch(/^\/repo\nFOO=\n/);
  });

  it("ends at the wall-clock budget, cutting a long command short", async () => {
    double.respondWith(() => bash("sleep 30"));
    const t = await runAgent(await sandboxWithRepo(), { problemStatement: ISSUE }, options({ maxWallMs: 2000 }));
    expect(t.finishReason).toBe("time-budget");
    expect(t.steps[0]).toMatchObject({ errorKind: "timeout" });
    expect(t.durationMs).toBeLessThan(10_000);
  });

  it("elides old observations when the conversation outgrows the context window", async () => {
    double.respondWith(scripted([() => bash("seq 1 4000"), () => bash("seq 1 4001"), () => bash("seq 1 4002"), () => call("finish", { message: "done" })]));
    const t = await runAgent(await sandboxWithRepo(), { problemStatement: ISSUE }, options({ contextWindowTokens: 8000, keepRecentTurns: 1 }));
    expect(t.finishReason).toBe("finish");
    expect(t.condensations.length).toBeGreaterThan(0);
    expect(t.condensations[0]).toMatchObject({ elided: expect.any(Number) });
    const last = double.chatRequests().at(-1);
    const observations = last?.messages.filter((m) => m.role === "tool").map((m) => String(m.content).slice(0, 20));
    expect(observations?.[0]).toBe("[observation elided ");
    expect(observations?.at(-1)).toMatch(/^1\n2\n3/);
    // The steps keep every observation whole.
    expect(t.steps[0]?.observation).toMatch(/^1\n2\n3/);
  });

  it("ends as stuck when the same action repeats four times", async () => {
    double.respondWith(() => bash("ls"));
    const t = await runAgent(await sandboxWithRepo(), { problemStatement: ISSUE }, options());
    expect(t.finishReason).toBe("stuck");
    expect(t.turns).toBe(4);
    expect(t.finishMessage).toBe('The same action was repeated 4 times in a row: execute_bash {"command":"ls"}.');
  });

  it("ends as model-error after retrying a failing endpoint", async () => {
    double.enqueue([{ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 }]);
    const t = await runAgent(await sandboxWithRepo(), { problemStatement: ISSUE }, options());
    expect(t.finishReason).toBe("model-error");
    expect(t.finishMessage).toMatch(/^The model request failed after 4 attempts: HTTP 500: .*Check that the endpoint is up/);
    expect(t.modelRetries.map((r) => [r.turn, r.attempt, r.status, r.delayMs])).toEqual([
      [1, 1, 500, 10],
      [1, 2, 500, 20],
      [1, 3, 500, 40],
    ]);
    expect(t.turns).toBe(0);
    expect(t.steps).toEqual([]);
    expect(t.patch).toBe("");
    expect(double.chatRequests()).toHaveLength(4);
  });

  it("recovers when a retry succeeds", async () => {
    double.enqueue([{ status: 503 }, { toolCalls: [{ name: "finish", arguments: { message: "ok" } }] }]);
    const t = await runAgent(await sandboxWithRepo(), { problemStatement: ISSUE }, options());
    expect(t.finishReason).toBe("finish");
    expect(t.modelRetries).toHaveLength(1);
  });

  it("stops at the turn cap", async () => {
    let n = 0;
    double.respondWith(() => bash(`echo ${n++}`));
    const t = await runAgent(await sandboxWithRepo(), { problemStatement: ISSUE }, options({ maxTurns: 3 }));
    expect(t.finishReason).toBe("turn-cap");
    expect(t.turns).toBe(3);
    expect(t.steps).toHaveLength(3);
  });

  it("stops at the token and cost budgets", async () => {
    double.respondWith(() => bash("echo hi"));
    const tokens = await runAgent(await sandboxWithRepo(), { problemStatement: ISSUE }, options({ maxTokens: 1 }));
    expect(tokens.finishReason).toBe("token-budget");
    expect(tokens.turns).toBe(1);
    const cost = await runAgent(
      await sandboxWithRepo(),
      { problemStatement: ISSUE },
      options({ maxCostUsd: 0.001, pricing: { promptPerMTok: 1000, completionPerMTok: 1000 } }),
    );
    expect(cost.finishReason).toBe("cost-budget");
    expect(cost.costUsd).toBeGreaterThanOrEqual(0.001);
  });

  it("stops after the current step when cancelled", async () => {
    const controller = new AbortController();
    double.respondWith(
      scripted([
        () => bash("echo one"),
        () => {
          setTimeout(() => controller.abort(), 300);
          return bash("sleep 1; echo two");
        },
        () => bash("echo three"),
      ]),
    );
    const t = await runAgent(await sandboxWithRepo(), { problemStatement: ISSUE }, options({ signal: controller.signal }));
    expect(t.finishReason).toBe("cancelled");
    expect(t.steps.map((s) => s.observation.split("\n")[0])).toEqual(["one", "two"]);
  });

  it("ends as sandbox-error when there is no repository directory to work in", async () => {
    double.respondWith(() => bash("ls"));
    const t = await runAgent(await sandboxWithRepo(), { problemStatement: ISSUE, repoDir: "/nonexistent" }, options());
    expect(t.finishReason).toBe("sandbox-error");
    expect(t.finishMessage).toMatch(/Could not open a shell in \/nonexistent/);
    expect(double.chatRequests()).toHaveLength(0);
  });
});
