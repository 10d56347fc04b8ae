/**
 * The model and results sections: two formulas and the criterion in; both fits, the lme4-style summaries, the
 * likelihood-ratio table and the diagnostic plots out; then the bootstrap section gets a runner for this pair.
 */
import { SpruceError } from "../../src/errors.js";
import { FormulaError } from "../../src/formula/errors.js";
import { renderAnova } from "./anova-table.js";
import type { BootstrapPanel } from "./bootstrap-panel.js";
import type { LoadedData } from "./data-section.js";
import { byId, messageOf, nextFrame, showError } from "./dom.js";
import { FormulaField } from "./formula-field.js";
import { renderLecturePlots, renderPlots } from "./plots.js";
import { bootstrapRunner, compareModels, type FittedPair, fitModel, summaryText } from "./spruce.js";

export class ModelSection {
  private readonly form = byId<HTMLFormElement>("model-form");
  private readonly nullField = new FormulaField(byId("formula-null"), byId("formula-null-error"));
  private readonly altField = new FormulaField(byId("formula-alt"), byId("formula-alt-error"));
  private readonly fitButton = byId<HTMLButtonElement>("fit-button");
  private readonly status = byId("fit-status");
  private readonly error = byId("fit-error");
  private readonly results = byId("results-section");
  private readonly bootstrapSection = byId("bootstrap-section");
  private readonly summary = byId("summary-text");
  private readonly toggles = {
    alt: byId<HTMLButtonElement>("show-alt"),
    null: byId<HTMLButtonElement>("show-null"),
  };
  private data: LoadedData | undefined;
  private fitted: FittedPair | undefined;

  constructor(private readonly bootstrap: BootstrapPanel) {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.fit();
    });
    this.toggles.alt.addEventListener("click", () => this.showSummary("alt"));
    this.toggles.null.addEventListener("click", () => this.showSummary("null"));
  }

  setData(data: LoadedData): void {
    this.data = data;
    this.fitButton.disabled = false;
    if (data.example) {
      this.nullField.input.value = data.example.nullFormula;
      this.altField.input.value = data.example.altFormula;
      this.criterionInput(data.example.criterion).checked = true;
    }
    this.nullField.check();
    this.altField.check();
    this.clearResults();
  }

  private criterionInput(value: "REML" | "ML"): HTMLInputElement {
    return this.form.querySelector<HTMLInputElement>(`input[name="criterion"][value="${value}"]`)!;
  }

  private clearResults(): void {
    this.fitted = undefined;
    this.results.hidden = true;
    this.bootstrapSection.hidden = true;
    this.bootstrap.setRunner(undefined);
    this.status.textContent = "";
    showError(this.error, undefined);
  }

  private async fit(): Promise<void> {
    const data = this.data;
    if (!data) return;
    const syntaxOk = [this.nullField.check(), this.altField.check()].every(Boolean);
    if (!syntaxOk || !this.nullField.value || !this.altField.value) {
      if (!this.nullField.value)
        this.nullField.showError("Type the null model's formula, e.g. y ~ x + (1|g)");
      if (!this.altField.value) this.altField.showError("Type the alternative model's formula");
      this.clearResults();
      return;
    }
    const REML = this.criterionInput("REML").checked;
    this.clearResults();
    this.fitButton.disabled = true;
    this.status.textContent = "Fitting…";
    await nextFrame();
    try {
      const m0 = await this.fitOne(this.nullField, data, REML);
      const m1 = await this.fitOne(this.altField, data, REML);
      if (!m0 || !m1) {
        this.status.textContent = "";
        return;
      }
      const comparison = compareModels(m0, m1);
      this.fitted = { m0, m1, comparison, source: data.source };
      this.status.textContent =
        `Fitted in ${(m0.optimizer.elapsedMs + m1.optimizer.elapsedMs).toFixed(0)} ms ` +
        `(${m0.optimizer.evaluations} + ${m1.optimizer.evaluations} deviance evaluations).`;
      this.showResults(this.fitted);
      // The lecture's pictures (residuals by group, fixed vs random-intercept lines) follow the diagnostics.
      const fitted = this.fitted;
      void renderLecturePlots(fitted.m1, data.frame).then(
        (figures) => {
          if (this.fitted === fitted) byId("plots").append(...figures);
        },
        (error: unknown) => console.error(error),
      );
    } catch (error) {
      this.status.textContent = "";
      showError(this.error, messageOf(error));
      if (!(error instanceof SpruceError)) console.error(error);
    } finally {
      this.fitButton.disabled = false;
    }
  }

  /** Fit one formula; a formula error lands under its input (and gives undefined), anything else is thrown. */
  private async fitOne(field: FormulaField, data: LoadedData, REML: boolean) {
    try {
      return await fitModel(field.value, data.frame, REML);
    } catch (error) {
      if (error instanceof FormulaError) {
        field.showError(error.message);
        return undefined;
      }
      // Say which model a data or model error belongs to; programming errors go up unchanged.
      if (error instanceof SpruceError) throw new SpruceError(`${field.value}: ${error.message}`);
      throw error;
    }
  }

  private showResults(pair: FittedPair): void {
    this.showSummary("alt");
    byId("anova-note").textContent = pair.comparison.note;
    byId("anova-table").replaceChildren(renderAnova(pair.comparison.rows));
    byId("plots").replaceChildren(...renderPlots(pair.m1));
    this.results.hidden = false;
    this.bootstrapSection.hidden = false;
    this.bootstrap.setRunner(bootstrapRunner(pair));
  }

  private showSummary(which: "alt" | "null"): void {
    if (!this.fitted) return;
    const model = which === "alt" ? this.fitted.m1 : this.fitted.m0;
    this.summary.textContent = summaryText(model, this.fitted.source);
    this.toggles.alt.setAttribute("aria-pressed", String(which === "alt"));
    this.toggles.null.setAttribute("aria-pressed", String(which === "null"));
  }
}
