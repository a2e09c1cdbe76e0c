import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { aptInstallCommand } from "../../../../src/environment/python-deps.js";

// The install command is shell run inside the image; here it runs against stand-in apt-get and
// apt-cache executables on PATH that know a fixed archive and record what was installed.
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function runWithArchive(packages: string[], archive: string[]): { installed: string[]; stderr: string } {
  dir = mkdtempSync(path.join(tmpdir(), "lego-apt-"));
  const record = path.join(dir, "installed");
  writeFileSync(record, "");
  writeFileSync(path.join(dir, "apt-cache"), `#!/bin/sh\n[ "$1" = show ] || exit 2\ncase " ${archive.join(" ")} " in *" $2 "*) echo "Package: $2";; *) echo "E: No packages found" >&2; exit 100;; esac\n`);
  writeFileSync(
    path.join(dir, "apt-get"),
    `#!/bin/sh\n[ "$1" = update ] && exit 0\n[ "$1" = install ] || exit 2\nfor a in "$@"; do case "$a" in -*|install) ;; *) echo "$a" >> ${record};; esac; done\n`,
  );
  for (const f of ["apt-cache", "apt-get"]) chmodSync(path.join(dir, f), 0o755);
  // rm -rf /var/lib/apt/lists/* is harmless here: the glob matches nothing we may remove as a user.
  const cmd = aptInstallCommand(packages).replace("rm -rf /var/lib/apt/lists/*", "true");
  let stderr = "";
  try {
    execFileSync("bash", ["-c", `${cmd} 2>${path.join(dir, "err")}`], { env: { PATH: `${dir}:/usr/bin:/bin` } });
  } finally {
    stderr = readFileSync(path.join(dir, "err"), "utf8");
  }
  return { installed: readFileSync(record, "utf8").split("\n").filter(Boolean), stderr };
}

describe("aptInstallCommand", () => {
  it("installs the packaged names when the last name on the list is not in Debian", () => {
    const r = runWithArchive(["python3-attr", "python3-hypothesis", "python3-zzz-not-packaged"], ["python3-attr", "python3-hypothesis"]);
    expect(r.installed).toEqual(["python3-attr", "python3-hypothesis"]);
    expect(r.stderr).toBe("");
  });

  it("installs nothing, and does not fail, when Debian has none of them", () => {
    const r = runWithArchive(["python3-nope", "python3-nada"], ["python3-attr"]);
    expect(r.installed).toEqual([]);
    expect(r.stderr).toBe("");
  });

  it("installs every name when all are packaged", () => {
    expect(runWithArchive(["python3-a", "python3-b"], ["python3-a", "python3-b"]).installed).toEqual(["python3-a", "python3-b"]);
  });
});
