"""python -m lego_train sft|verifier --data EXPORT --model MODEL --output-dir OUT [options]

Runs the curriculum's stages in order, each from the previous stage's checkpoint, and writes
OUT/stages/<stage>/ (a checkpoint per stage) and OUT/result.json. stdout carries only one JSON
line per logged step; everything for people goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from contextlib import redirect_stdout
from datetime import datetime, timezone
from typing import IO, Any, Optional, Sequence

from .backends import TINY, select_backend
from .curriculum import plan_stages
from .dataset import RowCheck, check_judgement
from .errors import TrainerError, UsageError
from .export import Export, open_export, read, validate
from .hf import HFOptions
from .loop import SCHEDULERS, Hyper, StepLog
from .report import StepWriter, is_main_process, remove_result, write_result

CHECKS: dict[str, Optional[RowCheck]] = {"sft": None, "verifier": check_judgement}
# The SWE-Lego recipe's YAMLs: SFT of an 8B model, and the verifier (5e-5 suits 32B-class SFT).
TASK_DEFAULTS = {"sft": {"learning_rate": 1e-4, "epochs": 4.0}, "verifier": {"learning_rate": 2e-5, "epochs": 5.0}}


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    recipe = Hyper()
    parser = argparse.ArgumentParser(prog="python -m lego_train", description="Train on a LegoFactory SFT or verifier export.")
    parser.add_argument("task", choices=sorted(CHECKS), help="sft: agent trajectories; verifier: YES/NO judgements")
    parser.add_argument("--data", required=True, help="the export directory (dataset_info.json, manifest.json) or one .jsonl/.json file")
    parser.add_argument("--model", required=True, help='"tiny" (a random CPU model), a tiny checkpoint, or a Hugging Face model path or id')
    parser.add_argument("--output-dir", required=True, help="checkpoints go to OUTPUT/stages/<stage>/, the summary to OUTPUT/result.json")
    parser.add_argument("--stages", help="comma-separated stage names to run (in curriculum order); default all")
    parser.add_argument("--cutoff-len", type=int, default=recipe.cutoff_len, help="tokens per conversation; longer ones are cut")
    parser.add_argument("--epochs", type=float, help="default 4 (sft) or 5 (verifier)")
    parser.add_argument("--max-steps", type=int, default=recipe.max_steps, help="optimizer steps per stage; overrides --epochs when > 0")
    parser.add_argument("--batch-size", type=int, default=recipe.batch_size, help="per device")
    parser.add_argument("--grad-accum", type=int, default=recipe.grad_accum)
    parser.add_argument("--learning-rate", type=float, help="default 1e-4 (sft) or 2e-5 (verifier)")
    parser.add_argument("--weight-decay", type=float, default=recipe.weight_decay)
    parser.add_argument("--warmup-ratio", type=float, default=recipe.warmup_ratio)
    parser.add_argument("--max-grad-norm", type=float, default=recipe.max_grad_norm)
    parser.add_argument("--lr-scheduler", choices=SCHEDULERS, default=recipe.lr_scheduler)
    parser.add_argument("--logging-steps", type=int, default=recipe.logging_steps)
    parser.add_argument("--seed", type=int, default=recipe.seed)
    hf = parser.add_argument_group("transformers models only")
    hf.add_argument("--deepspeed", help="a DeepSpeed config JSON (e.g. ZeRO-3), passed to TrainingArguments")
    hf.add_argument("--bf16", action="store_true")
    hf.add_argument("--fp16", action="store_true")
    hf.add_argument("--gradient-checkpointing", action="store_true")
    hf.add_argument("--rope-scaling", choices=["yarn"], help="stretch the model's context to --cutoff-len (as LLaMA-Factory's rope_scaling)")
    hf.add_argument("--attn-implementation", help="e.g. flash_attention_2 or sdpa")
    hf.add_argument("--trust-remote-code", action="store_true")
    hf.add_argument("--save-strategy", choices=["no", "steps", "epoch"], default="no", help="intermediate Trainer checkpoints inside each stage")
    hf.add_argument("--save-steps", type=int)
    hf.add_argument("--local_rank", "--local-rank", dest="local_rank", type=int, help="set by the deepspeed launcher; LOCAL_RANK works too")
    args = parser.parse_args(argv)
    for name, value in TASK_DEFAULTS[args.task].items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    _check_ranges(parser, args)
    return args


def _check_ranges(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    for name in ("cutoff_len", "batch_size", "grad_accum", "logging_steps"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.epochs <= 0 and args.max_steps <= 0:
        parser.error("--epochs must be positive (or set --max-steps)")
    if not 0 <= args.warmup_ratio < 1:
        parser.error("--warmup-ratio must be in [0, 1)")
    if args.bf16 and args.fp16:
        parser.error("choose one of --bf16 and --fp16")


def hyper_from(args: argparse.Namespace) -> Hyper:
    return Hyper(
        epochs=args.epochs,
        max_steps=args.max_steps,
        batch_size=args.batch_size,
        grad_accum=args.grad_accum,
        learning_rate=args.learning_rate,
        weight_decay=args.weight_decay,
        warmup_ratio=args.warmup_ratio,
        max_grad_norm=args.max_grad_norm,
        lr_scheduler=args.lr_scheduler,
        logging_steps=args.logging_steps,
        seed=args.seed,
        cutoff_len=args.cutoff_len,
    )


def hf_options_from(args: argparse.Namespace) -> HFOptions:
    return HFOptions(
        deepspeed=args.deepspeed,
        bf16=args.bf16,
        fp16=args.fp16,
        gradient_checkpointing=args.gradient_checkpointing,
        rope_scaling=args.rope_scaling,
        attn_implementation=args.attn_implementation,
        trust_remote_code=args.trust_remote_code,
        save_strategy=args.save_strategy,
        save_steps=args.save_steps,
        local_rank=args.local_rank,
    )


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    steps = StepWriter(sys.stdout, is_main_process())
    # Libraries print progress to stdout (the Trainer's log dicts, tqdm.write); keep stdout for the step lines.
    with redirect_stdout(sys.stderr):
        return run(args, steps, sys.stderr)


def run(args: argparse.Namespace, steps: StepWriter, log: IO[str]) -> int:
    output_dir = os.path.abspath(args.output_dir)
    main_process = is_main_process()
    result: dict[str, Any] = {
        "status": "running",
        "task": args.task,
        "backend": None,
        "base_model": args.model,
        "data": os.path.abspath(args.data),
        "output_dir": output_dir,
        "checkpoint": None,
        "stages": [],
        "started_at": _now(),
    }
    started = time.perf_counter()
    try:
        os.makedirs(output_dir, exist_ok=True)
    except OSError as err:
        print(f"error: cannot create --output-dir {output_dir}: {err.strerror or err}", file=log)
        return UsageError.exit_code
    if main_process:
        remove_result(output_dir)
    try:
        train(args, output_dir, result, steps, log)
        result["status"] = "succeeded"
        code = 0
    except TrainerError as err:
        result.update(status="failed", error=str(err), exit_code=err.exit_code)
        print(f"error: {err}", file=log)
        code = err.exit_code
    except Exception as err:  # noqa: BLE001 - reported in result.json, then the traceback
        result.update(status="failed", error=f"{type(err).__name__}: {err}", exit_code=1)
        traceback.print_exc(file=log)
        code = 1
    result["metrics"] = _totals(result["stages"], time.perf_counter() - started)
    result["finished_at"] = _now()
    if main_process:
        path = write_result(output_dir, result)
        print(f"[lego_train] {result['status']}: {path}", file=log)
    return code


def train(args: argparse.Namespace, output_dir: str, result: dict[str, Any], steps: StepWriter, log: IO[str]) -> None:
    export = open_export(args.data)
    only = [s.strip() for s in args.stages.split(",") if s.strip()] if args.stages else None
    plans = plan_stages(export.stages, args.model, output_dir, only)
    check = CHECKS[args.task]
    counts = validate(export, sorted({d for p in plans for d in p.datasets}), check)
    print(f"[lego_train] {args.task}: {len(plans)} stage(s) {', '.join(p.name for p in plans)}; rows {counts}", file=log)

    options = hf_options_from(args)
    backend = select_backend(args.model, options)
    if backend.name == TINY and (options.deepspeed or options.rope_scaling):
        print("[lego_train] --deepspeed and --rope-scaling apply to transformers models; ignored for the tiny model", file=log)
    result["backend"] = backend.name
    hyper = hyper_from(args)
    step_offset = token_offset = 0
    for plan in plans:
        conversations = _conversations(export, plan.datasets, check)
        print(f"[lego_train] stage {plan.name}: {len(conversations)} conversations from {plan.init_from}", file=log)

        def on_log(entry: StepLog, stage: str = plan.name, steps_before: int = step_offset, tokens_before: int = token_offset) -> None:
            steps.write(
                {
                    "step": steps_before + entry.step,
                    "loss": entry.loss,
                    "tokens": tokens_before + entry.tokens,
                    "stage": stage,
                    "stage_step": entry.step,
                    "learning_rate": entry.learning_rate,
                    "epoch": entry.epoch,
                }
            )

        examples, skipped, metrics = backend.run_stage(plan, conversations, hyper, on_log)
        stage = {
            "name": plan.name,
            "datasets": list(plan.datasets),
            "init_from": plan.init_from,
            "checkpoint": plan.output_dir,
            "conversations": len(conversations),
            "examples": examples,
            "skipped": skipped,
            "steps": metrics.steps,
            "tokens": metrics.tokens,
            "train_loss": metrics.train_loss,
            "final_loss": metrics.final_loss,
            "runtime_s": round(metrics.runtime_s, 3),
        }
        if args.task == "verifier":
            stage["judgements"] = _judgements(conversations)
        result["stages"].append(stage)
        result["checkpoint"] = plan.output_dir
        step_offset += metrics.steps
        token_offset += metrics.tokens


def _conversations(export: Export, names: Sequence[str], check: Optional[RowCheck]) -> list:
    conversations = []
    for name in names:
        rows, _ = read(export, name, check)  # already validated before the first stage
        conversations.extend(rows)
    return conversations


def _judgements(conversations: list) -> dict[str, int]:
    yes = sum(1 for c in conversations if "YES" in c.messages[-1].content)
    return {"YES": yes, "NO": len(conversations) - yes}


def _totals(stages: list[dict[str, Any]], runtime_s: float) -> dict[str, Any]:
    steps = sum(s["steps"] for s in stages)
    tokens = sum(s["tokens"] for s in stages)
    last = stages[-1] if stages else {}
    return {
        "steps": steps,
        "tokens": tokens,
        "train_loss": last.get("train_loss"),
        "final_loss": last.get("final_loss"),
        "runtime_s": round(runtime_s, 3),
        "tokens_per_s": round(tokens / runtime_s, 1) if runtime_s > 0 else None,
    }


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
