/**
 * The model and results sections: two formulas, the family (./family-select.ts) and the criterion in; both fits
 * (in the analysis worker), the lme4-style summaries (glmer's for a GLMM), the likelihood-ratio table, the
 * confidence intervals and the diagnostic plots out, each with a download; then the bootstrap section gets a
 * runner for this pair, unless the pair is not nested.
 */
import { analysis, callback } from "./analysis.js";
import type { FitProblem, FitReport, FitRequest } from "./analysis-protocol.js";
import { renderAnova } from "./anova-table.js";
import type { BootstrapPanel, BootstrapRunner } from "./bootstrap-panel.js";
import type { LoadedData } from "./data-section.js";
import { byId, el, messageOf, nextFrame, showError, svgNode } from "./dom.js";
import { plotDownloads, textDownload, toCsv } from "./export.js";
import { FamilySelect } from "./family-select.js";
import { FormulaField } from "./formula-field.js";
import { PValueSwitch } from "./pvalue-switch.js";
import { updateState } from "./url-state.js";

export class ModelSection {
  private readonly form = byId<HTMLFormElement>("model-form");
  private readonly nullField = new FormulaField(byId("formula-null"), byId("formula-null-error"));
  private readonly altField = new FormulaField(byId("formula-alt"), byId("formula-alt-error"));
  private readonly fitButton = byId<HTMLButtonElement>("fit-button");
  private readonly status = byId("fit-status");
  private readonly error = byId("fit-error");
  private readonly pairWarning = byId("pair-warning");
  private readonly results = byId("results-section");
  private readonly bootstrapSection = byId("bootstrap-section");
  private readonly summary = byId("summary-text");
  private readonly toggles = {
    alt: byId<HTMLButtonElement>("show-alt"),
    null: byId<HTMLButtonElement>("show-null"),
  };
  private readonly pvalues = new PValueSwitch(() => this.showSummary(this.shown));
  private readonly families = new FamilySelect(this.form);
  private shown: "alt" | "null" = "alt";
  private data: LoadedData | undefined;
  private report: FitReport | undefined;

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
      this.families.set(data.example.family ?? "gaussian", undefined);
    }
    this.nullField.check();
    this.altField.check();
    this.clearResults();
  }

  /** Formulas, criterion, family and link from a restored address. */
  setModels(
    m0: string | undefined,
    m1: string | undefined,
    criterion: "REML" | "ML" | undefined,
    family?: { family?: string; link?: string },
  ): void {
    if (m0 !== undefined) this.nullField.input.value = m0;
    if (m1 !== undefined) this.altField.input.value = m1;
    if (criterion) this.criterionInput(criterion).checked = true;
    this.families.set(family?.family ?? "gaussian", family?.link);
    this.nullField.check();
    this.altField.check();
  }

  private criterionInput(value: "REML" | "ML"): HTMLInputElement {
    return this.form.querySelector<HTMLInputElement>(`input[name="criterion"][value="${value}"]`)!;
  }

  private clearResults(): void {
    this.report = undefined;
    this.results.hidden = true;
    this.bootstrapSection.hidden = true;
    this.bootstrap.setRunner(undefined);
    this.status.textContent = "";
    showError(this.error, undefined);
    showError(this.pairWarning, undefined);
  }

  /** Fit both models; resolves once the results (or an error) are shown. */
  async fit(sharedRows = false): Promise<boolean> {
    const data = this.data;
    if (!data) return false;
    const syntaxOk = [this.nullField.check(), this.altField.check()].every(Boolean);
    if (!syntaxOk || !this.nullField.value || !this.altField.value) {
      if (!this.nullField.value)
        this.nullField.showError("Type the null model's formula, e.g. y ~ x + (1|g)");
      if (!this.altField.value) this.altField.showError("Type the alternative model's formula");
      this.clearResults();
      return false;
    }
    const { family, link } = this.families.value;
    const glmm = family !== "gaussian";
    const request: FitRequest = {
      nullFormula: this.nullField.value,
      altFormula: this.altField.value,
      // glmer fits by maximum likelihood.
      REML: !glmm && this.criterionInput("REML").checked,
      sharedRows,
      ...(glmm ? { family, link } : {}),
    };
    this.clearResults();
    this.fitButton.disabled = true;
    // The fit runs in the worker; the status counts the seconds honestly meanwhile.
    const started = performance.now();
    const tick = () => {
      this.status.textContent = `Fitting ${data.rows.toLocaleString("en")} rows in a background worker… ${((performance.now() - started) / 1000).toFixed(1)} s`;
    };
    tick();
    const timer = setInterval(tick, 250);
    this.status.dataset.state = "fitting";
    try {
      const reply = await analysis.fit(request);
      clearInterval(timer);
      if (!reply.ok) {
        this.showProblem(reply);
        this.status.dataset.state = "error";
        return false;
      }
      const seconds = (performance.now() - started) / 1000;
      this.status.textContent =
        `Fitted in ${seconds.toFixed(2)} s (${reply.nobs.toLocaleString("en")} observations` +
        `${reply.sharedRows !== undefined ? ", the rows both models can use" : ""}; ` +
        `${reply.evaluations[0]} + ${reply.evaluations[1]} deviance evaluations; computed in a background worker).`;
      this.status.dataset.state = "done";
      this.report = reply;
      await this.showResults(reply);
      updateState({
        data: data.exampleKey ?? data.source,
        m0: request.nullFormula,
        m1: request.altFormula,
        criterion: request.REML ? "REML" : "ML",
        family: glmm ? family : "",
        link: glmm ? link : "",
        boot: false,
      });
      return true;
    } catch (error) {
      clearInterval(timer);
      this.status.textContent = "";
      this.status.dataset.state = "error";
      showError(this.error, messageOf(error));
      return false;
    } finally {
      this.fitButton.disabled = false;
    }
  }

  private showProblem(problem: FitProblem): void {
    this.status.textContent = "";
    if (problem.field) {
      const field = problem.field === "null" ? this.nullField : this.altField;
      field.showError(problem.message, problem.position);
      field.input.focus();
      return;
    }
    showError(this.error, problem.message);
    if (problem.rowsDiffer) {
      const button = el(
        "button",
        { type: "button", id: "fit-shared-rows" },
        `Fit both on the ${problem.rowsDiffer.shared.toLocaleString("en")} rows both can use`,
      );
      button.addEventListener("click", () => void this.fit(true));
      this.error.append(" ", button);
    }
  }

  private async showResults(report: FitReport): Promise<void> {
    this.showSummary("alt");
    byId("anova-note").textContent = report.anova.note;
    byId("anova-table").replaceChildren(renderAnova(report.anova.rows));
    byId("intervals").replaceChildren(renderIntervals(report));
    byId("results-export").replaceChildren(
      textDownload("Summaries (txt)", "summaries.txt", "text/plain", () =>
        [report.summaries.alt.none, "", report.summaries.null.none].join("\n"),
      ),
      textDownload("LRT table (CSV)", "anova.csv", "text/csv", () => anovaCsv(report)),
      textDownload("Intervals (CSV)", "confint.csv", "text/csv", () => intervalsCsv(report)),
    );
    const plots = byId("plots");
    plots.replaceChildren();
    plots.dataset.complete = "false";
    this.results.hidden = false;
    if (report.pairWarning) {
      showError(this.pairWarning, report.pairWarning);
      this.bootstrapSection.hidden = true;
      this.bootstrap.setRunner(undefined);
    } else {
      this.bootstrapSection.hidden = false;
      this.bootstrap.setRunner(bootstrapRunner);
    }
    // One plot per frame: a large model's plots are thousands of SVG elements, and laying them all out in one
    // task would block the page (the e2e test holds every task under 200 ms).
    for (const plot of report.plots) {
      await nextFrame();
      if (this.report !== report) return;
      plots.append(
        el("figure", { "data-plot": plot.name }, svgNode(plot.svg), plotDownloads(plot.name, plot.svg)),
      );
    }
    plots.dataset.complete = "true";
  }

  private showSummary(which: "alt" | "null"): void {
    if (!this.report) return;
    this.shown = which;
    const texts = this.report.summaries[which];
    const method = this.pvalues.methodFor(texts);
    this.summary.textContent = method ? (texts[method] ?? texts.Satterthwaite) : texts.none;
    if (texts.glmm) {
      // glmer's summary has Wald z tests; denominator degrees of freedom do not apply to GLMMs.
      this.summary.textContent = texts.none;
      byId("pvalues-note").textContent =
        "GLMM: glmer's summary with Wald z tests (Satterthwaite and Kenward-Roger apply to linear mixed models only).";
    }
    this.toggles.alt.setAttribute("aria-pressed", String(which === "alt"));
    this.toggles.null.setAttribute("aria-pressed", String(which === "null"));
  }
}

