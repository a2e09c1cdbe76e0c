"""`python -m lego_train` as the launcher runs it: a child process on the tiny model."""

import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

import torch

from .support import curriculum_export, judgement, trajectory, write_export

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAST = ["--epochs", "2", "--batch-size", "2", "--grad-accum", "1", "--learning-rate", "3e-3", "--warmup-ratio", "0"]


def run_trainer(*args: str, prelude: str = "") -> subprocess.CompletedProcess:
    """The CLI in a fresh interpreter; `prelude` runs first (to take a library away)."""
    code = f"{prelude}\nimport sys\nfrom lego_train.cli import main\nsys.exit(main(sys.argv[1:]))"
    env = {**os.environ, "PYTHONPATH": PACKAGE_ROOT}
    env.pop("RANK", None)
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=300)


def step_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def read_result(output_dir: str) -> dict:
    with open(os.path.join(output_dir, "result.json")) as handle:
        return json.load(handle)


class EndToEndTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.dir = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def test_sft_curriculum_on_the_tiny_model(self):
        export = curriculum_export(os.path.join(self.dir, "export"))
        out = os.path.join(self.dir, "out")
        done = run_trainer("sft", "--data", export, "--model", "tiny", "--output-dir", out, *FAST)
        self.assertEqual(done.returncode, 0, done.stderr)

        # stdout: only step lines, numbered across stages, tokens growing, a finite loss.
        steps = step_lines(done.stdout)
        self.assertEqual([s["step"] for s in steps], list(range(1, len(steps) + 1)))
        self.assertEqual([s["stage"] for s in steps], ["easy"] * 4 + ["easy_medium"] * 6 + ["all"] * 8)
        self.assertTrue(all(b["tokens"] > a["tokens"] for a, b in zip(steps, steps[1:])))
        self.assertTrue(all(math.isfinite(s["loss"]) for s in steps))
        self.assertLess(steps[-1]["loss"], steps[0]["loss"])

        result = read_result(out)
        self.assertEqual((result["status"], result["task"], result["backend"]), ("succeeded", "sft", "tiny"))
        stages = result["stages"]
        self.assertEqual([s["name"] for s in stages], ["easy", "easy_medium", "all"])
        self.assertEqual([s["init_from"] for s in stages], ["tiny", stages[0]["checkpoint"], stages[1]["checkpoint"]])
        self.assertEqual([s["conversations"] for s in stages], [4, 6, 8])
        # A masked tool call leaves the finish turn to learn, so no conversation is left out.
        self.assertEqual([s["skipped"] for s in stages], [0, 0, 0])
        self.assertEqual(result["checkpoint"], os.path.join(out, "stages", "all"))
        self.assertEqual(result["metrics"]["steps"], len(steps))
        self.assertEqual(result["metrics"]["tokens"], steps[-1]["tokens"])
        for stage in stages:
            self.assertEqual(sorted(os.listdir(stage["checkpoint"])), ["config.json", "model.pt", "tokenizer.json"])

        # Each stage starts from the previous checkpoint: rerunning the last stage alone from the
        # middle stage's checkpoint gives bit-identical weights.
        again = os.path.join(self.dir, "again")
        rerun = run_trainer("sft", "--data", export, "--model", stages[1]["checkpoint"], "--output-dir", again, "--stages", "all", *FAST)
        self.assertEqual(rerun.returncode, 0, rerun.stderr)
        self.assertEqual(read_result(again)["stages"][0]["init_from"], stages[1]["checkpoint"])
        chained = torch.load(os.path.join(stages[2]["checkpoint"], "model.pt"))
        alone = torch.load(os.path.join(again, "stages", "all", "model.pt"))
        self.assertTrue(all(torch.equal(chained[k], alone[k]) for k in chained))

    def test_verifier_from_its_export(self):
        export = write_export(os.path.join(self.dir, "export"), {"lego_verifier": [judgement(i, yes=i % 3 == 0) for i in range(6)]})
        out = os.path.join(self.dir, "out")
        done = run_trainer("verifier", "--data", export, "--model", "tiny", "--output-dir", out, *FAST)
        self.assertEqual(done.returncode, 0, done.stderr)
        result = read_result(out)
        self.assertEqual((result["status"], result["task"]), ("succeeded", "verifier"))
        self.assertEqual([(s["name"], s["judgements"]) for s in result["stages"]], [("all", {"YES": 2, "NO": 4})])
        self.assertEqual(len(step_lines(done.stdout)), 6)

    def test_bad_rows_fail_before_training_with_file_and_line(self):
        rows = [trajectory(0), {"messages": [{"role": "user", "content": "no answer"}]}]
        export = write_export(os.path.join(self.dir, "export"), {"sft_all": rows})
        out = os.path.join(self.dir, "out")
        done = run_trainer("sft", "--data", export, "--model", "tiny", "--output-dir", out, *FAST)
        self.assertEqual(done.returncode, 2)
        self.assertEqual(done.stdout, "")
        where = f"{os.path.join(export, 'sft_all.jsonl')}:2"
        self.assertIn(f"{where}: the conversation must end with an assistant message", done.stderr)
        result = read_result(out)
        self.assertEqual((result["status"], result["exit_code"], result["checkpoint"]), ("failed", 2, None))
        self.assertIn(where, result["error"])
        self.assertFalse(os.path.exists(os.path.join(out, "stages")))

    def test_a_real_model_without_transformers_says_what_to_install(self):
        export = write_export(os.path.join(self.dir, "export"), {"sft_all": [trajectory(0)]})
        out = os.path.join(self.dir, "out")
        done = run_trainer("sft", "--data", export, "--model", "Qwen/Qwen3-8B", "--output-dir", out, prelude="import sys; sys.modules['transformers'] = None")
        self.assertEqual(done.returncode, 3)
        self.assertIn("transformers is not installed", done.stderr)
        self.assertEqual(read_result(out)["status"], "failed")

    def test_a_previous_result_never_describes_a_new_run(self):
        out = os.path.join(self.dir, "out")
        os.makedirs(out)
        with open(os.path.join(out, "result.json"), "w") as handle:
            json.dump({"status": "succeeded", "checkpoint": "/old"}, handle)
        done = run_trainer("sft", "--data", os.path.join(self.dir, "missing"), "--model", "tiny", "--output-dir", out)
        self.assertEqual(done.returncode, 2)
        self.assertEqual(read_result(out)["status"], "failed")


if __name__ == "__main__":
    unittest.main()
