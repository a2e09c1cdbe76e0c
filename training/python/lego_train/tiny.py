"""A tiny randomly initialised causal LM and a byte-level tokenizer, for CPU and CI runs.

No download and nothing beyond torch: the trainer's data path, label masking, curriculum and
checkpoint chaining run end to end exactly as they do for a real model.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import asdict, dataclass

import torch
from torch import nn

from .labels import IM_END, IM_START

MODEL_TYPE = "lego-tiny"
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.pt"
TOKENIZER_FILE = "tokenizer.json"


class ByteTokenizer:
    """UTF-8 bytes are ids 0-255; the ChatML markers and padding are single ids after them."""

    SPECIAL_TOKENS = (IM_START, IM_END, "<|endoftext|>")

    def __init__(self) -> None:
        self.special_ids = {token: 256 + i for i, token in enumerate(self.SPECIAL_TOKENS)}
        self.pad_token_id = self.special_ids["<|endoftext|>"]
        self.vocab_size = 256 + len(self.SPECIAL_TOKENS)
        self._split = re.compile("(" + "|".join(re.escape(t) for t in self.SPECIAL_TOKENS) + ")")

    def encode(self, text: str) -> list[int]:
        ids: list[int] = []
        for part in self._split.split(text):
            if part in self.special_ids:
                ids.append(self.special_ids[part])
            elif part:
                ids.extend(part.encode("utf-8"))
        return ids

    def decode(self, ids: list[int]) -> str:
        names = {v: k for k, v in self.special_ids.items()}
        out, pending = [], bytearray()
        for i in ids:
            if i in names:
                out.append(pending.decode("utf-8", errors="replace") + names[i])
                pending = bytearray()
            else:
                pending.append(i)
        out.append(pending.decode("utf-8", errors="replace"))
        return "".join(out)

    def save(self, directory: str) -> None:
        with open(os.path.join(directory, TOKENIZER_FILE), "w", encoding="utf-8") as handle:
            json.dump({"type": "byte", "special_tokens": list(self.SPECIAL_TOKENS)}, handle)


@dataclass(frozen=True)
class TinyConfig:
    vocab_size: int = 256 + len(ByteTokenizer.SPECIAL_TOKENS)
    hidden_size: int = 64
    num_layers: int = 2
    num_heads: int = 4
    intermediate_size: int = 256
    model_type: str = MODEL_TYPE


class _Block(nn.Module):
    def __init__(self, config: TinyConfig):
        super().__init__()
        self.heads = config.num_heads
        self.norm1 = nn.LayerNorm(config.hidden_size)
        self.qkv = nn.Linear(config.hidden_size, 3 * config.hidden_size)
        self.proj = nn.Linear(config.hidden_size, config.hidden_size)
        self.norm2 = nn.LayerNorm(config.hidden_size)
        self.mlp = nn.Sequential(
            nn.Linear(config.hidden_size, config.intermediate_size),
            nn.GELU(),
            nn.Linear(config.intermediate_size, config.hidden_size),
        )

    def forward(self, x: torch.Tensor, causal: torch.Tensor) -> torch.Tensor:
        batch, length, width = x.shape
        q, k, v = self.qkv(self.norm1(x)).split(width, dim=-1)
        q, k, v = (t.view(batch, length, self.heads, -1).transpose(1, 2) for t in (q, k, v))
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(q.size(-1))
        attention = scores.masked_fill(causal, float("-inf")).softmax(dim=-1)
        x = x + self.proj((attention @ v).transpose(1, 2).reshape(batch, length, width))
        return x + self.mlp(self.norm2(x))


class TinyCausalLM(nn.Module):
    """Pre-norm transformer decoder with sinusoidal positions (no length limit to configure)."""

    def __init__(self, config: TinyConfig):
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.hidden_size)
        self.blocks = nn.ModuleList(_Block(config) for _ in range(config.num_layers))
        self.norm = nn.LayerNorm(config.hidden_size)
        self.head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        length = input_ids.size(1)
        x = self.embed(input_ids) + _positions(length, self.config.hidden_size, self.embed.weight.device)
        causal = torch.ones(length, length, dtype=torch.bool, device=input_ids.device).triu(1)
        for block in self.blocks:
            x = block(x, causal)
        return self.head(self.norm(x))


def _positions(length: int, width: int, device: torch.device) -> torch.Tensor:
    position = torch.arange(length, device=device, dtype=torch.float32).unsqueeze(1)
    frequency = torch.exp(torch.arange(0, width, 2, device=device, dtype=torch.float32) * (-math.log(10000.0) / width))
    table = torch.zeros(length, width, device=device)
    table[:, 0::2] = torch.sin(position * frequency)
    table[:, 1::2] = torch.cos(position * frequency)
    return table


def is_tiny_checkpoint(path: str) -> bool:
    try:
        with open(os.path.join(path, CONFIG_FILE), encoding="utf-8") as handle:
            return json.load(handle).get("model_type") == MODEL_TYPE
    except (OSError, ValueError, AttributeError):
        return False


def save_tiny(model: TinyCausalLM, tokenizer: ByteTokenizer, directory: str) -> None:
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, CONFIG_FILE), "w", encoding="utf-8") as handle:
        json.dump(asdict(model.config), handle, indent=2)
    torch.save(model.state_dict(), os.path.join(directory, WEIGHTS_FILE))
    tokenizer.save(directory)


def load_tiny(directory: str) -> tuple[TinyCausalLM, ByteTokenizer]:
    with open(os.path.join(directory, CONFIG_FILE), encoding="utf-8") as handle:
        config = TinyConfig(**json.load(handle))
    model = TinyCausalLM(config)
    model.load_state_dict(torch.load(os.path.join(directory, WEIGHTS_FILE), map_location="cpu"))
    return model, ByteTokenizer()
