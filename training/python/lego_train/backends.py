"""Which trainer runs a stage: the tiny torch model, or a Hugging Face model through transformers."""

from __future__ import annotations

from typing import Callable, Protocol

import torch

from .curriculum import StagePlan
from .dataset import Conversation
from .errors import UsageError
from .hf import HFOptions, TransformersBackend
from .labels import build_examples
from .loop import Hyper, StageMetrics, StepLog, train_loop
from .tiny import ByteTokenizer, TinyCausalLM, TinyConfig, is_tiny_checkpoint, load_tiny, save_tiny

TINY = "tiny"


class Backend(Protocol):
    name: str

    def run_stage(self, plan: StagePlan, conversations: list[Conversation], hyper: Hyper, on_log: Callable[[StepLog], None]) -> tuple[int, int, StageMetrics]:
        """Trains one stage from plan.init_from, writes plan.output_dir; (examples, skipped, metrics)."""
        ...


# The tiny model attends over the whole sequence at once: its memory grows with the square of the
# length, so the recipe's 131072-token cutoff on byte tokens would need tens of GB. It is a CPU
# stand-in for tests and benchmarks, so its sequences are capped.
TINY_MAX_LEN = 2048


def tiny_cutoff(cutoff_len: int) -> int:
    return min(cutoff_len, TINY_MAX_LEN)


class TinyBackend:
    """A fresh tiny model (`--model tiny`) or a tiny checkpoint, trained by the plain torch loop."""

    name = TINY

    def run_stage(self, plan: StagePlan, conversations: list[Conversation], hyper: Hyper, on_log: Callable[[StepLog], None]) -> tuple[int, int, StageMetrics]:
        if plan.init_from == TINY:
            torch.manual_seed(hyper.seed)
            model, tokenizer = TinyCausalLM(TinyConfig()), ByteTokenizer()
        else:
            model, tokenizer = load_tiny(plan.init_from)
        cutoff = tiny_cutoff(hyper.cutoff_len)
        examples, skipped = build_examples(conversations, tokenizer.encode, cutoff)
        if not examples:
            raise UsageError(f"stage {plan.name}: no conversation has a learned token within cutoff_len={cutoff}; raise --cutoff-len or check turn_mask")
        metrics = train_loop(model, examples, tokenizer.pad_token_id, hyper, on_log)
        save_tiny(model, tokenizer, plan.output_dir)
        return len(examples), skipped, metrics


def select_backend(model: str, options: HFOptions) -> Backend:
    if model == TINY or is_tiny_checkpoint(model):
        return TinyBackend()
    return TransformersBackend(options)
