/**
 * The web app end to end, in Debian's chromium (issue 6): load Sitka, fit the two growth models by ML, check the
 * summary and the likelihood-ratio test against lme4, run the 1000-replicate parametric bootstrap with 2 Web Workers,
 * cancel a second run and check its partial result; also a formula syntax error with its caret, and a CSV with
 * missing cells read through the file picker and fitted by REML.
 *
 * `npm run test:e2e` builds web/dist first; this file serves it on a free localhost port. Screenshots go to
 * test/artifacts/e2e/ (not committed) for a person to look at.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumPath, hasChromium, launchChromium } from "../support/chromium.js";
import {
  bootstrapFigures,
  fitModels,
  loadExample,
  openApp,
  runBootstrap,
  sitkaAlt,
  sitkaNull,
  startBootstrap,
} from "./support/app.js";
import { type StaticServer, serveStatic } from "./support/static-server.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const distDir = `${root}web/dist`;
const artifacts = `${root}test/artifacts/e2e`;
const anovaSitka = JSON.parse(readFileSync(`${root}test/fixtures/conformance/anova_sitka.json`, "utf8")) as {
  Chisq: number;
  Df: number;
  p: number;
  logLik: [number, number];
};

const anovaCbpp = JSON.parse(readFileSync(`${root}test/fixtures/glmm/anova_cbpp.json`, "utf8")) as {
  Chisq: number;
  Df: number;
  logLik: [number, number];
};

/**
 * lme4's PBmodcomp-style bootstrap p-value for these models with 1000 replicates (issue 4): 0.011. Both it and ours
 * are estimates from 1000 replicates of the same p, so their difference has standard deviation
 * sqrt(2 p (1 − p) / 1000) ≈ 0.0047; we accept ±3.29 of those (a 99.9% band): binomial sampling error only.
 */
const lme4BootstrapP = 0.011;
const bootstrapBand = 3.29 * Math.sqrt((2 * lme4BootstrapP * (1 - lme4BootstrapP)) / 1000);

let server: StaticServer;
let browser: Browser;
let page: Page;
/** Every Web Worker the page started, by URL, and page errors (none expected). */
const workerUrls: string[] = [];
const pageErrors: string[] = [];

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: `${artifacts}/${name}.png`, fullPage: true });
}

/** A screenshot of the page from the top of one element to the bottom of another (a section's part). */
async function screenshotBetween(from: string, to: string, name: string): Promise<void> {
  const top = await page.locator(from).boundingBox();
  const bottom = await page.locator(to).boundingBox();
  if (!top || !bottom) throw new Error(`${from} or ${to} is not laid out`);
  // Bounding boxes are in viewport coordinates, a full-page clip in page coordinates.
  const scrollY = await page.evaluate(() => window.scrollY);
  const y = top.y + scrollY - 8;
  await page.screenshot({
    path: `${artifacts}/${name}.png`,
    fullPage: true,
    clip: { x: 0, y, width: page.viewportSize()!.width, height: bottom.y + scrollY + bottom.height + 8 - y },
  });
}

