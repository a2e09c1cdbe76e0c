// The length of a conversation in tokens, for the training cutoff. The student's tokenizer is not
// at hand (nothing is downloaded), so this is the agent's own estimate: characters at about 3.5 per
// token for code-heavy text, plus the chat template's markers around each message. Pure.
import { DEFAULT_TOKENS_PER_CHAR } from "../src/agent/context.js";

/** `<|im_start|>role\n … <|im_end|>\n` in the Qwen templates. */
const TEMPLATE_TOKENS_PER_MESSAGE = 5;

export function estimateConversationTokens(messages: readonly { content: string }[], tokensPerChar = DEFAULT_TOKENS_PER_CHAR): number {
  return messages.reduce((n, m) => n + Math.ceil(m.content.length * tokensPerChar) + TEMPLATE_TOKENS_PER_MESSAGE, 0);
}
