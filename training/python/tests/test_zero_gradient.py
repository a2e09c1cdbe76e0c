"""A masked turn's tokens contribute exactly nothing to the loss; an unmasked turn's do.

The model is a tiny causal LM defined here (embedding, one causal self-attention layer, output
head), randomly initialised. The logits at position t predict token t+1, so a turn occupying
tokens [start, end) is learned through the logit rows [start-1, end-1). After one backward pass
those rows' gradient must be exactly zero for the masked turn, and non-zero for every token of
the unmasked turn; every other row (system, user, headers) must be zero as well.
"""

import unittest

import torch
from torch import nn

from lego_train.batching import causal_lm_loss, pad_batch
from lego_train.dataset import Message
from lego_train.labels import build_example, render
from lego_train.tiny import ByteTokenizer

TOKENIZER = ByteTokenizer()


class CausalLM(nn.Module):
    def __init__(self, vocab: int, width: int = 32):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.attention = nn.MultiheadAttention(width, num_heads=2, batch_first=True)
        self.head = nn.Linear(width, vocab)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        x = self.embed(input_ids)
        length = input_ids.size(1)
        causal = torch.ones(length, length, dtype=torch.bool).triu(1)
        attended, _ = self.attention(x, x, x, attn_mask=causal, need_weights=False)
        return self.head(x + attended)


def conversation(first_turn_masked: bool) -> list[Message]:
    return [
        Message("system", "You fix bugs."),
        Message("user", "Issue: tests fail."),
        Message("assistant", "<function=bogus_tool></function>", masked=first_turn_masked),
        Message("user", "ERROR: unknown tool bogus_tool"),
        Message("assistant", "<function=finish></function>"),
    ]


def spans(messages: list[Message]) -> list[tuple[int, int]]:
    """[start, end) token positions of each message, as build_example lays them out."""
    out, position = [], 0
    for segment in render(messages):
        length = len(TOKENIZER.encode(segment.text))
        out.append((position, position + length))
        position += length
    return out


def logit_gradients(messages: list[Message]) -> torch.Tensor:
    torch.manual_seed(0)
    model = CausalLM(TOKENIZER.vocab_size)
    batch = pad_batch([build_example(messages, TOKENIZER.encode, cutoff_len=100_000)], TOKENIZER.pad_token_id)
    logits = model(batch["input_ids"])
    logits.retain_grad()
    causal_lm_loss(logits, batch["labels"]).backward()
    return logits.grad[0]


def rows_with_gradient(gradient: torch.Tensor) -> set[int]:
    return {int(i) for i in torch.nonzero(gradient.abs().sum(dim=-1)).flatten()}


def predicting(span: tuple[int, int]) -> set[int]:
    start, end = span
    return set(range(start - 1, end - 1))


class ZeroGradientTest(unittest.TestCase):
    def test_masked_turn_gets_exactly_zero_gradient_and_the_unmasked_turn_does_not(self):
        messages = conversation(first_turn_masked=True)
        layout = spans(messages)
        masked_turn, unmasked_turn = layout[2], layout[4]
        gradient = logit_gradients(messages)

        masked_rows = sorted(predicting(masked_turn))
        self.assertEqual(torch.count_nonzero(gradient[masked_rows]).item(), 0)
        self.assertTrue(all(gradient[row].abs().sum() > 0 for row in predicting(unmasked_turn)))
        self.assertEqual(rows_with_gradient(gradient), predicting(unmasked_turn))

    def test_the_same_turn_unmasked_does_receive_gradient(self):
        # The control: without turn_mask the first turn's rows light up, so the test above can fail.
        messages = conversation(first_turn_masked=False)
        layout = spans(messages)
        gradient = logit_gradients(messages)
        self.assertEqual(rows_with_gradient(gradient), predicting(layout[2]) | predicting(layout[4]))

    def test_the_masked_turn_still_shapes_the_context(self):
        # Kept in context: the unmasked turn's gradient depends on the masked turn's tokens.
        masked = conversation(first_turn_masked=True)
        changed = list(masked)
        changed[2] = Message("assistant", "<function=other_tool></function>", masked=True)
        rows = sorted(predicting(spans(masked)[4]))
        self.assertFalse(torch.equal(logit_gradients(masked)[rows], logit_gradients(changed)[rows]))


if __name__ == "__main__":
    unittest.main()
