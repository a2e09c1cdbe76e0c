// The trajectory viewer highlights the turns the SFT export masks, decided by the export's own
// rule in its default mode (the SWE-Lego recipe: actions that failed as actions).
import { isMasked } from "../../training/masking.js";
import type { StepMasker } from "../web/dashboard/pages/trajectory.js";

export const sftMasking: StepMasker = (step) => isMasked(step, "tool-errors");
