"""Token ids and loss labels of one conversation, rendered with Qwen's ChatML.

The text is what the `qwen3_nothink` template renders in the LLaMA-Factory fork SWE-Lego trains
with (0.9.4.dev0): no default system prompt, and an assistant message is its content followed by
"<|im_end|>\n". Each message is tokenized on its own, as LLaMA-Factory does, so a label boundary
is always a message boundary. Only assistant messages are learned, and never one marked
`turn_mask: true` (the SWE-Lego error masking: a failed action stays in context, teaches nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from .dataset import Conversation, Message

IGNORE_INDEX = -100  # what torch's cross-entropy and transformers skip
IM_START = "<|im_start|>"
IM_END = "<|im_end|>"

Encode = Callable[[str], list[int]]


@dataclass(frozen=True)
class Segment:
    text: str
    trainable: bool


@dataclass(frozen=True)
class Example:
    input_ids: list[int]
    labels: list[int]


def render(messages: Sequence[Message]) -> list[Segment]:
    """One segment per message; a user segment ends with the assistant header, as in generation."""
    segments = []
    for message in messages:
        if message.role == "system":
            segments.append(Segment(f"{IM_START}system\n{message.content}{IM_END}\n", False))
        elif message.role == "user":
            segments.append(Segment(f"{IM_START}user\n{message.content}{IM_END}\n{IM_START}assistant\n", False))
        else:
            segments.append(Segment(f"{message.content}{IM_END}\n", not message.masked))
    return segments


def build_example(messages: Sequence[Message], encode: Encode, cutoff_len: int) -> Example:
    """input_ids and labels (IGNORE_INDEX outside learned assistant messages), cut to cutoff_len."""
    input_ids: list[int] = []
    labels: list[int] = []
    for segment in render(messages):
        ids = encode(segment.text)
        input_ids.extend(ids)
        labels.extend(ids if segment.trainable else [IGNORE_INDEX] * len(ids))
    return Example(input_ids[:cutoff_len], labels[:cutoff_len])


def has_targets(example: Example) -> bool:
    """Whether any token is learned; the first label can never be predicted, so it does not count."""
    return any(label != IGNORE_INDEX for label in example.labels[1:])


def build_examples(conversations: Iterable[Conversation], encode: Encode, cutoff_len: int) -> tuple[list[Example], int]:
    """Examples to train on, and how many conversations were left out for having nothing to learn
    (every assistant turn masked, or cut off by cutoff_len)."""
    examples: list[Example] = []
    skipped = 0
    for conversation in conversations:
        example = build_example(conversation.messages, encode, cutoff_len)
        if has_targets(example):
            examples.append(example)
        else:
            skipped += 1
    return examples, skipped