/** The bootstrap of the fitted pair, run by the analysis worker (whose pool of Web Workers does the replicates). */
const bootstrapRunner: BootstrapRunner = async ({ nsim, seed, workers, signal, onProgress }) => {
  const onAbort = () => void analysis.cancel();
  signal.addEventListener("abort", onAbort);
  try {
    return await analysis.bootstrap({ nsim, seed, workers }, callback(onProgress));
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
};

function anovaCsv(report: FitReport): string {
  const keys = ["name", "formula", "npar", "AIC", "BIC", "logLik", "deviance", "Chisq", "Df", "p"] as const;
  return toCsv(
    [...keys],
    report.anova.rows.map((row) =>
      keys.map((k) => (row as unknown as Record<string, string | number | null>)[k]),
    ),
  );
}

function intervalsCsv(report: FitReport): string {
  const { level, rows } = report.intervals;
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  return toCsv(
    ["parameter", "estimate", pct((1 - level) / 2), pct(1 - (1 - level) / 2)],
    rows.map((r) => [r.name, r.estimate, r.lower, r.upper]),
  );
}

function renderIntervals(report: FitReport): HTMLElement {
  const { method, level, rows } = report.intervals;
  const shown = (v: number | null) => (v === null ? "NA" : v.toPrecision(5));
  return el(
    "table",
    { class: "numbers", id: "intervals-table" },
    el("caption", {}, `${Math.round(level * 100)} % confidence intervals of m1 (${method})`),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", {}, "parameter"),
        el("th", {}, "estimate"),
        el("th", {}, "lower"),
        el("th", {}, "upper"),
      ),
    ),
    el(
      "tbody",
      {},
      ...rows.map((r) =>
        el(
          "tr",
          {},
          el("th", { scope: "row" }, r.name),
          el("td", { "data-value": r.estimate ?? "NA" }, shown(r.estimate)),
          el("td", { "data-value": r.lower ?? "NA" }, shown(r.lower)),
          el("td", { "data-value": r.upper ?? "NA" }, shown(r.upper)),
        ),
      ),
    ),
  );
}
