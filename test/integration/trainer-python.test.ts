// The Python trainer's own unittest suite (label masking, the zero-gradient proof, the curriculum,
// dataset errors, tiny end-to-end runs) under Debian's python3 with python3-torch, so `npm test`
// runs it. deploy/provision-python.sh installs what it needs.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const PYTHON = "/usr/bin/python3";
const TRAINER_DIR = fileURLToPath(new URL("../../training/python", import.meta.url));
const TIMEOUT_MS = 280_000;

function runUnittest(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ["-m", "unittest", "discover", "-v", "-s", "tests", "-t", "."], {
      cwd: TRAINER_DIR,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`${PYTHON} could not be started (${err.message}); run: bash deploy/provision-python.sh`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

it("passes the trainer's Python test suite", async () => {
  const { code, output } = await runUnittest();
  if (code !== 0) {
    const hint = /No module named 'torch'/.test(output)
      ? "python3-torch is missing; run: bash deploy/provision-python.sh"
      : "see the unittest output below";
    throw new Error(`the trainer's Python tests failed (exit ${code ?? "killed after time-out"}): ${hint}\n${output}`);
  }
  // Discovery that found nothing would also exit 0: the masking proof must have run and passed.
  expect(output).toMatch(/test_masked_turn_gets_exactly_zero_gradient_and_the_unmasked_turn_does_not .*\.\.\. ok/);
  expect(output).toMatch(/^OK$/m);
}, TIMEOUT_MS + 10_000);
