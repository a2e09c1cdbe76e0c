"""A plain torch training loop for the tiny model: the same batches, loss and schedule semantics as
the transformers Trainer (loss averaged over the learned tokens of a whole accumulated step)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, Sequence

import torch

from .batching import causal_lm_loss, count_targets, pad_batch
from .labels import Example

SCHEDULERS = ("cosine", "linear", "constant")


@dataclass(frozen=True)
class Hyper:
    """Training settings; defaults are the SWE-Lego recipe's for SFT of an 8B model."""

    epochs: float = 4.0
    max_steps: int = -1  # > 0 overrides epochs
    batch_size: int = 1
    grad_accum: int = 8
    learning_rate: float = 1e-4
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    max_grad_norm: float = 1.0
    lr_scheduler: str = "cosine"
    logging_steps: int = 1
    seed: int = 42
    cutoff_len: int = 131072


@dataclass(frozen=True)
class StepLog:
    step: int  # optimizer steps in this stage
    loss: float
    tokens: int  # input tokens (no padding) processed in this stage so far
    learning_rate: float
    epoch: float


@dataclass(frozen=True)
class StageMetrics:
    steps: int
    tokens: int
    train_loss: float  # mean of every step's loss, as the Trainer reports it
    final_loss: float  # the last logged loss
    runtime_s: float


def lr_factor(kind: str, step: int, warmup: int, total: int) -> float:
    """The Trainer's schedules (get_{cosine,linear,constant}_schedule_with_warmup)."""
    if step < warmup:
        return step / max(1, warmup)
    if kind == "constant":
        return 1.0
    progress = (step - warmup) / max(1, total - warmup)
    if kind == "linear":
        return max(0.0, 1.0 - progress)
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * progress)))


def total_steps(examples: int, hyper: Hyper) -> int:
    if hyper.max_steps > 0:
        return hyper.max_steps
    per_epoch = math.ceil(math.ceil(examples / hyper.batch_size) / hyper.grad_accum)
    return max(1, math.ceil(hyper.epochs * per_epoch))


def train_step(model: torch.nn.Module, optimizer: torch.optim.Optimizer, micro_batches: Sequence[dict], max_grad_norm: float) -> tuple[float, int]:
    """One optimizer step over accumulated micro-batches; (loss, input tokens)."""
    targets = sum(count_targets(b["labels"]) for b in micro_batches)
    model.train()
    loss_value = 0.0
    for batch in micro_batches:
        loss = causal_lm_loss(model(batch["input_ids"]), batch["labels"], reduction="sum") / targets
        loss.backward()
        loss_value += loss.item()
    if max_grad_norm > 0:
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return loss_value, sum(int(b["attention_mask"].sum()) for b in micro_batches)


def make_optimizer(model: torch.nn.Module, hyper: Hyper) -> torch.optim.Optimizer:
    # As the Trainer does: no weight decay on biases and norm weights.
    decay = [p for p in model.parameters() if p.requires_grad and p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.requires_grad and p.dim() < 2]
    groups = [{"params": decay, "weight_decay": hyper.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=hyper.learning_rate)


def train_loop(
    model: torch.nn.Module,
    examples: Sequence[Example],
    pad_id: int,
    hyper: Hyper,
    on_log: Callable[[StepLog], None],
    device: str = "cpu",
) -> StageMetrics:
    torch.manual_seed(hyper.seed)
    order_generator = torch.Generator().manual_seed(hyper.seed)
    model.to(device)
    optimizer = make_optimizer(model, hyper)
    total = total_steps(len(examples), hyper)
    warmup = math.ceil(total * hyper.warmup_ratio)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_factor(hyper.lr_scheduler, s, warmup, total))
    steps_per_epoch = math.ceil(math.ceil(len(examples) / hyper.batch_size) / hyper.grad_accum)

    started = time.perf_counter()
    step = tokens = 0
    losses: list[float] = []
    window: list[float] = []
    last_logged = math.nan
    while step < total:
        order = torch.randperm(len(examples), generator=order_generator).tolist()
        batches = [order[i : i + hyper.batch_size] for i in range(0, len(order), hyper.batch_size)]
        for first in range(0, len(batches), hyper.grad_accum):
            micro = [_to(pad_batch([examples[j] for j in b], pad_id), device) for b in batches[first : first + hyper.grad_accum]]
            loss, seen = train_step(model, optimizer, micro, hyper.max_grad_norm)
            scheduler.step()
            step += 1
            tokens += seen
            losses.append(loss)
            window.append(loss)
            if step % hyper.logging_steps == 0 or step == total:
                last_logged = sum(window) / len(window)
                on_log(StepLog(step, last_logged, tokens, scheduler.get_last_lr()[0], step / steps_per_epoch))
                window = []
            if step >= total:
                break
    return StageMetrics(step, tokens, sum(losses) / len(losses), last_logged, time.perf_counter() - started)


def _to(batch: dict, device: str) -> dict:
    return {k: v.to(device) for k, v in batch.items()}
