import os
import unittest

from lego_train.curriculum import CurriculumError, Stage, StagePlan, plan_stages, stages_from_manifest

DATASETS = ["sft_easy", "sft_medium", "sft_hard"]
SWE_LEGO = {
    "stages": [
        {"name": "easy", "dataset": "sft_easy"},
        {"name": "easy_medium", "dataset": "sft_easy, sft_medium"},
        {"name": "all", "dataset": ["sft_easy", "sft_medium", "sft_hard"]},
    ]
}


class StagesFromManifestTest(unittest.TestCase):
    def test_stages_keep_the_manifest_order(self):
        self.assertEqual(
            stages_from_manifest(SWE_LEGO, DATASETS),
            [
                Stage("easy", ("sft_easy",)),
                Stage("easy_medium", ("sft_easy", "sft_medium")),
                Stage("all", ("sft_easy", "sft_medium", "sft_hard")),
            ],
        )

    def test_no_stages_means_one_stage_over_every_dataset(self):
        for manifest in (None, {"kind": "verifier"}):
            with self.subTest(manifest=manifest):
                self.assertEqual(stages_from_manifest(manifest, ["verifier"]), [Stage("all", ("verifier",))])

    def test_bad_stage_lists(self):
        cases = [
            ("no datasets at all", None, [], "lists no dataset"),
            ("stages not a list", {"stages": {"easy": "sft_easy"}}, DATASETS, "must be a non-empty list"),
            ("empty stages", {"stages": []}, DATASETS, "must be a non-empty list"),
            ("a stage that is not an object", {"stages": ["easy"]}, DATASETS, "stage 1 must be an object"),
            ("a name that cannot be a folder", {"stages": [{"name": "../x", "dataset": "sft_easy"}]}, DATASETS, '"name" must be letters'),
            ("no dataset", {"stages": [{"name": "easy"}]}, DATASETS, '"dataset" must name one or more datasets'),
            ("an unknown dataset", {"stages": [{"name": "easy", "dataset": "sft_trivial"}]}, DATASETS, "names sft_trivial, which dataset_info.json does not list"),
            ("a repeated name", {"stages": [{"name": "a", "dataset": "sft_easy"}, {"name": "a", "dataset": "sft_hard"}]}, DATASETS, "names stage a more than once"),
        ]
        for name, manifest, datasets, message in cases:
            with self.subTest(name):
                with self.assertRaises(CurriculumError) as caught:
                    stages_from_manifest(manifest, datasets)
                self.assertIn(message, str(caught.exception))


class PlanStagesTest(unittest.TestCase):
    STAGES = stages_from_manifest(SWE_LEGO, DATASETS)

    def test_each_stage_starts_from_the_previous_checkpoint(self):
        plans = plan_stages(self.STAGES, "Qwen/Qwen3-8B", "/out")
        self.assertEqual(
            plans,
            [
                StagePlan("easy", ("sft_easy",), "Qwen/Qwen3-8B", os.path.join("/out", "stages", "easy")),
                StagePlan("easy_medium", ("sft_easy", "sft_medium"), "/out/stages/easy", "/out/stages/easy_medium"),
                StagePlan("all", ("sft_easy", "sft_medium", "sft_hard"), "/out/stages/easy_medium", "/out/stages/all"),
            ],
        )

    def test_chosen_stages_run_in_curriculum_order_from_the_given_model(self):
        plans = plan_stages(self.STAGES, "/out/stages/easy", "/out", only=["all", "easy_medium"])
        self.assertEqual([(p.name, p.init_from) for p in plans], [("easy_medium", "/out/stages/easy"), ("all", "/out/stages/easy_medium")])

    def test_an_unknown_stage_name_is_refused(self):
        with self.assertRaises(CurriculumError) as caught:
            plan_stages(self.STAGES, "m", "/out", only=["hard"])
        self.assertIn("--stages names hard; the stages are easy, easy_medium, all", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
