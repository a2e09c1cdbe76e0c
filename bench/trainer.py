"""Trainer throughput, measured side by side in one run.

CPU (default): the tiny model through the trainer's own train_step, tokens/s for
  - masked vs unmasked batches: identical token ids, half the assistant turns with turn_mask
    (masking should cost nothing: the ratio is the check);
  - two sequence lengths (attention's share of the cost grows with length).
GPU (--device cuda, needs transformers): a 2-layer Qwen3-architecture model built from its
config (Qwen3-0.6B widths, random weights, byte-level token ids), fp32 weights with bf16
autocast and AdamW as the Trainer's --bf16 runs it, masked vs unmasked batches; tokens/s and
model FLOPs utilisation.

  /usr/bin/python3 bench/trainer.py [--rounds 5] [--steps 3]
  python bench/trainer.py --device cuda [--seq-len 4096] [--batch-size 2] [--peak-tflops 989]

Configurations run interleaved, round by round, so machine load hits them alike; the median
round is reported. JSON goes to bench/results/trainer-<device>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Callable, Optional

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "training", "python"))

from lego_train.batching import causal_lm_loss, pad_batch  # noqa: E402
from lego_train.dataset import Message  # noqa: E402
from lego_train.labels import Example, build_example  # noqa: E402
from lego_train.loop import Hyper, make_optimizer, train_step  # noqa: E402
from lego_train.tiny import ByteTokenizer, TinyCausalLM, TinyConfig  # noqa: E402

TOKENIZER = ByteTokenizer()

# Dense BF16 tensor-core peaks (no sparsity), TFLOP/s; checked in order (L4 is a prefix of L40S).
PEAK_TFLOPS = [("H200", 989.4), ("H100 PCIe", 756.0), ("H100", 989.4), ("A100", 312.0), ("L40S", 362.05), ("L4", 121.0)]


@dataclass(frozen=True)
class Config:
    name: str
    seq_len: int
    masked: bool


def conversation(seq_len: int, masked: bool, seed: int) -> list[Message]:
    """An agent-like conversation at least seq_len byte tokens long; every other action masked."""
    words = ["grep", "-rn", "parse", "src/", "def", "return", "None", "assert", "pytest", "-q", "FAILED", "tests/test_io.py"]
    rng = seed
    messages = [Message("system", "You are a software engineer fixing an issue in a repository.")]
    turn = 0
    while sum(len(m.content) + 24 for m in messages) < seq_len:
        text = []
        for _ in range(40):
            rng = (rng * 1103515245 + 12345) % 2**31
            text.append(words[rng % len(words)])
        messages.append(Message("user", " ".join(text)))
        messages.append(Message("assistant", "<function=execute_bash><parameter=command>" + " ".join(text[:20]) + "</parameter></function>", masked=masked and turn % 2 == 0))
        turn += 1
    return messages


def batch_for(config: Config, batch_size: int) -> list[Example]:
    return [build_example(conversation(config.seq_len, config.masked, seed), TOKENIZER.encode, config.seq_len) for seed in range(batch_size)]


def measure(configs: list[Config], make_step: Callable[[Config], Callable[[], int]], rounds: int, steps: int, synchronize: Callable[[], None]) -> dict[str, list[float]]:
    """tokens/s per round for each configuration, interleaved round by round."""
    runners = {c.name: make_step(c) for c in configs}
    for runner in runners.values():  # warm-up: allocator, kernels, optimizer state
        runner()
    synchronize()
    results: dict[str, list[float]] = {c.name: [] for c in configs}
    for _ in range(rounds):
        for c in configs:
            synchronize()
            started = time.perf_counter()
            tokens = sum(runners[c.name]() for _ in range(steps))
            synchronize()
            results[c.name].append(tokens / (time.perf_counter() - started))
    return results


def cpu_step(config: Config, batch_size: int) -> Callable[[], int]:
    torch.manual_seed(0)
    model = TinyCausalLM(TinyConfig())
    optimizer = make_optimizer(model, Hyper())
    batch = pad_batch(batch_for(config, batch_size), TOKENIZER.pad_token_id)
    return lambda: train_step(model, optimizer, [batch], max_grad_norm=1.0)[1]


def gpu_model(vocab_size: int, seq_len: int):  # noqa: ANN201 - a transformers model
    try:
        from transformers import AutoModelForCausalLM, Qwen3Config
    except ImportError:
        sys.exit("--device cuda needs transformers with Qwen3 (>= 4.51): pip install 'transformers>=4.51'")
    config = Qwen3Config(
        vocab_size=vocab_size,
        hidden_size=1024,
        intermediate_size=3072,
        num_hidden_layers=2,
        num_attention_heads=16,
        num_key_value_heads=8,
        head_dim=128,
        max_position_embeddings=max(seq_len, 40960),
        tie_word_embeddings=True,
        use_cache=False,
    )
    return AutoModelForCausalLM.from_config(config, attn_implementation="sdpa").to("cuda")


def matmul_params(model: torch.nn.Module) -> int:
    """Parameters that take part in matrix multiplies: every 2-D weight but the embedding lookup,
    plus the output head (counted once even when it shares the embedding's weights)."""
    total = sum(p.numel() for n, p in model.named_parameters() if p.dim() == 2 and "embed_tokens" not in n)
    head = model.get_output_embeddings().weight
    if any(head is p for n, p in model.named_parameters() if "embed_tokens" in n):
        total += head.numel()
    return total


def flops_per_token(model: torch.nn.Module, seq_len: int) -> float:
    """Training FLOPs per token: 6N for the weights plus 12·layers·heads·head_dim·seq_len for
    attention scores and values (forward and backward, the PaLM paper's accounting)."""
    c = model.config
    return 6 * matmul_params(model) + 12 * c.num_hidden_layers * c.num_attention_heads * c.head_dim * seq_len


def gpu_peak_tflops(override: Optional[float]) -> tuple[Optional[float], str]:
    name = torch.cuda.get_device_name()
    if override:
        return override, name
    for key, tflops in PEAK_TFLOPS:
        if key in name:
            return tflops, name
    return None, name


def run_gpu(args: argparse.Namespace, configs: list[Config]) -> dict:
    model = gpu_model(args.vocab_size, args.seq_len)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, fused=True)

    def make_step(config: Config) -> Callable[[], int]:
        batch = {k: v.cuda() for k, v in pad_batch(batch_for(config, args.batch_size), TOKENIZER.pad_token_id).items()}

        def step() -> int:
            with torch.autocast("cuda", dtype=torch.bfloat16):
                logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
            causal_lm_loss(logits, batch["labels"]).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            return int(batch["attention_mask"].sum())

        return step

    results = measure(configs, make_step, args.rounds, args.steps, torch.cuda.synchronize)
    peak, device = gpu_peak_tflops(args.peak_tflops)
    per_token = flops_per_token(model, args.seq_len)
    rows = []
    for c in configs:
        tps = statistics.median(results[c.name])
        mfu = tps * per_token / (peak * 1e12) if peak else None
        rows.append({"config": c.name, "seq_len": c.seq_len, "masked": c.masked, "tokens_per_s": round(tps), "mfu": round(mfu, 4) if mfu is not None else None})
    return {
        "device": device,
        "peak_tflops": peak,
        "model": "Qwen3 architecture, 2 layers, hidden 1024, 16 heads (8 KV) × 128, intermediate 3072, fp32 weights, bf16 autocast",
        "vocab_size": args.vocab_size,
        "matmul_params": matmul_params(model),
        "flops_per_token": per_token,
        "batch_size": args.batch_size,
        "rows": rows,
        "ratio_masked_over_unmasked": round(rows[1]["tokens_per_s"] / rows[0]["tokens_per_s"], 3),
        "peak_memory_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2),
    }


