// Property-based fuzzing of the parsers of untrusted text: slash commands in comments, the
// OpenHands text action format and the JSON repair of tool arguments (both written by a model),
// unified diffs (written by a model or a PR), .github/lego.yml (written by any repository).
// Each: no throw but its own typed error, bounded time per input, round trips where they exist.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { parseArguments, repairJson } from "../../src/agent/json-repair.js";
import { formatFunctionCall, parseTextAction } from "../../src/agent/text-format.js";
import { createDiff, DiffFormatError, changedPaths, parseDiff, reverseDiff } from "../../src/diff/index.js";
import { parseCommand } from "../../src/github/commands.js";
import { defaultRepoConfig, parseRepoConfig, parseRepoConfigText, repoConfigSchema } from "../../src/repo-config.js";
import { floods, fragments, RUNS, throwsOnly, timed } from "./bounded.js";

const opts = { numRuns: RUNS };

describe("slash commands", () => {
  const comment = fc.oneof(fragments(["/lego", "/LEGO", " ", "\t", "\n", "\r\n", "fix", "retry", "stop", "k=", "k=4", "=", "> ", "```", "    ", "16", "-1", "help"]), fc.string({ unit: "grapheme" }), floods(["/lego ", "k=", " ", "=", "\n"]));
  it("never throws and never takes long, whatever the comment", () => {
    fc.assert(
      fc.property(comment, (body) => {
        const c = timed(() => parseCommand(body));
        if (c !== null) expect(["help", "fix", "retry", "stop", "explain", "unknown", "invalid"]).toContain(c.kind);
        if (c && (c.kind === "fix" || c.kind === "retry") && c.k !== undefined) expect(c.k >= 1 && c.k <= 16).toBe(true);
      }),
      opts,
    );
  });
  it("round-trips every command it accepts", () => {
    fc.assert(
      fc.property(fc.constantFrom("fix", "retry"), fc.option(fc.integer({ min: 1, max: 16 }), { nil: undefined }), fc.constantFrom("", "\n", "\nmore text"), (kind, k, rest) => {
        const body = `/lego ${kind}${k === undefined ? "" : ` k=${k}`}${rest}`;
        // A retry keeps the lines below it as review feedback; a fix ignores them.
        const feedback = kind === "retry" && rest.trim() ? { feedback: rest.trim() } : {};
        expect(parseCommand(body)).toEqual({ kind, ...(k === undefined ? {} : { k }), ...feedback });
      }),
      opts,
    );
  });
});

describe("the text action format", () => {
  const message = fc.oneof(
    fragments(["<function=", "execute_bash", "str_replace_editor", ">", "</function>", "</function", "<parameter=", "command", "</parameter>", "\n", "ls", "<", "=", " "]),
    fc.string({ unit: "grapheme" }),
    floods(["<function=", "<parameter=x>", "</parameter", "<function=a>\n", "< function = x >"]),
  );
  it("never throws and never takes long, whatever the model wrote", () => {
    fc.assert(
      fc.property(message, (content) => {
        const parsed = timed(() => parseTextAction(content));
        if (parsed.kind === "call") expect(typeof parsed.call.name).toBe("string");
      }),
      opts,
    );
  });
  const value = fc.string({ maxLength: 60 }).filter((s) => !s.includes("</parameter>") && !s.includes("<function=") && !s.includes("</function>") && s.trim() === s && s !== "" && !/^[\[{-]?\d|^\[|^\{/.test(s));
  it("round-trips a call it formatted", () => {
    fc.assert(
      fc.property(fc.constantFrom("execute_bash", "str_replace_editor", "think", "finish"), fc.dictionary(fc.stringMatching(/^[a-z_]{1,12}$/), value, { maxKeys: 4 }), (name, args) => {
        const parsed = parseTextAction(`Let me look.\n${formatFunctionCall(name, args)}`);
        expect(parsed.kind).toBe("call");
        if (parsed.kind !== "call") return;
        expect(parsed.call.name).toBe(name);
        expect(parsed.call.args).toEqual(args);
        expect(parsed.reasoning).toBe("Let me look.");
      }),
      opts,
    );
  });
});

describe("JSON repair of tool arguments", () => {
  const raw = fc.oneof(fc.string({ unit: "grapheme" }), fc.json(), fragments(["{", "}", "'", '"', ",", ":", "\n", "\\", "[", "]", "command", "true"]), floods(["'", '"', "\\", "{'a': '", ",]", "\\'"]));
  it("never throws and never takes long; a failure says why", () => {
    fc.assert(
      fc.property(raw, (text) => {
        const parsed = timed(() => parseArguments(text));
        if (parsed.ok) expect(typeof parsed.value).toBe("object");
        else expect(parsed.error.length).toBeGreaterThan(0);
        timed(() => repairJson(text));
      }),
      opts,
    );
  });
  it("round-trips any JSON object, and leaves valid JSON unrepaired", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const parsed = parseArguments(JSON.stringify(obj));
        expect(parsed).toEqual({ ok: true, value: JSON.parse(JSON.stringify(obj)), repairs: [] });
      }),
      opts,
    );
  });
});

