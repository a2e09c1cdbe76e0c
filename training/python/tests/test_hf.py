"""The transformers path's decisions. transformers itself is not installed here; these are the
pure functions that shape what it receives."""

import sys
import unittest

from lego_train.errors import MissingDependency
from lego_train.hf import HFOptions, load_transformers, training_kwargs, yarn_rope_scaling
from lego_train.loop import Hyper

# Field names (and the defaults that matter) of TrainingArguments in the two API generations.
V4_FIELDS = {"output_dir": None, "warmup_ratio": 0.0, "warmup_steps": 0, "include_num_input_tokens_seen": False, "local_rank": -1}
V5_FIELDS = {"output_dir": "trainer_output", "warmup_steps": 0, "include_num_input_tokens_seen": "no"}


class TrainingKwargsTest(unittest.TestCase):
    def test_the_recipe_reaches_training_arguments(self):
        kwargs = training_kwargs(V4_FIELDS, "/out/stages/easy", Hyper(), HFOptions(deepspeed="ds_z3.json", bf16=True))
        expected = {
            "output_dir": "/out/stages/easy",
            "num_train_epochs": 4.0,
            "per_device_train_batch_size": 1,
            "gradient_accumulation_steps": 8,
            "learning_rate": 1e-4,
            "weight_decay": 0.01,
            "max_grad_norm": 1.0,
            "lr_scheduler_type": "cosine",
            "warmup_ratio": 0.1,
            "bf16": True,
            "deepspeed": "ds_z3.json",
            "report_to": "none",
            "remove_unused_columns": False,
        }
        self.assertEqual({k: kwargs[k] for k in expected}, expected)

    def test_version_differences(self):
        cases = [
            ("4.x: warmup_ratio, boolean token count", V4_FIELDS, {"warmup_ratio": 0.1, "include_num_input_tokens_seen": True}, ["warmup_steps"]),
            ("5.x: warmup as a ratio in warmup_steps, non-padding token count", V5_FIELDS, {"warmup_steps": 0.1, "include_num_input_tokens_seen": "non_padding"}, ["warmup_ratio"]),
        ]
        for name, fields, present, absent in cases:
            with self.subTest(name):
                kwargs = training_kwargs(fields, "/o", Hyper(), HFOptions())
                self.assertEqual({k: kwargs.get(k) for k in present}, present)
                for key in absent:
                    self.assertNotIn(key, kwargs)
                self.assertNotIn("deepspeed", kwargs)

    def test_local_rank_from_the_deepspeed_launcher(self):
        self.assertEqual(training_kwargs(V4_FIELDS, "/o", Hyper(), HFOptions(local_rank=3))["local_rank"], 3)
        self.assertNotIn("local_rank", training_kwargs(V5_FIELDS, "/o", Hyper(), HFOptions(local_rank=3)))
        self.assertNotIn("local_rank", training_kwargs(V4_FIELDS, "/o", Hyper(), HFOptions()))


class YarnTest(unittest.TestCase):
    def test_factor(self):
        cases = [
            ("Qwen3 (40960) to the recipe's 131072", 40960, 131072, {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 40960}),
            ("already long enough", 131072, 131072, None),
            ("unknown window", None, 131072, None),
        ]
        for name, window, cutoff, expected in cases:
            with self.subTest(name):
                self.assertEqual(yarn_rope_scaling(window, cutoff), expected)


class MissingTransformersTest(unittest.TestCase):
    def test_a_clear_error_and_exit_status_3(self):
        saved = sys.modules.get("transformers")
        sys.modules["transformers"] = None  # makes `import transformers` fail, as on a machine without it
        try:
            with self.assertRaises(MissingDependency) as caught:
                load_transformers()
        finally:
            if saved is None:
                del sys.modules["transformers"]
            else:
                sys.modules["transformers"] = saved
        self.assertEqual(caught.exception.exit_code, 3)
        self.assertIn("pip install 'transformers", str(caught.exception))
        self.assertIn("--model tiny", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