def run_cpu(args: argparse.Namespace) -> dict:
    short, long = args.seq_len // 4, args.seq_len
    configs = [Config(f"unmasked {long}", long, False), Config(f"masked {long}", long, True), Config(f"unmasked {short}", short, False)]
    results = measure(configs, lambda c: cpu_step(c, args.batch_size), args.rounds, args.steps, lambda: None)
    tps = {name: statistics.median(values) for name, values in results.items()}
    rows = [{"config": c.name, "seq_len": c.seq_len, "masked": c.masked, "tokens_per_s": round(tps[c.name]), "rounds": [round(v) for v in results[c.name]]} for c in configs]
    params = sum(p.numel() for p in TinyCausalLM(TinyConfig()).parameters())
    return {
        "device": f"cpu ({platform.processor() or platform.machine()}, {torch.get_num_threads()} torch threads)",
        "model": f"lego-tiny: 2 layers, hidden 64, 4 heads, {params} parameters, byte-level vocabulary",
        "batch_size": args.batch_size,
        "rows": rows,
        "ratio_masked_over_unmasked": round(tps[configs[1].name] / tps[configs[0].name], 3),
        f"ratio_seq{short}_over_seq{long}": round(tps[configs[2].name] / tps[configs[0].name], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--seq-len", type=int, help="tokens per sequence (default 512 on CPU, 4096 on GPU)")
    parser.add_argument("--batch-size", type=int, help="sequences per step (default 4 on CPU, 2 on GPU)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=3, help="optimizer steps per configuration per round")
    parser.add_argument("--vocab-size", type=int, default=151936, help="GPU model's vocabulary (Qwen3's by default)")
    parser.add_argument("--peak-tflops", type=float, help="the GPU's dense BF16 peak, when its name is not in the table")
    args = parser.parse_args()
    args.seq_len = args.seq_len or (4096 if args.device == "cuda" else 512)
    args.batch_size = args.batch_size or (2 if args.device == "cuda" else 4)

    torch.manual_seed(0)
    if args.device == "cuda":
        if not torch.cuda.is_available():
            sys.exit("--device cuda: torch sees no CUDA device")
        configs = [Config(f"unmasked {args.seq_len}", args.seq_len, False), Config(f"masked {args.seq_len}", args.seq_len, True)]
        report = run_gpu(args, configs)
    else:
        report = run_cpu(args)
    report.update(torch=torch.__version__, rounds=args.rounds, steps_per_round=args.steps)

    print(f"{report['device']} — {report['model']}, batch {report['batch_size']}")
    print(f"{'configuration':<20} {'tokens/s':>10} {'MFU':>8}")
    for row in report["rows"]:
        mfu = f"{row['mfu'] * 100:.1f}%" if row.get("mfu") is not None else "-"
        print(f"{row['config']:<20} {row['tokens_per_s']:>10} {mfu:>8}")
    for key, value in report.items():
        if key.startswith("ratio_"):
            print(f"{key}: {value}")
    results_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
    os.makedirs(results_dir, exist_ok=True)
    path = os.path.join(results_dir, f"trainer-{args.device}.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2)
    print(f"written: {path}")


if __name__ == "__main__":
    main()
