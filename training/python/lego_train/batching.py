"""Batches and the causal-LM loss, shared by the plain torch loop and the transformers Trainer."""

from __future__ import annotations

from typing import Mapping, Sequence, Union

import torch
import torch.nn.functional as F

from .labels import IGNORE_INDEX, Example

Feature = Union[Example, Mapping[str, Sequence[int]]]


def pad_batch(features: Sequence[Feature], pad_id: int) -> dict[str, torch.Tensor]:
    """Right-padded input_ids, labels (IGNORE_INDEX on padding) and attention_mask."""
    rows = [(f.input_ids, f.labels) if isinstance(f, Example) else (f["input_ids"], f["labels"]) for f in features]
    width = max(len(ids) for ids, _ in rows)
    input_ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    labels = torch.full((len(rows), width), IGNORE_INDEX, dtype=torch.long)
    attention_mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, (ids, labs) in enumerate(rows):
        input_ids[i, : len(ids)] = torch.tensor(ids, dtype=torch.long)
        labels[i, : len(labs)] = torch.tensor(labs, dtype=torch.long)
        attention_mask[i, : len(ids)] = 1
    return {"input_ids": input_ids, "labels": labels, "attention_mask": attention_mask}


class Collator:
    """The Trainer's data_collator: dataset items are {"input_ids": [...], "labels": [...]}."""

    def __init__(self, pad_id: int):
        self.pad_id = pad_id

    def __call__(self, features: Sequence[Feature]) -> dict[str, torch.Tensor]:
        return pad_batch(features, self.pad_id)


def causal_lm_loss(logits: torch.Tensor, labels: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """Next-token cross-entropy as transformers computes it: the logits at t predict labels[t+1];
    IGNORE_INDEX positions add nothing, and "mean" divides by the learned tokens only."""
    shifted_logits = logits[:, :-1, :].reshape(-1, logits.size(-1)).float()
    shifted_labels = labels[:, 1:].reshape(-1)
    return F.cross_entropy(shifted_logits, shifted_labels, ignore_index=IGNORE_INDEX, reduction=reduction)


def count_targets(labels: torch.Tensor) -> int:
    """Tokens that contribute to the loss (the denominator of its mean)."""
    return int((labels[:, 1:] != IGNORE_INDEX).sum())


class ExampleDataset(torch.utils.data.Dataset):
    """Examples as the Trainer's map-style dataset of {"input_ids", "labels"} items."""

    def __init__(self, examples: Sequence[Example]):
        self.examples = examples

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, index: int) -> dict[str, list[int]]:
        example = self.examples[index]
        return {"input_ids": example.input_ids, "labels": example.labels}
