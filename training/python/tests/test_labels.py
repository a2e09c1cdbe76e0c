import unittest

from lego_train.dataset import Conversation, Message
from lego_train.labels import IGNORE_INDEX, Example, build_example, build_examples, has_targets, render
from lego_train.tiny import ByteTokenizer

TOKENIZER = ByteTokenizer()


def learned_text(example: Example) -> str:
    """The tokens that carry a label, decoded, with each unlearned run shown as "|"."""
    out, previous_learned = [], True
    for token, label in zip(example.input_ids, example.labels):
        if label == IGNORE_INDEX:
            if previous_learned:
                out.append("|")
            previous_learned = False
            continue
        assert label == token, "a learned label must be the token itself (transformers shifts)"
        out.append(TOKENIZER.decode([token]))
        previous_learned = True
    return "".join(out)


S = Message("system", "be careful")
U1 = Message("user", "fix it")
A1 = Message("assistant", "run ls")
U2 = Message("user", "a.py")
A2 = Message("assistant", "done")


class RenderTest(unittest.TestCase):
    def test_qwen3_nothink_text(self):
        text = "".join(s.text for s in render([S, U1, A1, U2, A2]))
        self.assertEqual(
            text,
            "<|im_start|>system\nbe careful<|im_end|>\n"
            "<|im_start|>user\nfix it<|im_end|>\n<|im_start|>assistant\n"
            "run ls<|im_end|>\n"
            "<|im_start|>user\na.py<|im_end|>\n<|im_start|>assistant\n"
            "done<|im_end|>\n",
        )

    def test_no_system_block_without_a_system_message(self):
        self.assertTrue(render([U1, A1])[0].text.startswith("<|im_start|>user\n"))


class BuildExampleTest(unittest.TestCase):
    CASES = [
        # (name, messages, learned text)
        ("system, user, assistant: only the answer and its end marker", [S, U1, A1], "|run ls<|im_end|>\n"),
        ("no system message", [U1, A1], "|run ls<|im_end|>\n"),
        ("two turns, both learned", [S, U1, A1, U2, A2], "|run ls<|im_end|>\n|done<|im_end|>\n"),
        ("a masked turn teaches nothing", [S, U1, Message("assistant", "run ls", masked=True), U2, A2], "|done<|im_end|>\n"),
        ("every turn masked", [U1, Message("assistant", "run ls", masked=True)], "|"),
        ("a masked last turn", [U1, A1, U2, Message("assistant", "done", masked=True)], "|run ls<|im_end|>\n|"),
    ]

    def test_labels(self):
        for name, messages, expected in self.CASES:
            with self.subTest(name):
                example = build_example(messages, TOKENIZER.encode, cutoff_len=10_000)
                self.assertEqual(len(example.input_ids), len(example.labels))
                self.assertEqual(example.input_ids, TOKENIZER.encode("".join(s.text for s in render(messages))))
                self.assertEqual(learned_text(example), expected)

    def test_masked_turn_stays_in_context(self):
        masked = build_example([U1, Message("assistant", "run ls", masked=True), U2, A2], TOKENIZER.encode, 10_000)
        plain = build_example([U1, A1, U2, A2], TOKENIZER.encode, 10_000)
        self.assertEqual(masked.input_ids, plain.input_ids)
        self.assertNotEqual(masked.labels, plain.labels)

    def test_each_message_is_tokenized_on_its_own(self):
        seen = []

        def encode(text):
            seen.append(text)
            return TOKENIZER.encode(text)

        build_example([S, U1, A1], encode, 10_000)
        self.assertEqual(seen, [s.text for s in render([S, U1, A1])])

    def test_truncation_cuts_ids_and_labels_alike(self):
        full = build_example([S, U1, A1, U2, A2], TOKENIZER.encode, 10_000)
        for cutoff in (1, 5, len(full.input_ids) - 3, len(full.input_ids), len(full.input_ids) + 10):
            with self.subTest(cutoff=cutoff):
                cut = build_example([S, U1, A1, U2, A2], TOKENIZER.encode, cutoff)
                self.assertEqual(cut.input_ids, full.input_ids[:cutoff])
                self.assertEqual(cut.labels, full.labels[:cutoff])

    def test_truncation_inside_the_second_turn_keeps_the_first(self):
        first_turn = len(build_example([S, U1, A1], TOKENIZER.encode, 10_000).input_ids)
        cut = build_example([S, U1, A1, U2, A2], TOKENIZER.encode, first_turn + 4)
        self.assertEqual(learned_text(cut), "|run ls<|im_end|>\n|")


class TargetsTest(unittest.TestCase):
    def test_has_targets(self):
        cases = [
            ("learned tokens", Example([1, 2, 3], [IGNORE_INDEX, 2, 3]), True),
            ("nothing learned", Example([1, 2], [IGNORE_INDEX, IGNORE_INDEX]), False),
            ("only the first token, which nothing predicts", Example([1, 2], [1, IGNORE_INDEX]), False),
        ]
        for name, example, expected in cases:
            with self.subTest(name):
                self.assertIs(has_targets(example), expected)

    def test_conversations_with_nothing_to_learn_are_left_out_and_counted(self):
        conversations = [
            Conversation("a:1", (U1, A1)),
            Conversation("a:2", (U1, Message("assistant", "x", masked=True))),
            Conversation("a:3", (S, U1, A1)),
        ]
        examples, skipped = build_examples(conversations, TOKENIZER.encode, 10_000)
        self.assertEqual((len(examples), skipped), (2, 1))
        long_prompt = [Conversation("a:4", (Message("user", "x" * 50), A1))]
        self.assertEqual(build_examples(long_prompt, TOKENIZER.encode, 20), ([], 1))


if __name__ == "__main__":
    unittest.main()