beforeAll(async () => {
  if (!existsSync(`${distDir}/index.html`))
    throw new Error("web/dist is missing: run `npm run build:web` (npm run test:e2e does it first)");
  if (!hasChromium())
    throw new Error(
      `no chromium at ${chromiumPath}: apt-get install -y chromium fonts-dejavu-core (.ci/run does)`,
    );
  // Start from an empty folder so no screenshot of an earlier run is mistaken for this one's.
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  server = await serveStatic(distDir);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on("worker", (worker) => workerUrls.push(worker.url()));
  page.on("pageerror", (error) => pageErrors.push(error.message));
  await openApp(page, server.url);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("spruce web app in chromium", () => {
  it("loads the bundled Sitka data with a typed preview", async () => {
    await loadExample(page, "sitka");
    const status = await page.textContent("#data-status");
    expect(status).toContain("395 rows");
    const columns = await page.$$eval("#data-preview thead th[data-column]", (cells) =>
      cells.map((cell) => ({
        name: cell.getAttribute("data-column"),
        type: cell.getAttribute("data-type"),
        missing: Number(cell.getAttribute("data-missing")),
      })),
    );
    expect(columns.map((c) => c.name)).toEqual(["size", "time", "tree", "treat"]);
    expect(columns.find((c) => c.name === "size")?.type).toBe("numeric");
    expect(columns.find((c) => c.name === "treat")?.type).toBe("factor");
    expect(columns.every((c) => c.missing === 0)).toBe(true);
    expect(await page.$$eval("#data-preview tbody tr", (rows) => rows.length)).toBeGreaterThan(0);
    await screenshot("1-data-loaded");
  });

  it("shows a formula syntax error under the input with a caret at the position", async () => {
    await page.fill("#formula-null", "size ~ time + (time | tree");
    await page.fill("#formula-alt", sitkaAlt);
    await page.click("#fit-button");
    const error = page.locator("#formula-null-error");
    await error.waitFor({ state: "visible" });
    const text = (await error.textContent()) ?? "";
    const lines = text.split("\n");
    const caretLine = lines.findIndex((line) => /^\s*\^\s*$/.test(line));
    expect(caretLine).toBeGreaterThan(0);
    // The caret sits under a character of the formula as echoed on the line above it.
    const echoed = lines[caretLine - 1] ?? "";
    expect(echoed).toContain("(time | tree");
    expect(lines[caretLine]!.indexOf("^")).toBeLessThanOrEqual(echoed.length);
    expect(await page.getAttribute("#formula-null", "aria-invalid")).toBe("true");
    expect(await page.isHidden("#results-section")).toBe(true);
    await screenshot("2-formula-error");
  });

  it("fits the Sitka models by ML: summary and likelihood-ratio test as lme4's", async () => {
    await fitModels(page, sitkaNull, sitkaAlt, "ML");
    expect(await page.isHidden("#formula-null-error")).toBe(true);

    const summary = (await page.textContent("#summary-text")) ?? "";
    expect(summary).toContain("maximum likelihood");
    expect(summary).toContain("treatozone:I(time^2)");
    expect(summary).toContain("Random effects");
    expect(summary).toContain("Number of obs: 395, groups:  tree, 79");

    const anova = await page.$$eval("#anova-table tbody tr", (rows) =>
      rows.map((row) =>
        Object.fromEntries(
          Array.from(row.querySelectorAll("td[data-col]")).map((cell) => [
            cell.getAttribute("data-col"),
            Number(cell.getAttribute("data-value")),
          ]),
        ),
      ),
    );
    expect(anova).toHaveLength(2);
    expect(anova[1]!.Chisq).toBeCloseTo(anovaSitka.Chisq, 2);
    expect(anova[1]!.Df).toBe(anovaSitka.Df);
    expect(Math.abs(anova[1]!["Pr(>Chisq)"]! / anovaSitka.p - 1)).toBeLessThan(0.01);
    expect(anova[0]!.logLik).toBeCloseTo(anovaSitka.logLik[0], 2);
    expect(anova[1]!.logLik).toBeCloseTo(anovaSitka.logLik[1], 2);
    await screenshotBetween("#results-heading", "#anova-table", "3-summary");

    // The lecture's two pictures are appended once their extra fits finish.
    await page.waitForSelector('#plots figure[data-plot="group-lines"]');
    const plots = await page.$$eval("#plots figure", (figures) =>
      figures.map((figure) => ({
        name: figure.getAttribute("data-plot"),
        label: figure.querySelector("svg")?.getAttribute("aria-label") ?? "",
      })),
    );
    expect(plots.map((plot) => plot.name)).toEqual([
      "residuals-fitted",
      "qq-residuals",
      "qq-ranef",
      "cooks-distance",
      "observed-fitted",
      "residuals-by-group",
      "group-lines",
    ]);
    expect(plots.every((plot) => plot.label.length > 0)).toBe(true);
    // Rendered, not just present: every plot has a laid-out box of a readable size.
    const sizes = await page.$$eval("#plots svg", (svgs) =>
      svgs.map((svg) => svg.getBoundingClientRect().width),
    );
    expect(Math.min(...sizes)).toBeGreaterThan(300);
    await page.locator("#plots").scrollIntoViewIfNeeded();
    await page.locator("#plots").screenshot({ path: `${artifacts}/4-plots.png` });
  });

  it("switches the summary's p-values: Satterthwaite (default), Kenward-Roger (REML fits only), none", async () => {
    const text = async () => (await page.textContent("#summary-text")) ?? "";
    expect(await text()).toContain("t-tests use Satterthwaite's method");
    expect(await text()).toContain("Pr(>|t|)");
    await page.click("#pvalues-kenward-roger");
    expect(await page.textContent("#pvalues-note")).toContain("Kenward-Roger needs a REML fit");
    await page.click("#pvalues-none");
    expect(await text()).not.toContain("Pr(>|t|)");
    expect(await page.getAttribute("#pvalues-none", "aria-pressed")).toBe("true");
    await page.click("#pvalues-satterthwaite");
    expect(await text()).toContain("Pr(>|t|)");
  });

  it("runs the 1000-replicate bootstrap in 2 Web Workers with lme4's p-value", async () => {
    // A bad setting is refused with a message, and nothing starts.
    await page.fill("#boot-workers", "0");
    await page.click("#boot-run");
    expect(await page.textContent("#boot-error")).toContain("Workers must be a whole number from 1 to 64");
    expect(await page.getAttribute("#boot-result", "data-state")).toBeNull();

    const figures = await runBootstrap(page, 1000, 20240601, 2);
    expect(Number(figures.done)).toBe(1000);
    expect(Number(figures.failures)).toBe(0);
    expect(Number(figures.observed)).toBeCloseTo(anovaSitka.Chisq, 2);
    const p = Number(figures.pBootstrap);
    expect(Math.abs(p - lme4BootstrapP)).toBeLessThanOrEqual(bootstrapBand);
    // The replicates ran in 2 Web Workers: the page says which workers did them and chromium saw them start.
    expect(Number(figures.workers)).toBe(2);
    const perWorker = JSON.parse(figures.perWorker ?? "[]") as number[];
    expect(perWorker).toHaveLength(2);
    expect(perWorker.every((count) => count > 0)).toBe(true);
    expect(perWorker.reduce((a, b) => a + b, 0)).toBe(1000);
    // They were started when the models were fitted (the pool's prestart: they load and warm up while the reader
    // looks at the fit), running the library's worker module, bundled by Vite (src/parallel/worker.ts →
    // assets/worker-*.js).
    const started = workerUrls.filter((url) => /\/assets\/worker-[\w-]+\.js$/.test(url));
    expect(started.length).toBeGreaterThanOrEqual(2);
    // The main thread stayed responsive: its 50 ms heartbeat never stalled for long.
    expect(Number(figures.longestPauseMs)).toBeLessThan(500);
    expect(await page.isVisible("#boot-histogram svg")).toBe(true);
    expect(await page.isHidden("#boot-partial")).toBe(true);
    await screenshotBetween("#bootstrap-heading", "#bootstrap-section", "5-bootstrap-done");
  });

  it("cancels a second run and shows what was done as a partial result", async () => {
    await startBootstrap(page, 20000, 7, 2);
    await page.waitForFunction(() => Number(document.querySelector("progress")?.value) >= 100, null, {
      timeout: 60_000,
    });
    // While it runs: the bar's label gives the rate and the time left.
    expect(await page.textContent("#boot-progress-text")).toMatch(
      /^\d+ \/ 20000 replicates · [\d.]+ \/s · .+ left$/,
    );
    await screenshotBetween("#bootstrap-heading", "#bootstrap-section", "6-bootstrap-running");
    await page.click("#boot-cancel");
    await page.waitForSelector("#boot-result[data-state='partial']", { timeout: 30_000 });
    const figures = await bootstrapFigures(page);
    const done = Number(figures.done);
    expect(done).toBeGreaterThanOrEqual(100);
    expect(done).toBeLessThan(20000);
    expect(Number(figures.requested)).toBe(20000);
    const note = (await page.textContent("#boot-partial")) ?? "";
    expect(note).toMatch(/partial/i);
    expect(note).toContain(`${done} of 20000`);
    expect(await page.isVisible("#boot-histogram svg")).toBe(true);
    expect(await page.isDisabled("#boot-cancel")).toBe(true);
    expect(await page.isEnabled("#boot-run")).toBe(true);
    await screenshotBetween("#bootstrap-heading", "#bootstrap-section", "7-bootstrap-cancelled");
  });

  it("reads a CSV from the file picker, counts its missing cells and fits by REML", async () => {
    // sleepstudy with two reactions missing: lme4 drops those rows (178 of 180 used).
    const lines = readFileSync(`${root}examples/sleepstudy.csv`, "utf8").trimEnd().split("\n");
    lines[3] = lines[3]!.replace(/^[^,]+/, "NA");
    lines[20] = lines[20]!.replace(/^[^,]+/, "");
    await page.setInputFiles("#csv-file", {
      name: "sleep-missing.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(lines.join("\n")),
    });
    await page.waitForSelector("#data-preview table[data-source='sleep-missing.csv']");
    const reaction = page.locator("#data-preview th[data-column='Reaction']");
    expect(await reaction.getAttribute("data-type")).toBe("numeric");
    expect(await reaction.getAttribute("data-missing")).toBe("2");
    expect(await page.textContent("#data-status")).toContain("180 rows");
    // A file brings no formulas: the previous results are gone until the new models are fitted.
    expect(await page.isHidden("#results-section")).toBe(true);

    await fitModels(page, "Reaction ~ Days + (1|Subject)", "Reaction ~ Days + (Days|Subject)", "REML");
    const summary = (await page.textContent("#summary-text")) ?? "";
    expect(summary).toContain("Linear mixed model fit by REML");
    expect(summary).toContain("Number of obs: 178, groups:  Subject, 18");
    await page.click("#pvalues-kenward-roger");
    expect((await page.textContent("#summary-text")) ?? "").toContain("t-tests use Kenward-Roger's method");
    expect(await page.textContent("#pvalues-note")).toBe("");
    // anova compares ML fits, as lme4 does, and says so.
    expect(await page.textContent("#anova-note")).toContain("refitting model(s) with ML");
    expect(pageErrors).toEqual([]);
  });

  it("fits a binomial GLMM (cbpp, cbind response) from the family selector, as glmer, and bootstraps it", async () => {
    await page.setInputFiles("#csv-file", {
      name: "cbpp.csv",
      mimeType: "text/csv",
      buffer: readFileSync(`${root}test/fixtures/glmm/data/cbpp.csv`),
    });
    await page.waitForSelector("#data-preview table[data-source='cbpp.csv']");
    await page.selectOption("#family", "binomial");
    expect(
      await page.$$eval("#link option", (options) => options.map((o) => o.getAttribute("value"))),
    ).toEqual(["logit", "probit", "cloglog"]);
    // glmer fits by maximum likelihood: the REML/ML choice does not apply.
    expect(await page.isDisabled("input[name='criterion'][value='REML']")).toBe(true);

    // A response outside the family's support is an error at the formula, pointing at the response.
    await page.fill("#formula-null", "size ~ 1 + (1|herd)");
    await page.fill("#formula-alt", "size ~ factor(period) + (1|herd)");
    await page.click("#fit-button");
    await page.waitForSelector("#formula-null-error:not([hidden])");
    const problem = (await page.textContent("#formula-null-error")) ?? "";
    expect(problem).toMatch(/binomial response 'size' is 14, outside \[0, 1\]/);
    const lines = problem.split("\n");
    const caretLine = lines.findIndex((line) => /^\s*\^\s*$/.test(line));
    expect(caretLine).toBeGreaterThan(0);
    const caretAt = (lines[caretLine] as string).indexOf("^");
    expect((lines[caretLine - 1] as string).slice(caretAt, caretAt + 4)).toBe("size");

    await page.fill("#formula-null", "cbind(incidence, size - incidence) ~ 1 + (1|herd)");
    await page.fill("#formula-alt", "cbind(incidence, size - incidence) ~ factor(period) + (1|herd)");
    await page.click("#fit-button");
    await page.waitForSelector(
      "#results-section:not([hidden]), #fit-error:not([hidden]), .formula-error:not([hidden])",
    );
    expect(await page.isVisible("#results-section")).toBe(true);
    const summary = (await page.textContent("#summary-text")) ?? "";
    expect(summary).toContain("Generalized linear mixed model fit by maximum likelihood (Laplace");
    expect(summary).toContain(" Family: binomial  ( logit )");
    expect(summary).toContain("z value Pr(>|z|)");
    expect(summary).toContain("Number of obs: 56, groups:  herd, 15");
    expect(await page.textContent("#pvalues-note")).toContain("Wald z tests");
    const anova = await page.$$eval("#anova-table tbody tr", (rows) =>
      rows.map((row) =>
        Object.fromEntries(
          Array.from(row.querySelectorAll("td[data-col]")).map((cell) => [
            cell.getAttribute("data-col"),
            Number(cell.getAttribute("data-value")),
          ]),
        ),
      ),
    );
    // lme4's anova(g0, g1) for these glmer fits (test/fixtures/glmm/anova_cbpp.json).
    expect(Math.abs(anova[1]!.Chisq! - anovaCbpp.Chisq)).toBeLessThan(4e-3);
    expect(anova[1]!.Df).toBe(anovaCbpp.Df);
    expect(Math.abs(anova[1]!.logLik! - anovaCbpp.logLik[1])).toBeLessThan(2e-3);
    await screenshotBetween("#results-heading", "#anova-table", "8-glmm-summary");

    const figures = await runBootstrap(page, 200, 12, 2);
    expect(Number(figures.done)).toBe(200);
    expect(Number(figures.failures)).toBe(0);
    expect(Number(figures.observed)).toBeCloseTo(anova[1]!.Chisq!, 6);
    // A strong effect: no replicate reaches the observed 25.6, so p = 1 / (1 + 200).
    expect(Number(figures.pBootstrap)).toBeCloseTo(1 / 201, 9);

    // The bundled cbpp example selects the binomial family with its formulas; the gaussian examples select gaussian.
    await loadExample(page, "sleepstudy");
    expect(await page.inputValue("#family")).toBe("gaussian");
    await loadExample(page, "cbpp");
    expect(await page.inputValue("#family")).toBe("binomial");
    expect(await page.inputValue("#formula-alt")).toBe(
      "cbind(incidence, size - incidence) ~ factor(period) + (1|herd)",
    );
    expect(pageErrors).toEqual([]);
  });
});
