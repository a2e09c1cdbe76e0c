// Shell words. Every path and value that comes from a repository is untrusted and reaches a
// shell only through shQuote; splitCommands reads package.json scripts the way sh would, well
// enough to find which test runner they start.

import { shQuote } from "../../sandbox/quote.js";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A repository path as one word that no program can take for an option. */
export function pathArg(path: string): string {
  return shQuote(path.startsWith("-") ? `./${path}` : path);
}

export function isEnvName(name: string): boolean {
  return ENV_NAME.test(name);
}

/** `K=v` words for a command prefix; names that are not valid identifiers are dropped. */
export function envPrefix(vars: [string, string][]): string[] {
  return vars.filter(([k]) => isEnvName(k)).map(([k, v]) => `${k}=${shQuote(v)}`);
}

/** A word of a script, and whether it held glob characters outside quotes. */
export interface Word {
  text: string;
  glob: boolean;
}

/**
 * A word for a new command line: glob characters the script left for the shell to expand stay
 * bare (quoting them would hand the runner a literal pattern), everything else is quoted.
 */
export function wordArg(w: Word): string {
  if (!w.glob) return shQuote(w.text);
  return w.text
    .split(/([*?[\]])/)
    .map((part) => (/^[*?[\]]$/.test(part) ? part : part === "" ? "" : shQuote(part)))
    .join("");
}

export function splitCommands(script: string): string[][] {
  return splitWords(script).map((words) => words.map((w) => w.text));
}

/**
 * A script split into simple commands (at unquoted `&&`, `||`, `;`, `|`, `&`, parentheses and
 * newlines), each a list of unquoted words. Redirections and their targets are dropped so that
 * they are never mistaken for arguments.
 */
export function splitWords(script: string): Word[][] {
  const commands: Word[][] = [];
  let words: Word[] = [];
  let word = "";
  let glob = false;
  let inWord = false;
  let dropNextWord = false;
  const endWord = (): void => {
    if (inWord && !dropNextWord) words.push({ text: word, glob });
    else if (inWord) dropNextWord = false;
    word = "";
    glob = false;
    inWord = false;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
    dropNextWord = false;
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i] ?? "";
    if (c === "'") {
      const close = script.indexOf("'", i + 1);
      const end = close < 0 ? script.length : close;
      word += script.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      inWord = true;
      for (i++; i < script.length && script[i] !== '"'; i++) {
        if (script[i] === "\\" && /["\\$`]/.test(script[i + 1] ?? "")) i++;
        word += script[i];
      }
    } else if (c === "\\") {
      if (script[i + 1] === "\n") i++;
      else if (i + 1 < script.length) {
        word += script[++i];
        inWord = true;
      }
    } else if (c === "\n") {
      endCommand();
    } else if (/\s/.test(c)) {
      endWord();
    } else if (c === ">" || c === "<") {
      if (/^\d*$/.test(word)) {
        word = "";
        inWord = false;
      } else endWord();
      while (script[i + 1] === ">" || script[i + 1] === "<") i++;
      if (script[i + 1] === "&") {
        i++;
        while (/[\d-]/.test(script[i + 1] ?? "")) i++;
      } else dropNextWord = true;
    } else if (c === ";" || c === "&" || c === "|" || c === "(" || c === ")") {
      endCommand();
    } else {
      if (c === "*" || c === "?" || c === "[") glob = true;
      word += c;
      inWord = true;
    }
  }
  endCommand();
  return commands;
}
