// A time-out for every outbound HTTP call made with fetch (Octokit's transport): one hung
// connection to GitHub must not hold a job, and with it a worker slot, forever. The call fails
// with a plain error the job's retry policy handles like any other transient failure.

export class HttpTimeoutError extends Error {
  readonly code = "http_timeout";
}

/** fetch with a per-request limit; a caller's own abort signal still works. */
export function timedFetch(timeoutMs: number, what: string, base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const timer = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timer]) : timer;
    try {
      return await base(input, { ...init, signal });
    } catch (err) {
      if (timer.aborted && !init?.signal?.aborted) {
        const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
        throw new HttpTimeoutError(`${what} did not answer within ${timeoutMs / 1000} s (${init?.method ?? "GET"} ${new URL(url).pathname})`);
      }
      throw err;
    }
  };
}
