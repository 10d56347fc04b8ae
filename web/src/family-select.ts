/**
 * The family selector of the model section: gaussian (a linear mixed model, lme4's lmer) or a GLMM family
 * (binomial, poisson: lme4's glmer) and its link. A GLMM is fitted by maximum likelihood (Laplace), so the
 * REML/ML choice is disabled while one is selected.
 */
import { byId } from "./dom.js";

export type FamilyName = "gaussian" | "binomial" | "poisson";

/** Links per family, the default first (R's binomial() and poisson(); spruce's GLMM links). */
const LINKS: Record<FamilyName, string[]> = {
  gaussian: ["identity"],
  binomial: ["logit", "probit", "cloglog"],
  poisson: ["log"],
};

const HINTS: Record<FamilyName, string> = {
  gaussian: "",
  binomial:
    "glmer, Laplace; response 0/1, a two-level factor (first level = failure) or cbind(successes, failures)",
  poisson: "glmer, Laplace; response counts (whole numbers ≥ 0)",
};

export class FamilySelect {
  readonly family = byId<HTMLSelectElement>("family");
  readonly link = byId<HTMLSelectElement>("link");
  private readonly hint = byId("family-hint");

  constructor(private readonly form: HTMLFormElement) {
    this.family.addEventListener("change", () => this.render());
    this.render();
  }

  get value(): { family: FamilyName; link: string } {
    return { family: this.family.value as FamilyName, link: this.link.value };
  }

  get isGlmm(): boolean {
    return this.family.value !== "gaussian";
  }

  /** Select a family and link (from a restored address); unknown values leave the selection as it is. */
  set(family: string | undefined, link: string | undefined): void {
    if (family && family in LINKS) this.family.value = family;
    this.render();
    if (link && LINKS[this.family.value as FamilyName].includes(link)) this.link.value = link;
  }

  /** The link options of the selected family, its hint, and the criterion's state. */
  private render(): void {
    const family = this.family.value as FamilyName;
    const links = LINKS[family];
    const current = this.link.value;
    this.link.replaceChildren(
      ...links.map((l) => {
        const option = document.createElement("option");
        option.value = l;
        option.textContent = l;
        return option;
      }),
    );
    this.link.value = links.includes(current) ? current : (links[0] as string);
    this.link.disabled = links.length === 1;
    this.hint.textContent = HINTS[family];
    this.form.querySelectorAll<HTMLInputElement>('input[name="criterion"]').forEach((input) => {
      input.disabled = family !== "gaussian";
    });
  }
}
