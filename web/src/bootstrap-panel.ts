/**
 * The bootstrap section: replicates, seed and workers in; a progress bar with the rate and the time left; Cancel
 * keeps the replicates done so far and shows them marked as partial; at the end, the table of p-values and the
 * histogram of T* with the observed T.
 *
 * The section knows nothing of models: main.ts hands it a `BootstrapRunner` that runs the replicates in Web Workers.
 */
import type { BootstrapReply } from "./analysis-protocol.js";
import { byId, el, messageOf, showError, svgNode } from "./dom.js";
import { plotDownloads, textDownload, toCsv } from "./export.js";
import { Heartbeat, progressFigures, progressText } from "./progress.js";
import { updateState } from "./url-state.js";

export interface BootstrapRequest {
  nsim: number;
  seed: number;
  workers: number;
  signal: AbortSignal;
  onProgress: (done: number) => void;
}

/** What the page shows of a finished or cancelled run (made by the analysis worker). */
export type BootstrapOutcome = BootstrapReply;

export type BootstrapRunner = (request: BootstrapRequest) => Promise<BootstrapOutcome>;

export class BootstrapPanel {
  private readonly form = byId<HTMLFormElement>("bootstrap-form");
  private readonly nsimInput = byId<HTMLInputElement>("boot-nsim");
  private readonly seedInput = byId<HTMLInputElement>("boot-seed");
  private readonly workersInput = byId<HTMLInputElement>("boot-workers");
  private readonly runButton = byId<HTMLButtonElement>("boot-run");
  private readonly cancelButton = byId<HTMLButtonElement>("boot-cancel");
  private readonly progress = byId<HTMLProgressElement>("boot-progress");
  private readonly progressLabel = byId("boot-progress-text");
  private readonly error = byId("boot-error");
  private readonly result = byId("boot-result");
  private readonly partialNote = byId("boot-partial");
  private readonly table = byId<HTMLTableElement>("boot-table");
  private readonly histogram = byId("boot-histogram");
  private readonly heartbeat = new Heartbeat(50);
  private controller: AbortController | undefined;
  private runner: BootstrapRunner | undefined;

