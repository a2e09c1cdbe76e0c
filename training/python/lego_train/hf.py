"""Training a Hugging Face model with transformers' Trainer.

`transformers` is imported only when this path is chosen, so the package and its tests need
nothing beyond torch. The Trainer handles distribution: torchrun / accelerate set RANK and
LOCAL_RANK, `--deepspeed cfg.json` goes to TrainingArguments, and nothing here changes with them.
"""

from __future__ import annotations

import gc
import math
from dataclasses import dataclass, fields
from typing import Any, Callable, Optional

from .batching import Collator, ExampleDataset
from .curriculum import StagePlan
from .dataset import Conversation
from .errors import MissingDependency, UsageError
from .labels import build_examples
from .loop import Hyper, StageMetrics, StepLog

INSTALL_HINT = (
    "transformers is not installed for this Python: install it on the training machine "
    "(pip install 'transformers>=4.46' accelerate, plus deepspeed for --deepspeed), "
    "or run with --model tiny for a CPU smoke run"
)


@dataclass(frozen=True)
class HFOptions:
    deepspeed: Optional[str] = None
    bf16: bool = False
    fp16: bool = False
    gradient_checkpointing: bool = False
    rope_scaling: Optional[str] = None  # "yarn": stretch the context to cutoff_len as LLaMA-Factory does
    attn_implementation: Optional[str] = None
    trust_remote_code: bool = False
    save_strategy: str = "no"
    save_steps: Optional[int] = None
    local_rank: Optional[int] = None


def load_transformers() -> Any:
    try:
        import transformers
    except ImportError as err:
        raise MissingDependency(INSTALL_HINT) from err
    return transformers


def training_kwargs(available: dict[str, Any], output_dir: str, hyper: Hyper, options: HFOptions) -> dict[str, Any]:
    """TrainingArguments for one stage. `available` maps the installed version's field names to
    their defaults: warmup and token counting are spelled differently across transformers 4.x/5.x."""
    kwargs: dict[str, Any] = {
        "output_dir": output_dir,
        "num_train_epochs": hyper.epochs,
        "max_steps": hyper.max_steps,
        "per_device_train_batch_size": hyper.batch_size,
        "gradient_accumulation_steps": hyper.grad_accum,
        "learning_rate": hyper.learning_rate,
        "weight_decay": hyper.weight_decay,
        "max_grad_norm": hyper.max_grad_norm,
        "lr_scheduler_type": hyper.lr_scheduler,
        "logging_steps": hyper.logging_steps,
        "seed": hyper.seed,
        "bf16": options.bf16,
        "fp16": options.fp16,
        "gradient_checkpointing": options.gradient_checkpointing,
        "save_strategy": options.save_strategy,
        "report_to": "none",
        "remove_unused_columns": False,
        "disable_tqdm": True,
    }
    if options.deepspeed:
        kwargs["deepspeed"] = options.deepspeed
    if options.save_steps is not None:
        kwargs["save_steps"] = options.save_steps
    if "warmup_ratio" in available:
        kwargs["warmup_ratio"] = hyper.warmup_ratio
    else:  # 5.x: a float below 1 is a ratio of the total steps
        kwargs["warmup_steps"] = hyper.warmup_ratio
    if "include_num_input_tokens_seen" in available:
        kwargs["include_num_input_tokens_seen"] = "non_padding" if isinstance(available["include_num_input_tokens_seen"], str) else True
    if options.local_rank is not None and options.local_rank >= 0 and "local_rank" in available:
        kwargs["local_rank"] = options.local_rank
    return kwargs


def yarn_rope_scaling(max_position_embeddings: Optional[int], cutoff_len: int) -> Optional[dict[str, Any]]:
    """LLaMA-Factory's `rope_scaling: yarn`: a whole factor that stretches the native window to
    cutoff_len; None when the window already holds it."""
    if not max_position_embeddings or cutoff_len <= max_position_embeddings:
        return None
    return {
        "rope_type": "yarn",
        "factor": float(math.ceil(cutoff_len / max_position_embeddings)),
        "original_max_position_embeddings": max_position_embeddings,
    }


