/** The example data sets shipped with spruce, bundled into the page (no request needed to load them). */
import sitka from "../../examples/sitka.csv?raw";
import sleepstudy from "../../examples/sleepstudy.csv?raw";

export interface Example {
  file: string;
  text: string;
  /** Formulas the example comes with: a null model and an alternative that contains it. */
  nullFormula: string;
  altFormula: string;
  criterion: "REML" | "ML";
}

export const examples: Record<"sitka" | "sleepstudy", Example> = {
  // Growth of Sitka spruce trees in ozone-enriched and control chambers (Diggle et al.); time is centred and scaled.
  sitka: {
    file: "sitka.csv",
    text: sitka,
    nullFormula: "size ~ time+I(time^2) + (time+I(time^2)|tree)",
    altFormula: "size ~ treat*(time+I(time^2)) + (time+I(time^2)|tree)",
    criterion: "ML",
  },
  // Reaction times under sleep deprivation (Belenky et al.), lme4's classic example.
  sleepstudy: {
    file: "sleepstudy.csv",
    text: sleepstudy,
    nullFormula: "Reaction ~ Days + (1|Subject)",
    altFormula: "Reaction ~ Days + (Days|Subject)",
    criterion: "REML",
  },
};