  constructor() {
    this.workersInput.value = String(Math.max(1, navigator.hardwareConcurrency || 1));
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.run();
    });
    this.cancelButton.addEventListener("click", () => this.controller?.abort());
  }

  /** A new pair of fitted models: forget the previous result, keep the settings. */
  setRunner(runner: BootstrapRunner | undefined): void {
    this.controller?.abort();
    this.runner = runner;
    this.result.hidden = true;
    this.result.removeAttribute("data-state");
    this.progress.value = 0;
    this.progressLabel.textContent = "";
    showError(this.error, undefined);
    this.runButton.disabled = runner === undefined;
  }

  /** Settings from a restored address; with `run`, start the bootstrap (resolves when it ends). */
  async restore(nsim: number | undefined, seed: number | undefined, run: boolean): Promise<void> {
    if (nsim !== undefined) this.nsimInput.value = String(nsim);
    if (seed !== undefined) this.seedInput.value = String(seed);
    if (run) await this.run();
  }

  /** A whole number from a field, within the field's own min/max attributes. */
  private readInteger(input: HTMLInputElement, name: string): number {
    const value = Number(input.value);
    const min = input.min === "" ? 0 : Number(input.min);
    const max = input.max === "" ? Number.MAX_SAFE_INTEGER : Number(input.max);
    if (input.value.trim() === "" || !Number.isSafeInteger(value) || value < min || value > max)
      throw new Error(`${name} must be a whole number from ${min} to ${max}`);
    return value;
  }

  private async run(): Promise<void> {
    const runner = this.runner;
    if (!runner || this.controller) return;
    let nsim: number;
    let seed: number;
    let workers: number;
    try {
      nsim = this.readInteger(this.nsimInput, "Replicates");
      seed = this.readInteger(this.seedInput, "Seed");
      workers = this.readInteger(this.workersInput, "Workers");
    } catch (error) {
      showError(this.error, messageOf(error));
      return;
    }
    showError(this.error, undefined);
    const controller = new AbortController();
    this.controller = controller;
    this.runButton.disabled = true;
    this.cancelButton.disabled = false;
    // The previous run's result would be mistaken for this one's: hide it until this run ends.
    this.result.hidden = true;
    this.result.setAttribute("data-state", "running");
    this.progress.max = nsim;
    this.progress.value = 0;
    this.progressLabel.textContent = "starting workers…";
    const started = performance.now();
    this.heartbeat.start();
    try {
      const outcome = await runner({
        nsim,
        seed,
        workers,
        signal: controller.signal,
        onProgress: (done) => {
          this.progress.value = done;
          this.progressLabel.textContent = progressText(
            progressFigures(done, nsim, performance.now() - started),
          );
        },
      });
      this.heartbeat.stop();
      // New models arrived meanwhile (setRunner aborted this run): its result belongs to the old ones.
      if (this.runner === runner) this.show(outcome);
    } catch (error) {
      this.heartbeat.stop();
      if (this.runner !== runner) return;
      this.result.removeAttribute("data-state");
      this.progressLabel.textContent = "";
      showError(this.error, `The bootstrap failed: ${messageOf(error)}`);
    } finally {
      this.controller = undefined;
      this.runButton.disabled = this.runner === undefined;
      this.cancelButton.disabled = true;
    }
  }

  private show(outcome: BootstrapOutcome): void {
    const seconds = outcome.elapsedMs / 1000;
    const rate = seconds > 0 ? outcome.done / seconds : 0;
    this.progress.value = outcome.done;
    this.progressLabel.textContent = `${outcome.done} / ${outcome.requested} replicates in ${seconds.toFixed(2)} s (${Math.round(rate)} /s)`;

    this.partialNote.hidden = !outcome.partial;
    this.partialNote.textContent = outcome.partial
      ? `Partial result: cancelled after ${outcome.done} of ${outcome.requested} replicates. ` +
        "The p-values below use only the replicates done, so they are less precise than a full run."
      : "";

    const successes = outcome.done - outcome.failures;
    const rows: [key: string, label: string, value: number | string, shown: string][] = [
      ["observed", "Observed T = 2(ℓ₁ − ℓ₀)", outcome.observed, outcome.observed.toFixed(4)],
      ["df", "Df", outcome.df, String(outcome.df)],
      ["pChisq", "p-value, χ² approximation", outcome.pChisq, formatP(outcome.pChisq)],
      [
        "pBootstrap",
        "p-value, bootstrap (1 + #{T* ≥ T}) / (1 + B)",
        outcome.pBootstrap,
        formatP(outcome.pBootstrap),
      ],
      ["pExceed", "Share of T* > T (pbkrtest's PBmodcomp)", outcome.pExceed, `${outcome.above}/${successes}`],
      ["done", "Replicates done", outcome.done, `${outcome.done} of ${outcome.requested}`],
      ["requested", "Replicates asked for", outcome.requested, String(outcome.requested)],
      ["failures", "Replicates that failed (not in B)", outcome.failures, String(outcome.failures)],
      ["successes", "B (replicates used)", successes, String(successes)],
      ["seed", "Seed", outcome.seed, String(outcome.seed)],
      ["workers", "Web Workers", outcome.workers, String(outcome.workers)],
      [
        "perWorker",
        "Replicates per worker",
        JSON.stringify(outcome.perWorker ?? []),
        outcome.perWorker ? outcome.perWorker.join(" + ") : "—",
      ],
      ["elapsedMs", "Wall time", outcome.elapsedMs, `${seconds.toFixed(2)} s`],
      [
        "longestPauseMs",
        "Longest pause of this page meanwhile",
        Math.round(this.heartbeat.longestGapMs),
        `${Math.round(this.heartbeat.longestGapMs)} ms`,
      ],
    ];
    this.table.replaceChildren(
      el("caption", {}, outcome.partial ? "Bootstrap (partial)" : "Bootstrap"),
      el(
        "tbody",
        {},
        ...rows.map(([key, label, value, shown]) =>
          el(
            "tr",
            {},
            el("th", { scope: "row" }, label),
            el("td", { "data-key": key, "data-value": value }, shown),
          ),
        ),
      ),
    );
    this.histogram.replaceChildren(
      svgNode(outcome.histogram),
      plotDownloads("lrt-bootstrap", outcome.histogram),
    );
    byId("boot-export").replaceChildren(
      textDownload("T* of each replicate (CSV)", "bootstrap-stats.csv", "text/csv", () =>
        toCsv(
          ["replicate", "T"],
          outcome.stats.map((t, i) => [i + 1, t]),
        ),
      ),
      textDownload("This table (CSV)", "bootstrap.csv", "text/csv", () =>
        toCsv(
          ["quantity", "value"],
          rows.map(([key, , value]) => [key, value]),
        ),
      ),
    );
    if (!outcome.partial) updateState({ nsim: outcome.requested, seed: outcome.seed, boot: true });
    this.result.hidden = false;
    this.result.setAttribute("data-state", outcome.partial ? "partial" : "done");
  }
}

/** p-values as R prints them: 4 significant digits, "< 2.2e-16" at the bottom (an exact 0 is 0). */
export function formatP(p: number): string {
  if (!Number.isFinite(p)) return "NA";
  if (p === 0) return "0";
  if (p < 2.2e-16) return "< 2.2e-16";
  return p < 1e-4 ? p.toExponential(2) : p.toPrecision(4).replace(/\.?0+$/, "");
}
