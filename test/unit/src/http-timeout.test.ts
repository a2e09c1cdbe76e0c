import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpTimeoutError, timedFetch } from "../../../src/http-timeout.js";

let server: Server;
let url: string;

beforeAll(async () => {
  // /hang never answers; /ok answers at once.
  server = createServer((req, res) => {
    if (req.url === "/ok") res.end("fine");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("timedFetch", () => {
  it("fails a call that gets no answer, naming the service and the path", async () => {
    const f = timedFetch(200, "GitHub");
    const err = await f(`${url}/hang`, { method: "POST" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpTimeoutError);
    expect((err as Error).message).toBe("GitHub did not answer within 0.2 s (POST /hang)");
  });

  it("lets a call that answers in time through", async () => {
    expect(await (await timedFetch(2000, "GitHub")(`${url}/ok`)).text()).toBe("fine");
  });

  it("keeps the caller's own abort as an abort, not a time-out", async () => {
    const ctl = new AbortController();
    const pending = timedFetch(5000, "GitHub")(`${url}/hang`, { signal: ctl.signal });
    ctl.abort();
    const err = await pending.catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(HttpTimeoutError);
    expect((err as Error).name).toBe("AbortError");
  });
});
