// The writer model: any OpenAI-compatible endpoint, configured apart from the policy
// (LEGO_WRITER_*), falling back to the policy endpoint. It writes LLM bugs and issue text.
import OpenAI from "openai";
import type { Config } from "../config.js";
import type { Writer } from "./types.js";

export class WriterError extends Error {
  readonly code = "writer_failed";
}

export function openAiWriter(opts: { baseURL: string; model: string; apiKey?: string; timeoutMs?: number; temperature?: number }): Writer {
  const client = new OpenAI({ baseURL: opts.baseURL, apiKey: opts.apiKey ?? "unused", maxRetries: 1, timeout: opts.timeoutMs ?? 120_000 });
  return {
    model: opts.model,
    async complete(system, user) {
      let res;
      try {
        res = await client.chat.completions.create({
          model: opts.model,
          messages: [
            { role: "system", content: system },
            { role: "user", content: user },
          ],
          temperature: opts.temperature ?? 0.7,
        });
      } catch (err) {
        throw new WriterError(`the writer model ${opts.model} at ${opts.baseURL} failed: ${(err as Error).message}`);
      }
      return res.choices[0]?.message?.content ?? "";
    },
  };
}

/** The configured writer, or null when neither a writer nor a policy endpoint is set. */
export function writerFrom(config: Pick<Config, "LEGO_WRITER_BASE_URL" | "LEGO_WRITER_MODEL" | "LEGO_WRITER_API_KEY" | "LEGO_POLICY_BASE_URL" | "LEGO_POLICY_MODEL" | "LEGO_POLICY_API_KEY">): Writer | null {
  const baseURL = config.LEGO_WRITER_BASE_URL ?? config.LEGO_POLICY_BASE_URL;
  if (!baseURL) return null;
  const apiKey = config.LEGO_WRITER_API_KEY ?? config.LEGO_POLICY_API_KEY;
  return openAiWriter({ baseURL, model: config.LEGO_WRITER_MODEL ?? config.LEGO_POLICY_MODEL, ...(apiKey ? { apiKey } : {}) });
}

/** The first fenced code block of a reply, or null when there is none. */
export function codeBlockOf(reply: string): string | null {
  const m = /```[\w+-]*[ \t]*\r?\n([\s\S]*?)```/.exec(reply);
  return m ? (m[1] as string).replace(/\s+$/, "") : null;
}

const refusal = /\b(?:I can(?:'|no)t|I cannot|I won't|I'm sorry|I am sorry|unable to (?:help|comply|assist))\b/i;

/** Whether a reply without code reads as a refusal rather than a format slip. */
export function isRefusal(reply: string): boolean {
  return refusal.test(reply);
}
