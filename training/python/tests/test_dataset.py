import json
import os
import tempfile
import unittest

from lego_train.dataset import DatasetError, Message, Tags, check_judgement, read_conversations
from lego_train.export import open_export, validate

from .support import judgement, trajectory, write_export, write_jsonl

SYSTEM = {"role": "system", "content": "s"}
USER = {"role": "user", "content": "u"}
ASSISTANT = {"role": "assistant", "content": "a"}


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.dir = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)


class ReadConversationsTest(TempDirTest):
    def test_reads_messages_and_turn_mask(self):
        write_jsonl(self.path("d.jsonl"), [trajectory(0, failed_first_action=True), trajectory(1)])
        conversations, problems = read_conversations(self.path("d.jsonl"))
        self.assertEqual(problems, [])
        self.assertEqual([c.where for c in conversations], [f"{self.path('d.jsonl')}:1", f"{self.path('d.jsonl')}:2"])
        self.assertEqual([m.role for m in conversations[0].messages], ["system", "user", "assistant", "user", "assistant"])
        self.assertEqual([m.masked for m in conversations[0].messages], [False, False, True, False, False])
        self.assertFalse(any(m.masked for m in conversations[1].messages))

    def test_a_json_array_reports_the_line_each_row_starts_on(self):
        rows = [trajectory(0), {"messages": []}, trajectory(2), {"messages": [USER]}]
        with open(self.path("d.json"), "w") as handle:
            json.dump(rows, handle, indent=1)
        with open(self.path("d.json")) as handle:
            text = handle.read().split("\n")
        starts = [i + 1 for i, line in enumerate(text) if line == " {"]
        conversations, problems = read_conversations(self.path("d.json"))
        self.assertEqual(len(conversations), 2)
        self.assertEqual(conversations[1].where, f"{self.path('d.json')}:{starts[2]}")
        self.assertEqual([p.split(": ")[0] for p in problems], [f"{self.path('d.json')}:{starts[1]}", f"{self.path('d.json')}:{starts[3]}"])

    def test_other_tag_names_from_dataset_info(self):
        tags = Tags(messages="conversations", role="from", content="value", user="human", assistant="gpt", system="system")
        row = {"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "yo", "turn_mask": True}]}
        write_jsonl(self.path("d.jsonl"), [row])
        conversations, problems = read_conversations(self.path("d.jsonl"), tags)
        self.assertEqual(problems, [])
        self.assertEqual(conversations[0].messages, (Message("user", "hi"), Message("assistant", "yo", masked=True)))

    BAD_ROWS = [
        # (name, JSON line, expected reason)
        ("not JSON", '{"messages": [', "not valid JSON"),
        ("not an object", "[1, 2]", 'expected a JSON object with a "messages" list, got list'),
        ("no messages", '{"conversations": []}', '"messages" must be a non-empty list'),
        ("empty messages", '{"messages": []}', '"messages" must be a non-empty list'),
        ("a message that is not an object", json.dumps({"messages": ["hi", ASSISTANT]}), "message 1: expected an object, got str"),
        ("unknown role", json.dumps({"messages": [{"role": "tool", "content": "x"}, ASSISTANT]}), "message 1: \"role\" must be one of 'system', 'user', 'assistant', got 'tool'"),
        ("content not a string", json.dumps({"messages": [{"role": "user", "content": ["x"]}, ASSISTANT]}), 'message 1: "content" must be a string'),
        ("turn_mask not a boolean", json.dumps({"messages": [USER, {**ASSISTANT, "turn_mask": "yes"}]}), 'message 2: "turn_mask" must be true or false'),
        ("turn_mask on a user message", json.dumps({"messages": [{**USER, "turn_mask": True}, ASSISTANT]}), 'message 1: "turn_mask" is only meaningful on an assistant message'),
        ("starts with the assistant", json.dumps({"messages": [ASSISTANT]}), "message 1: expected system or user, got assistant"),
        ("two user messages in a row", json.dumps({"messages": [SYSTEM, USER, USER, ASSISTANT]}), "message 3: expected assistant, got user"),
        ("a system message later on", json.dumps({"messages": [USER, ASSISTANT, SYSTEM, ASSISTANT]}), "message 3: expected user, got system"),
        ("ends with the user", json.dumps({"messages": [SYSTEM, USER, ASSISTANT, USER]}), "the conversation must end with an assistant message"),
    ]

    def test_bad_rows_are_named_by_file_and_line_and_the_rest_are_read(self):
        for name, line, reason in self.BAD_ROWS:
            with self.subTest(name):
                write_jsonl(self.path("d.jsonl"), [trajectory(0), "", line, trajectory(1)])
                conversations, problems = read_conversations(self.path("d.jsonl"))
                self.assertEqual(len(conversations), 2)
                self.assertEqual(len(problems), 1, problems)
                self.assertTrue(problems[0].startswith(f"{self.path('d.jsonl')}:3: {reason}"), problems[0])

    def test_a_broken_json_array_stops_at_the_broken_element(self):
        with open(self.path("d.json"), "w") as handle:
            handle.write("[\n" + json.dumps(trajectory(0)) + ",\n{oops}\n]")
        conversations, problems = read_conversations(self.path("d.json"))
        self.assertEqual(len(conversations), 1)
        self.assertEqual(len(problems), 1)
        self.assertTrue(problems[0].startswith(f"{self.path('d.json')}:3: not valid JSON"), problems[0])

    def test_unreadable_files(self):
        with open(self.path("latin1.jsonl"), "wb") as handle:
            handle.write(b'{"messages": "\xe9"}\n')
        cases = [("missing", self.path("nope.jsonl"), "cannot be read"), ("not UTF-8", self.path("latin1.jsonl"), "not UTF-8 text")]
        for name, path, reason in cases:
            with self.subTest(name):
                conversations, problems = read_conversations(path)
                self.assertEqual(conversations, [])
                self.assertIn(reason, problems[0])

    def test_verifier_rows_must_end_with_a_judgement(self):
        bad = judgement(2, True)
        bad["messages"][-1]["content"] = "YES"
        write_jsonl(self.path("v.jsonl"), [judgement(0, True), judgement(1, False), bad, trajectory(3)])
        conversations, problems = read_conversations(self.path("v.jsonl"), check=check_judgement)
        self.assertEqual(len(conversations), 2)
        self.assertEqual([p.split(": ")[0] for p in problems], [f"{self.path('v.jsonl')}:3", f"{self.path('v.jsonl')}:4"])
        self.assertIn("<judgement>YES</judgement> or <judgement>NO</judgement>", problems[0])


class ExportTest(TempDirTest):
    def test_stages_come_from_the_manifest_in_order(self):
        write_export(self.dir, {"b": [trajectory(0)], "a": [trajectory(1)]}, stages=[{"name": "first", "dataset": "b"}, {"name": "second", "dataset": "b,a"}])
        export = open_export(self.dir)
        self.assertEqual([(s.name, s.datasets) for s in export.stages], [("first", ("b",)), ("second", ("b", "a"))])
        self.assertEqual(export.datasets["a"].path, os.path.join(self.dir, "a.jsonl"))

    def test_without_stages_every_dataset_is_one_stage(self):
        write_export(self.dir, {"verifier": [judgement(0, True)]})
        self.assertEqual([(s.name, s.datasets) for s in open_export(self.dir).stages], [("all", ("verifier",))])

    def test_a_single_file(self):
        write_jsonl(self.path("v.jsonl"), [judgement(0, True)])
        export = open_export(self.path("v.jsonl"))
        self.assertEqual([(s.name, s.datasets) for s in export.stages], [("all", ("v",))])

    def test_bad_exports_say_what_is_wrong(self):
        def no_info():
            os.remove(self.path("dataset_info.json"))

        def alpaca():
            self._info(lambda info: info["d"].update(formatting="alpaca"))

        def missing_file():
            os.remove(self.path("d.jsonl"))

        def system_column():
            self._info(lambda info: info["d"]["columns"].update(system="sys"))

        def unknown_stage_dataset():
            self._manifest({"stages": [{"name": "easy", "dataset": "d,nope"}]})

        def bad_manifest():
            with open(self.path("manifest.json"), "w") as handle:
                handle.write("{")

        cases = [
            ("no dataset_info.json", no_info, "dataset_info.json does not exist"),
            ("not sharegpt", alpaca, "\"formatting\" is 'alpaca'; this trainer reads sharegpt data only"),
            ("a listed file is missing", missing_file, "d.jsonl does not exist"),
            ("a system column", system_column, '"columns" maps system'),
            ("a stage names an unknown dataset", unknown_stage_dataset, "names nope, which dataset_info.json does not list"),
            ("manifest is not JSON", bad_manifest, "manifest.json: cannot be read as JSON"),
            ("no such directory", lambda: self._tmp.cleanup(), "no such file or directory"),
        ]
        for name, breaks, message in cases:
            with self.subTest(name):
                write_export(self.dir, {"d": [trajectory(0)]})
                breaks()
                with self.assertRaises(DatasetError) as caught:
                    open_export(self.dir)
                self.assertIn(message, str(caught.exception))
                self.assertEqual(caught.exception.exit_code, 2)

    def test_validate_lists_every_bad_row_before_training(self):
        rows = [trajectory(0)] + [{"messages": [USER]}] * 25
        write_export(self.dir, {"d": rows, "empty": []})
        export = open_export(self.dir)
        with self.assertRaises(DatasetError) as caught:
            validate(export, ["d", "empty"], None)
        message = str(caught.exception)
        self.assertEqual(len(caught.exception.problems), 26)
        self.assertTrue(message.startswith("26 problem(s) in the training data; fix these rows or export the data again"))
        self.assertIn(f"{self.path('d.jsonl')}:2: the conversation must end with an assistant message", message)
        self.assertIn("… and 6 more", message)
        self.assertIn("dataset 'empty' has no rows (an empty or fully held-out export)", caught.exception.problems[-1])

    def test_validate_counts_rows(self):
        write_export(self.dir, {"d": [trajectory(0), trajectory(1)]})
        self.assertEqual(validate(open_export(self.dir), ["d"], None), {"d": 2})

    def _info(self, change):
        with open(self.path("dataset_info.json")) as handle:
            info = json.load(handle)
        change(info)
        with open(self.path("dataset_info.json"), "w") as handle:
            json.dump(info, handle)

    def _manifest(self, manifest):
        with open(self.path("manifest.json"), "w") as handle:
            json.dump(manifest, handle)


if __name__ == "__main__":
    unittest.main()
