import { describe, expect, it } from "vitest";
import { type Command, helpText, parseCommand, requiredPermission } from "../../../../src/github/commands.js";

describe("parseCommand", () => {
  const cases: [string, string, Command | null][] = [
    ["fix", "/lego fix", { kind: "fix" }],
    ["fix with k", "/lego fix k=8", { kind: "fix", k: 8 }],
    ["retry", "/lego retry", { kind: "retry" }],
    ["retry with k", "/lego retry k=2", { kind: "retry", k: 2 }],
    ["retry with feedback below", "/lego retry k=2\n\nPlease also handle negative numbers.\n  Keep add() pure.  \n", { kind: "retry", k: 2, feedback: "Please also handle negative numbers.\n  Keep add() pure." }],
    ["retry after blank lines, with feedback", "\n\n/lego retry\r\nUse math.fsum.", { kind: "retry", feedback: "Use math.fsum." }],
    ["fix ignores lines below", "/lego fix\nmore text", { kind: "fix" }],
    ["stop", "/lego stop", { kind: "stop" }],
    ["explain", "/lego explain", { kind: "explain" }],
    ["help", "/lego help", { kind: "help" }],
    ["/lego alone is help", "/lego", { kind: "help" }],
    ["/lego alone with spaces is help", "   /lego   ", { kind: "help" }],
    ["case does not matter", "/LEGO Retry K=3", { kind: "retry", k: 3 }],
    ["extra spaces and tabs", "  /lego \t fix   k=4  ", { kind: "fix", k: 4 }],
    ["k at the bounds", "/lego fix k=1", { kind: "fix", k: 1 }],
    ["k at the upper bound", "/lego fix k=16", { kind: "fix", k: 16 }],
    ["CRLF line ending", "/lego stop\r\nthanks", { kind: "stop" }],
    ["only the first line counts", "/lego fix\n/lego stop", { kind: "fix" }],
    ["leading blank lines are skipped", "\n  \n/lego explain", { kind: "explain" }],
    ["a command further down is text", "Thanks!\n/lego fix", null],
    ["/legofix is not a command", "/legofix", null],
    ["/lego-fix is not a command", "/lego-fix", null],
    ["a word before the prefix", "please /lego fix", null],
    ["quoted", "> /lego fix", null],
    ["quoted with space", "  > /lego stop", null],
    ["code fence", "```\n/lego fix\n```", null],
    ["tilde fence", "~~~\n/lego fix", null],
    ["indented code", "    /lego fix", null],
    ["inline code", "`/lego fix`", null],
    ["empty body", "", null],
    ["plain text", "This is broken for me too", null],
    ["unknown command keeps its spelling", "/lego Deploy", { kind: "unknown", name: "Deploy" }],
    ["an argument where the command goes", "/lego k=4", { kind: "unknown", name: "k=4" }],
  ];

  it.each(cases)("%s: %j", (_name, body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });

  const invalid: [string, string, RegExp][] = [
    ["k=0", "/lego fix k=0", /`k=0` is not a number of rollouts: k must be a whole number from 1 to 16/],
    ["k=17", "/lego retry k=17", /from 1 to 16/],
    ["k not a number", "/lego fix k=many", /`k=many`/],
    ["k negative", "/lego fix k=-2", /from 1 to 16/],
    ["k fractional", "/lego fix k=2.5", /whole number/],
    ["k empty", "/lego fix k=", /`k=`/],
    ["k twice", "/lego fix k=2 k=3", /`k` is given twice/],
    ["unknown key", "/lego fix model=gpt", /`\/lego fix \[k=N\]` does not know `model`: the only argument is `k=N`/],
    ["argument to a command without arguments", "/lego stop k=2", /`\/lego stop` takes no arguments \(got `k=2`\)/],
    ["help takes no arguments", "/lego help fix", /`\/lego help` takes no arguments/],
    ["trailing text is rejected, not ignored", "/lego stop it after this one", /takes no arguments \(got `it`\)/],
    ["free text among arguments", "/lego retry with k=4", /`with` is not an argument of `\/lego retry \[k=N\]`: arguments are written `key=value`/],
    ["trailing text after valid args", "/lego fix k=4 please", /`please` is not an argument/],
    ["echoed text cannot break out of its code span", "/lego stop `@octocat", /\(got `'@octocat`\)/],
  ];

  it.each(invalid)("invalid: %s", (_name, body, message) => {
    const command = parseCommand(body);
    expect(command?.kind).toBe("invalid");
    expect(command?.kind === "invalid" ? command.message : "").toMatch(message);
  });
});

describe("requiredPermission", () => {
  const cases: [Command, "write" | "read"][] = [
    [{ kind: "fix" }, "write"],
    [{ kind: "retry", k: 4 }, "write"],
    [{ kind: "stop" }, "write"],
    [{ kind: "explain" }, "read"],
    [{ kind: "help" }, "read"],
    [{ kind: "unknown", name: "x" }, "read"],
    [{ kind: "invalid", message: "m" }, "read"],
  ];
  it.each(cases)("%j needs %s", (command, permission) => {
    expect(requiredPermission(command)).toBe(permission);
  });
});

describe("helpText", () => {
  it("lists every command with its arguments", () => {
    const text = helpText();
    for (const usage of ["`/lego fix [k=N]`", "`/lego retry [k=N]`", "`/lego stop`", "`/lego explain`", "`/lego help`"]) {
      expect(text).toContain(`| ${usage} |`);
    }
    expect(text).toMatch(/write access/);
  });
});
