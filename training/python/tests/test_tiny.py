import copy
import math
import tempfile
import unittest

import torch

from lego_train.batching import causal_lm_loss, pad_batch
from lego_train.labels import IGNORE_INDEX, IM_END, IM_START, Example
from lego_train.loop import Hyper, lr_factor, total_steps, train_step
from lego_train.tiny import ByteTokenizer, TinyCausalLM, TinyConfig, is_tiny_checkpoint, load_tiny, save_tiny

TOKENIZER = ByteTokenizer()


class ByteTokenizerTest(unittest.TestCase):
    def test_markers_are_single_tokens_and_text_is_utf8(self):
        ids = TOKENIZER.encode(f"{IM_START}user\nhé{IM_END}")
        self.assertEqual(ids, [256, *b"user\n", *"hé".encode(), 257])
        self.assertEqual(TOKENIZER.decode(ids), f"{IM_START}user\nhé{IM_END}")
        self.assertTrue(all(0 <= i < TOKENIZER.vocab_size for i in ids))


class CheckpointTest(unittest.TestCase):
    def test_save_and_load_give_the_same_model(self):
        torch.manual_seed(1)
        model = TinyCausalLM(TinyConfig())
        ids = torch.tensor([TOKENIZER.encode("hello world")])
        with tempfile.TemporaryDirectory() as directory:
            save_tiny(model, TOKENIZER, directory)
            self.assertTrue(is_tiny_checkpoint(directory))
            loaded, _ = load_tiny(directory)
        self.assertTrue(torch.equal(model(ids), loaded(ids)))

    def test_other_folders_are_not_tiny_checkpoints(self):
        with tempfile.TemporaryDirectory() as directory:
            self.assertFalse(is_tiny_checkpoint(directory))
        self.assertFalse(is_tiny_checkpoint("Qwen/Qwen3-8B"))

    def test_the_model_is_causal(self):
        torch.manual_seed(2)
        model = TinyCausalLM(TinyConfig())
        a = torch.tensor([TOKENIZER.encode("abcdef")])
        b = torch.tensor([TOKENIZER.encode("abcxyz")])
        self.assertTrue(torch.allclose(model(a)[0, :3], model(b)[0, :3]))
        self.assertFalse(torch.allclose(model(a)[0, 3:], model(b)[0, 3:]))


class ScheduleTest(unittest.TestCase):
    def test_lr_factor(self):
        cases = [
            ("warmup starts at zero", "cosine", 0, 10, 100, 0.0),
            ("halfway through warmup", "cosine", 5, 10, 100, 0.5),
            ("peak after warmup", "cosine", 10, 10, 100, 1.0),
            ("cosine halfway", "cosine", 55, 10, 100, 0.5),
            ("cosine end", "cosine", 100, 10, 100, 0.0),
            ("linear halfway", "linear", 55, 10, 100, 0.5),
            ("constant", "constant", 90, 10, 100, 1.0),
        ]
        for name, kind, step, warmup, total, expected in cases:
            with self.subTest(name):
                self.assertAlmostEqual(lr_factor(kind, step, warmup, total), expected)

    def test_total_steps(self):
        cases = [
            ("epochs × ceil(batches / accumulation)", 10, Hyper(epochs=2, batch_size=2, grad_accum=2), 6),
            ("a fractional epoch", 16, Hyper(epochs=0.5, batch_size=1, grad_accum=8), 1),
            ("max_steps wins", 10, Hyper(max_steps=7), 7),
        ]
        for name, examples, hyper, expected in cases:
            with self.subTest(name):
                self.assertEqual(total_steps(examples, hyper), expected)


class TrainStepTest(unittest.TestCase):
    def test_accumulated_micro_batches_equal_one_batch(self):
        # Loss is averaged over the learned tokens of the whole step, as transformers does, so
        # splitting a batch into micro-batches of unequal size changes nothing.
        examples = [
            Example([1, 2, 3, 4, 5, 6], [IGNORE_INDEX, IGNORE_INDEX, 3, 4, 5, 6]),
            Example([7, 8, 9], [IGNORE_INDEX, 8, IGNORE_INDEX]),
            Example([10, 11, 12, 13], [IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX, 13]),
        ]
        torch.manual_seed(3)
        model = TinyCausalLM(TinyConfig())
        whole = pad_batch(examples, TOKENIZER.pad_token_id)
        expected_loss = causal_lm_loss(model(whole["input_ids"]), whole["labels"]).item()

        one, split = copy.deepcopy(model), copy.deepcopy(model)
        sgd_one = torch.optim.SGD(one.parameters(), lr=0.1)
        sgd_split = torch.optim.SGD(split.parameters(), lr=0.1)
        loss_one, tokens_one = train_step(one, sgd_one, [whole], max_grad_norm=0)
        micro = [pad_batch(examples[:1], TOKENIZER.pad_token_id), pad_batch(examples[1:], TOKENIZER.pad_token_id)]
        loss_split, tokens_split = train_step(split, sgd_split, micro, max_grad_norm=0)

        self.assertAlmostEqual(loss_one, expected_loss, places=5)
        self.assertAlmostEqual(loss_split, expected_loss, places=5)
        self.assertEqual((tokens_one, tokens_split), (13, 13))
        for a, b in zip(one.parameters(), split.parameters()):
            self.assertTrue(torch.allclose(a, b, atol=1e-6))
        self.assertTrue(math.isfinite(loss_one))


if __name__ == "__main__":
    unittest.main()


class TinyCutoffTest(unittest.TestCase):
    def test_the_tiny_model_caps_its_sequences(self):
        # The recipe's cutoff on byte tokens would make full attention need tens of GB.
        from lego_train.backends import TINY_MAX_LEN, TinyBackend
        from lego_train.curriculum import StagePlan
        from lego_train.dataset import Conversation, Message

        conversation = Conversation("t:1", (Message("user", "x"), Message("assistant", "y" * (3 * TINY_MAX_LEN))))
        with tempfile.TemporaryDirectory() as out:
            plan = StagePlan("all", ("d",), "tiny", out)
            examples, skipped, metrics = TinyBackend().run_stage(plan, [conversation], Hyper(max_steps=1, grad_accum=1), lambda _: None)
        self.assertEqual((examples, skipped), (1, 0))
        self.assertEqual(metrics.tokens, TINY_MAX_LEN)
