// Parsing for bug injection: tree-sitter grammars loaded once per process from their own .wasm
// files (no native build), one parser per language. Node offsets are JavaScript string indices,
// so edits splice the source string and leave every other character as it was.
import { createRequire } from "node:module";
import { Language, Parser, type Node, type Tree } from "web-tree-sitter";

export type SourceLanguage = "python" | "javascript" | "typescript" | "tsx";

const grammarFiles: Record<SourceLanguage, string> = {
  python: "tree-sitter-python/tree-sitter-python.wasm",
  javascript: "tree-sitter-javascript/tree-sitter-javascript.wasm",
  typescript: "tree-sitter-typescript/tree-sitter-typescript.wasm",
  tsx: "tree-sitter-typescript/tree-sitter-tsx.wasm",
};

const extensions: [RegExp, SourceLanguage][] = [
  [/\.pyi?$/, "python"],
  [/\.(?:js|mjs|cjs|jsx)$/, "javascript"],
  [/\.(?:ts|mts|cts)$/, "typescript"],
  [/\.tsx$/, "tsx"],
];

/** The grammar a file is parsed with, by its extension; null when no strategy can mutate it. */
export function languageOf(path: string): SourceLanguage | null {
  if (path.endsWith(".d.ts")) return null;
  return extensions.find(([re]) => re.test(path))?.[1] ?? null;
}

const require = createRequire(import.meta.url);
let init: Promise<void> | undefined;
const parsers = new Map<SourceLanguage, Promise<Parser>>();

async function parserFor(language: SourceLanguage): Promise<Parser> {
  let parser = parsers.get(language);
  if (!parser) {
    parser = (async () => {
      init ??= Parser.init();
      await init;
      const p = new Parser();
      p.setLanguage(await Language.load(require.resolve(grammarFiles[language])));
      return p;
    })();
    parsers.set(language, parser);
  }
  return parser;
}

export async function parse(text: string, language: SourceLanguage): Promise<Tree> {
  const tree = (await parserFor(language)).parse(text);
  if (!tree) throw new Error(`the ${language} parser returned no tree`);
  return tree;
}

/** Why `text` does not parse (the first error or missing node and its line), or null when it does. */
export async function parseProblem(text: string, language: SourceLanguage): Promise<string | null> {
  const tree = await parse(text, language);
  try {
    if (!tree.rootNode.hasError) return null;
    const bad = firstError(tree.rootNode);
    if (!bad) return "the parser reported an error";
    const what = bad.isMissing ? `a missing ${bad.type}` : `unexpected ${JSON.stringify(bad.text.slice(0, 40))}`;
    return `${what} at line ${bad.startPosition.row + 1}`;
  } finally {
    tree.delete();
  }
}

function firstError(node: Node): Node | null {
  if (node.isError || node.isMissing) return node;
  for (const child of node.children) {
    if (child && (child.hasError || child.isMissing)) {
      const found = firstError(child);
      if (found) return found;
    }
  }
  return null;
}
