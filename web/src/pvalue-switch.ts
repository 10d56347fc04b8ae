/**
 * The p-value switch of the results section: none (lme4's summary), Satterthwaite's (lmerTest) or Kenward–Roger's
 * (pbkrtest) denominator degrees of freedom for the t tests in the summary. Kenward–Roger needs a REML fit; for an
 * ML fit the switch says so and the summary keeps Satterthwaite's.
 */
import { byId } from "./dom.js";

export type PValueMethod = "none" | "Satterthwaite" | "Kenward-Roger";

export class PValueSwitch {
  private readonly buttons: Record<PValueMethod, HTMLButtonElement> = {
    none: byId<HTMLButtonElement>("pvalues-none"),
    Satterthwaite: byId<HTMLButtonElement>("pvalues-satterthwaite"),
    "Kenward-Roger": byId<HTMLButtonElement>("pvalues-kenward-roger"),
  };
  private readonly note = byId("pvalues-note");
  private selected: PValueMethod = "Satterthwaite";

  constructor(onChange: () => void) {
    for (const [method, button] of Object.entries(this.buttons) as [PValueMethod, HTMLButtonElement][])
      button.addEventListener("click", () => {
        this.selected = method;
        onChange();
      });
    this.render();
  }

  /** The method for this model's summary (undefined: no p-values), and the switch's state shown. */
  methodFor(model: { REML: boolean }): "Satterthwaite" | "Kenward-Roger" | undefined {
    this.render();
    if (this.selected === "Kenward-Roger" && !model.REML) {
      this.note.textContent =
        "Kenward-Roger needs a REML fit: showing Satterthwaite's p-values for this ML fit.";
      return "Satterthwaite";
    }
    this.note.textContent = "";
    return this.selected === "none" ? undefined : this.selected;
  }

  private render(): void {
    for (const [method, button] of Object.entries(this.buttons))
      button.setAttribute("aria-pressed", String(method === this.selected));
  }
}
