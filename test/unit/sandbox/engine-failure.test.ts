import { describe, expect, it } from "vitest";
import { engineFailureOf, lostContainerReason } from "../../../sandbox/engine-failure.js";
import { ImageMissingError, SandboxExecError, SandboxTimeoutError, SandboxUnavailableError } from "../../../sandbox/errors.js";

const errno = (code: string, message: string) => Object.assign(new Error(message), { code });
const http = (statusCode: number, message: string) => Object.assign(new Error(message), { statusCode });

describe("engineFailureOf: an engine failure aborts as infra, anything else is not classified", () => {
  it("names the socket errors of an engine that is down or restarting", () => {
    expect(engineFailureOf(errno("ENOENT", "connect ENOENT /run/lego/docker.sock"))).toMatch(/Docker engine is unreachable \(ENOENT\).*docker\.sock/);
    expect(engineFailureOf(errno("ECONNREFUSED", "connect ECONNREFUSED /run/x.sock"))).toMatch(/unreachable \(ECONNREFUSED\)/);
    expect(engineFailureOf(errno("ECONNRESET", "read ECONNRESET"))).toMatch(/unreachable \(ECONNRESET\)/);
    expect(engineFailureOf(errno("EPIPE", "write EPIPE"))).toMatch(/unreachable \(EPIPE\)/);
    expect(engineFailureOf(new Error("socket hang up"))).toMatch(/Docker engine failed: socket hang up/);
  });

  it("names a container removed or stopped under an exec (404/409 from the engine)", () => {
    expect(engineFailureOf(http(404, "(HTTP code 404) no such container - No such container: 0123abcd"))).toMatch(/sandbox container is gone \(HTTP 404\)/);
    expect(engineFailureOf(http(409, "(HTTP code 409) unexpected - Container 0123abcd is not running"))).toMatch(/gone \(HTTP 409\).*not running/);
  });

  it("passes the sandbox's own engine errors through with their message", () => {
    expect(engineFailureOf(new SandboxExecError("Sandbox 0123 is not running (removed, or past its 3600 s lifetime); create a new one."))).toMatch(/^Sandbox 0123 is not running/);
    expect(engineFailureOf(new SandboxUnavailableError("Docker is not reachable at /x.sock"))).toBe("Docker is not reachable at /x.sock");
  });

  it("does not classify command or task failures, other HTTP errors, or non-errors", () => {
    expect(engineFailureOf(new SandboxTimeoutError("timed out"))).toBeNull();
    expect(engineFailureOf(new ImageMissingError("no image lego/x"))).toBeNull();
    expect(engineFailureOf(new Error("the shell ended"))).toBeNull();
    expect(engineFailureOf(errno("EACCES", "permission denied"))).toBeNull();
    expect(engineFailureOf(http(404, "(HTTP code 404) no such image"))).toBeNull();
    expect(engineFailureOf(http(500, "(HTTP code 500) server error"))).toBeNull();
    expect(engineFailureOf("ENOENT")).toBeNull();
    expect(engineFailureOf(undefined)).toBeNull();
  });
});

describe("lostContainerReason: a returned exit code is the command's own only while the container runs", () => {
  const id = "0123456789abcdef0123";
  it("a running container: the result stands (exit 137 from the command's own kill included)", () => {
    expect(lostContainerReason(id, { running: true, exitCode: 0, oomKilled: false })).toBeNull();
  });
  it("a container gone or stopped (a daemon restart killed it): infra, with the reason", () => {
    expect(lostContainerReason(id, null)).toBe("the sandbox container 0123456789ab no longer exists (removed under the work, e.g. by a Docker engine restart)");
    expect(lostContainerReason(id, { running: false, exitCode: 137, oomKilled: false })).toMatch(/^the sandbox container 0123456789ab is no longer running \(exit 137; killed/);
    expect(lostContainerReason(id, { running: false, exitCode: 137, oomKilled: true })).toMatch(/exit 137, OOM-killed/);
  });
});
