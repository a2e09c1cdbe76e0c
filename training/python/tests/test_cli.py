import contextlib
import io
import unittest

from lego_train.cli import hyper_from, parse_args

REQUIRED = ["--data", "export", "--model", "tiny", "--output-dir", "out"]


class ParseArgsTest(unittest.TestCase):
    def test_recipe_defaults_per_task(self):
        cases = [
            ("sft: the SWE-Lego 8B recipe", ["sft"], {"learning_rate": 1e-4, "epochs": 4.0}),
            ("verifier: the SWE-Lego verifier recipe", ["verifier"], {"learning_rate": 2e-5, "epochs": 5.0}),
            ("explicit values win", ["sft", "--learning-rate", "5e-5", "--epochs", "2"], {"learning_rate": 5e-5, "epochs": 2.0}),
        ]
        for name, argv, expected in cases:
            with self.subTest(name):
                hyper = hyper_from(parse_args([*argv, *REQUIRED]))
                self.assertEqual({k: getattr(hyper, k) for k in expected}, expected)
                self.assertEqual((hyper.batch_size, hyper.grad_accum, hyper.cutoff_len, hyper.warmup_ratio), (1, 8, 131072, 0.1))

    def test_bad_values_are_usage_errors(self):
        cases = [
            ["--cutoff-len", "0"],
            ["--warmup-ratio", "1"],
            ["--bf16", "--fp16"],
            ["--epochs", "0"],
            ["--lr-scheduler", "polynomial"],
        ]
        for extra in cases:
            with self.subTest(extra=extra):
                with contextlib.redirect_stderr(io.StringIO()), self.assertRaises(SystemExit) as caught:
                    parse_args(["sft", *REQUIRED, *extra])
                self.assertEqual(caught.exception.code, 2)

    def test_the_deepspeed_launchers_local_rank_is_accepted(self):
        for flag in ("--local_rank=1", "--local-rank=1"):
            with self.subTest(flag=flag):
                self.assertEqual(parse_args(["sft", *REQUIRED, flag]).local_rank, 1)


if __name__ == "__main__":
    unittest.main()
