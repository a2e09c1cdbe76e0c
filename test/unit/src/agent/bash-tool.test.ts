import { describe, expect, it } from "vitest";
import { normalizeArguments, type ToolAction } from "../../../../src/agent/arguments.js";
import { formatBashObservation, runBash, type BashLimits } from "../../../../src/agent/bash-tool.js";
import { TRUNCATION_MARKER } from "../../../../src/agent/truncate.js";
import type { BashRun } from "../../../../src/agent/workspace.js";

const RUN: BashRun = { output: "", exitCode: 0, timedOut: false, cwd: "/repo", python: "/usr/bin/python3", restarted: null };

describe("formatBashObservation", () => {
  it("appends exit code, cwd and interpreter lines as OpenHands does", () => {
    expect(formatBashObservation({ ...RUN, output: "bash: ts-node: command not found\n", exitCode: 127 }, 120, 600, 30_000)).toBe(
      "bash: ts-node: command not found\n[The command completed with exit code 127.]\n[Current working directory: /repo]\n" +
        "[Python interpreter: /usr/bin/python3]\n[Command finished with exit code 127]",
    );
  });

  it("says a timed-out command was killed, without an exit code line", () => {
    const text = formatBashObservation({ ...RUN, output: "waiting\n", exitCode: 124, timedOut: true, python: null }, 2, 600, 30_000);
    expect(text).toBe(
      "waiting\n[The command timed out after 2 seconds and was killed. Run long commands in the background with output redirected to a file, " +
        "or set the timeout parameter (up to 600 seconds) for future commands.]\n[Current working directory: /repo]",
    );
  });

  it("truncates the output but never the status lines, and mentions a restarted shell", () => {
    const text = formatBashObservation({ ...RUN, output: "y".repeat(100), cwd: null, python: null, restarted: "the command ended the shell" }, 1, 600, 20);
    expect(text).toBe(
      `${"y".repeat(10)}${TRUNCATION_MARKER}${"y".repeat(10)}\n[The command completed with exit code 0.]\n` +
        "[The shell session was restarted because the command ended the shell; the working directory and environment variables were reset.]\n" +
        "[Command finished with exit code 0]",
    );
  });
});

function bashAction(args: Record<string, unknown>): Extract<ToolAction, { tool: "execute_bash" }> {
  const result = normalizeArguments("execute_bash", args, "/repo");
  if (!result.ok || result.action.tool !== "execute_bash") throw new Error("bad test action");
  return result.action;
}

describe("runBash", () => {
  const limits: BashLimits = { defaultSec: 120, maxSec: 600, remainingMs: 3_600_000, maxOutputChars: 30_000 };
  const recorder = () => {
    const calls: { command: string; timeoutMs: number }[] = [];
    return {
      calls,
      async bash(command: string, timeoutMs: number): Promise<BashRun> {
        calls.push({ command, timeoutMs });
        return { ...RUN, output: "ok\n", exitCode: command.includes("false") ? 1 : 0 };
      },
    };
  };

  it("uses the default timeout, the requested one, the cap and the rollout deadline", async () => {
    const runner = recorder();
    await runBash(bashAction({ command: "ls" }), runner, limits);
    await runBash(bashAction({ command: "ls", timeout: 5 }), runner, limits);
    const capped = await runBash(bashAction({ command: "ls", timeout: 9999 }), runner, limits);
    await runBash(bashAction({ command: "ls" }), runner, { ...limits, remainingMs: 30_000 });
    expect(runner.calls.map((c) => c.timeoutMs)).toEqual([120_000, 5_000, 600_000, 30_000]);
    expect(capped.corrected).toEqual(["timeout: 9999 s is above the 600 s cap; clipped to 600"]);
  });

  it("marks a non-zero exit as an error", async () => {
    expect(await runBash(bashAction({ command: "false" }), recorder(), limits)).toMatchObject({ exitCode: 1, errorKind: "nonzero-exit" });
    expect(await runBash(bashAction({ command: "true" }), recorder(), limits)).not.toHaveProperty("errorKind");
  });

  it("tells a command that could not run from one that failed", async () => {
    const runner = { bash: async (): Promise<BashRun> => ({ ...RUN, output: "bash: pytest: command not found\n", exitCode: 127 }) };
    expect(await runBash(bashAction({ command: "pytest" }), runner, limits)).toMatchObject({ exitCode: 127, errorKind: "command-not-found" });
  });

  it("answers input for a running process: there never is one", async () => {
    const runner = recorder();
    for (const args of [{ command: "y", is_input: "true" }, { command: "C-c" }, { command: "  " }]) {
      const result = await runBash(bashAction(args), runner, limits);
      expect(result.errorKind).toBe("not-interactive");
      expect(result.observation).toMatch(/^ERROR: No previous running command to (interact with|retrieve logs from)\. Commands here run non-interactively/);
    }
    expect(runner.calls).toEqual([]);
  });
});