class TransformersBackend:
    name = "transformers"

    def __init__(self, options: HFOptions):
        self.options = options
        self.tf = load_transformers()

    def run_stage(self, plan: StagePlan, conversations: list[Conversation], hyper: Hyper, on_log: Callable[[StepLog], None]) -> tuple[int, int, StageMetrics]:
        tf, options = self.tf, self.options
        available = {f.name: f.default for f in fields(tf.TrainingArguments)}
        # Created before the model: with ZeRO-3 this makes from_pretrained partition the weights.
        args = tf.TrainingArguments(**training_kwargs(available, plan.output_dir, hyper, options))
        tokenizer = tf.AutoTokenizer.from_pretrained(plan.init_from, trust_remote_code=options.trust_remote_code)
        pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        if pad_id is None:
            raise UsageError(f"the tokenizer of {plan.init_from} has neither a pad nor an eos token; set one in its tokenizer_config.json")
        examples, skipped = build_examples(conversations, lambda text: tokenizer.encode(text, add_special_tokens=False), hyper.cutoff_len)
        if not examples:
            raise UsageError(f"stage {plan.name}: no conversation has a learned token within cutoff_len={hyper.cutoff_len}; raise --cutoff-len or check turn_mask")

        config = tf.AutoConfig.from_pretrained(plan.init_from, trust_remote_code=options.trust_remote_code)
        if options.rope_scaling == "yarn":
            scaling = yarn_rope_scaling(getattr(config, "max_position_embeddings", None), hyper.cutoff_len)
            if scaling:
                config.rope_scaling = scaling
        config.use_cache = False  # no KV cache in training; required with gradient checkpointing
        model_kwargs: dict[str, Any] = {"config": config, "trust_remote_code": options.trust_remote_code}
        if options.attn_implementation:
            model_kwargs["attn_implementation"] = options.attn_implementation
        model = tf.AutoModelForCausalLM.from_pretrained(plan.init_from, **model_kwargs)

        reporter = _step_callback(tf, on_log)
        trainer = tf.Trainer(
            model=model,
            args=args,
            train_dataset=ExampleDataset(examples),
            data_collator=Collator(pad_id),
            callbacks=[reporter],
        )
        output = trainer.train()
        trainer.save_model(plan.output_dir)
        if trainer.is_world_process_zero():
            tokenizer.save_pretrained(plan.output_dir)
        trainer.accelerator.wait_for_everyone()  # the next stage loads what rank 0 wrote

        metrics = StageMetrics(
            steps=int(output.global_step),
            tokens=int(getattr(trainer.state, "num_input_tokens_seen", 0) or 0),
            train_loss=float(output.training_loss),
            final_loss=reporter.last_loss,
            runtime_s=float(output.metrics.get("train_runtime", math.nan)),
        )
        trainer.accelerator.free_memory()  # drops the DeepSpeed engine and optimizer state before the next stage
        del trainer, model
        _release_memory()
        return len(examples), skipped, metrics


def _step_callback(tf: Any, on_log: Callable[[StepLog], None]) -> Any:
    class StepReporter(tf.TrainerCallback):
        last_loss = math.nan

        def on_log(self, args, state, control, logs=None, **kwargs):  # noqa: ANN001 - Trainer's signature
            if not logs or "loss" not in logs or not state.is_world_process_zero:
                return
            self.last_loss = float(logs["loss"])
            on_log(
                StepLog(
                    step=int(state.global_step),
                    loss=self.last_loss,
                    tokens=int(getattr(state, "num_input_tokens_seen", 0) or 0),
                    learning_rate=float(logs.get("learning_rate", math.nan)),
                    epoch=float(logs.get("epoch", state.epoch or 0.0)),
                )
            )

    return StepReporter()


def _release_memory() -> None:
    import torch

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
