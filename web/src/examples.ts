/** The example data sets shipped with spruce, bundled into the page (no request needed to load them). */
import cbpp from "../../examples/cbpp.csv?raw";
import sitka from "../../examples/sitka.csv?raw";
import sleepstudy from "../../examples/sleepstudy.csv?raw";

export interface Example {
  file: string;
  text: string;
  /** Formulas the example comes with: a null model and an alternative that contains it. */
  nullFormula: string;
  altFormula: string;
  criterion: "REML" | "ML";
  /** A GLMM family (absent: gaussian, a linear mixed model). */
  family?: "binomial" | "poisson";
}

export const examples: Record<"sitka" | "sleepstudy" | "cbpp", Example> = {
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
  // Contagious bovine pleuropneumonia (lme4's cbpp): new cases out of herd size, by herd and period; a binomial GLMM.
  cbpp: {
    file: "cbpp.csv",
    text: cbpp,
    nullFormula: "cbind(incidence, size - incidence) ~ 1 + (1|herd)",
    altFormula: "cbind(incidence, size - incidence) ~ factor(period) + (1|herd)",
    criterion: "ML",
    family: "binomial",
  },
};
