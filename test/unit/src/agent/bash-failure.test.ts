import { describe, expect, it } from "vitest";
import { classifyBashFailure } from "../../../../src/agent/bash-failure.js";

describe("classifyBashFailure", () => {
  it.each([
    ["command not found", "bash: ts-node: command not found\n", 127, "command-not-found"],
    ["not found, with the line number of a multi-line command", "ok\nbash: line 3: pytest: command not found\n", 127, "command-not-found"],
    ["not found inside an npm script (dash)", "> jest\n\nsh: 1: jest: not found\n", 127, "command-not-found"],
    ["a missing script", "bash: ./run_tests.sh: No such file or directory\n", 127, "command-not-found"],
    ["a script that is not executable", "bash: ./run.sh: Permission denied\n", 126, "command-not-found"],
    ["a syntax error", "bash: eval: line 1: syntax error near unexpected token `)'\nbash: eval: line 1: `echo )'\n", 2, "shell-syntax"],
    ["an unbalanced quote", "bash: eval: line 1: unexpected EOF while looking for matching `\"'\n", 2, "shell-syntax"],
    ["a syntax error in bash -c", "bash: -c: line 1: syntax error near unexpected token `newline'\n", 2, "shell-syntax"],
    ["input() at end of file", 'Traceback (most recent call last):\n  File "r.py", line 1, in <module>\nEOFError: EOF when reading a line\n', 1, "interactive-prompt"],
    ["an apt confirmation", "After this operation, 3 MB will be used.\nDo you want to continue? [Y/n] Abort.\n", 1, "interactive-prompt"],
    ["a y/n question", "Proceed (y/n)? ", 1, "interactive-prompt"],
    ["a password prompt", "[sudo] password for root: ", 1, "interactive-prompt"],
    ["sudo without a terminal", "sudo: a terminal is required to read the password; either use the -S option to read from standard input\n", 1, "interactive-prompt"],
    ["git commit without a message or editor", "error: Terminal is dumb, but EDITOR unset\nPlease supply the message using either -m or -F option.\n", 1, "interactive-prompt"],
    // The code under test failing is the agent's work, never masked.
    ["failing tests", "FAILED tests/test_x.py::test_y - AssertionError\n1 failed, 3 passed in 0.1s\n", 1, "nonzero-exit"],
    ["pytest with no tests collected", "no tests ran in 0.01s\n", 5, "nonzero-exit"],
    ["a reproduced bug", 'Traceback (most recent call last):\n  File "repro.py", line 3\nValueError: bad\n', 1, "nonzero-exit"],
    ["a Python syntax error in the code", '  File "m.py", line 2\n    def f(:\n          ^\nSyntaxError: invalid syntax\n', 1, "nonzero-exit"],
    ["a script's own syntax error", "./build.sh: line 4: syntax error near unexpected token `fi'\n", 2, "nonzero-exit"],
    ["grep finding nothing", "", 1, "nonzero-exit"],
    ["a program that exits 127 on its own", "lookup failed\n", 127, "nonzero-exit"],
    ["a not-found message that is not the last command's", "bash: foo: command not found\nFAILED test_a\n", 1, "nonzero-exit"],
  ])("%s", (_name, output, exitCode, kind) => {
    expect(classifyBashFailure(output, exitCode)).toBe(kind);
  });

  it("looks for a prompt only at the end of a long output", () => {
    expect(classifyBashFailure(`Proceed (y/n)? \n${"x\n".repeat(5000)}`, 1)).toBe("nonzero-exit");
  });
});
