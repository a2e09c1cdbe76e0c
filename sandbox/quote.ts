// Shell quoting: the one way a word reaches bash, on the host or in a sandbox.

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** `word` as one bash word: as is when nothing in it is special, single-quoted otherwise. */
export function shQuote(word: string): string {
  if (SAFE_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