describe("unified diffs", () => {
  const diffText = fc.oneof(
    fragments(["diff --git a/x b/x\n", "--- a/x\n", "+++ b/x\n", "@@ -1,2 +1,2 @@\n", "@@ -0,0 +1 @@\n", " ctx\n", "-old\n", "+new\n", "\\ No newline at end of file\n", "new file mode 100644\n", "deleted file mode 100644\n", "rename from a\n", "rename to b\n", "GIT binary patch\n", "index 0000000..1111111\n", "\n"]),
    fc.string({ unit: "grapheme" }),
    floods(["+", "@@ -1 +1 @@\n", "diff --git a/", " ", "-"]),
  );
  it("parses or fails with DiffFormatError, quickly", () => {
    fc.assert(
      fc.property(diffText, (text) => {
        throwsOnly(() => parseDiff(text), DiffFormatError);
        throwsOnly(() => changedPaths(text), DiffFormatError);
        throwsOnly(() => reverseDiff(text), DiffFormatError);
      }),
      opts,
    );
  });
  const lines = fc.array(fc.stringMatching(/^[a-z =+-]{0,12}$/), { maxLength: 12 }).map((l) => (l.length ? `${l.join("\n")}\n` : ""));
  const path = fc.stringMatching(/^[a-z]{1,8}(\/[a-z]{1,8}){0,2}\.(py|ts|txt)$/);
  it("round-trips: a diff it created parses back to the same files, and reversing twice is the identity", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.record({ path, before: fc.option(lines, { nil: null }), after: fc.option(lines, { nil: null }) }).filter((e) => e.before !== null || e.after !== null), { selector: (e) => e.path, maxLength: 4 }), (edits) => {
        const text = createDiff(edits);
        const changed = edits.filter((e) => e.before !== e.after && !(e.before === null && e.after === null)).map((e) => e.path);
        expect(new Set(parseDiff(text).map((f) => f.path))).toEqual(new Set(changed));
        expect(reverseDiff(reverseDiff(text))).toBe(text);
      }),
      opts,
    );
  });
});

describe(".github/lego.yml", () => {
  const yamlText = fc.oneof(
    fragments(["harvest:\n", "autofix:\n", "  k: ", "  minScore: ", "  trigger: ", "label", "all", "\n", "- ", ": ", "&a ", "*a", "!!str ", "{", "}", "[", "]", "'", '"', "0.5", "true", "_extends: x\n"]),
    fc.string({ unit: "grapheme" }),
    floods(["[", "{", "- ", "&a [*a, ", "'", "  ", "{a: ", "- [", "? ", "a:\n "]),
  );
  it("a broken file gives precise problems, never an exception", () => {
    fc.assert(
      fc.property(yamlText, (text) => {
        const result = timed(() => parseRepoConfigText(text));
        if (!result.ok) for (const e of result.errors) expect(e).toMatch(/^(not valid YAML: |the file is larger than|collections are nested more than|[\w.()]+[^:]*: )/);
      }),
      opts,
    );
  });
  it("any value at all gives a config or problems", () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        const result = timed(() => parseRepoConfig(raw));
        expect(typeof result.ok).toBe("boolean");
      }),
      opts,
    );
  });
  it("round-trips a valid config through YAML", () => {
    const k = fc.integer({ min: 1, max: 16 });
    fc.assert(
      fc.property(k, fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom("label", "command", "all"), fc.boolean(), (kk, minScore, trigger, allowUnscored) => {
        const config = repoConfigSchema.parse({ ...defaultRepoConfig, autofix: { ...defaultRepoConfig.autofix, k: kk, minScore, trigger, allowUnscored } });
        expect(parseRepoConfigText(YAML.stringify(config))).toEqual({ ok: true, config });
      }),
      opts,
    );
  });
});
