import { describe, expect, it } from "vitest";
import { createDocker, dockerEndpoint } from "../../../sandbox/docker.js";
import { SandboxUnavailableError } from "../../../sandbox/errors.js";

describe("createDocker", () => {
  it("uses the local socket without DOCKER_HOST", () => {
    expect(dockerEndpoint(createDocker({}))).toBe("/var/run/docker.sock");
  });

  it("honours unix:// and tcp:// DOCKER_HOST", () => {
    expect(dockerEndpoint(createDocker({ DOCKER_HOST: "unix:///run/user/1000/docker.sock" }))).toBe(
      "/run/user/1000/docker.sock",
    );
    expect(dockerEndpoint(createDocker({ DOCKER_HOST: "tcp://10.0.0.5:2375" }))).toBe("http://10.0.0.5:2375");
    expect(dockerEndpoint(createDocker({ DOCKER_HOST: "tcp://docker:2376" }))).toBe("https://docker:2376");
  });

  it("rejects other schemes with a message that lists the supported ones", () => {
    expect(() => createDocker({ DOCKER_HOST: "ssh://me@host" })).toThrow(SandboxUnavailableError);
    expect(() => createDocker({ DOCKER_HOST: "ssh://me@host" })).toThrow(/unix:\/\/.*tcp:\/\//);
  });
});
