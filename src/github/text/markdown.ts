// Markdown helpers for everything LegoFactory posts on GitHub: untrusted text made safe, table
// cells, code spans, scores.
import { stripHiddenMarkup } from "../../harvest/markup.js";

/**
 * Model and log text made safe to post: hidden markup goes (it could forge metadata), and
 * outside code, @mentions and #references are broken with a zero-width space, as Renovate does,
 * so the text pings nobody and its "closes #N" cannot close another issue on merge.
 */
export function untrusted(text: string): string {
  return stripHiddenMarkup(text)
    .split(/(```[\s\S]*?(?:```|$)|`[^`\n]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/#(?=\d)/g, "#&#8203;").replace(/@(?=[\w-])/g, "@&#8203;")))
    .join("");
}

/** Text for a table cell: one line, pipes escaped. */
export function cell(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, " ").replace(/\|/g, "\\|");
}

/** A code span that survives backticks in the text. */
export function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

export function scoreText(score: number | null | undefined): string {
  return typeof score === "number" ? score.toFixed(3) : "—";
}

export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max).trimEnd()}\n\n_(cut at ${max} characters)_`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
