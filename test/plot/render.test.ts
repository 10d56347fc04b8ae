/**
 * Every plot opens in Chromium (Debian's /usr/bin/chromium, via playwright-core), parses as SVG there, and shows its
 * title. The PNGs are kept under test/artifacts/plots/ (gitignored) for people to look at.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NamedPlot, plotLrtBootstrap, plotModel } from "../../src/plot/index.js";
import { lme4ThetaModel } from "../diagnostics/support.js";
import { chromiumPath, hasChromium, launchChromium } from "../support/chromium.js";

const artifacts = join(dirname(fileURLToPath(import.meta.url)), "..", "artifacts", "plots");
const haveChromium = hasChromium();
if (!haveChromium)
  console.warn(`render test skipped: ${chromiumPath} is not installed (apt-get install chromium)`);

/** A deterministic stand-in for bootstrap replicates: χ²₂ quantiles at evenly spaced probabilities. */
function chisq2Quantiles(B: number): number[] {
  return Array.from({ length: B }, (_, i) => -2 * Math.log(1 - (i + 0.5) / B));
}

function allPlots(): NamedPlot[] {
  const sleep = plotModel(lme4ThetaModel("sleepstudy_reml"));
  const sitka = plotModel(lme4ThetaModel("sitka_intercept_reml")).map((p) => ({
    ...p,
    name: `sitka-${p.name}`,
  }));
  const quadratic = plotModel(lme4ThetaModel("sitka_mm1_reml"))
    .filter((p) => p.name === "qq-ranef")
    .map((p) => ({ ...p, name: `sitka-quadratic-${p.name}` }));
  const lrt = plotLrtBootstrap({
    replicates: chisq2Quantiles(400),
    observed: 5.2,
    df: 2,
    pValueBootstrap: 0.08,
  });
  return [...sleep, ...sitka, ...quadratic, lrt];
}

describe.skipIf(!haveChromium)("plots rendered in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
    mkdirSync(artifacts, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("each plot parses as SVG, shows its title and renders to a PNG", async () => {
    const page = await browser.newPage();
    for (const p of allPlots()) {
      writeFileSync(join(artifacts, `${p.name}.svg`), p.svg);
      // Parse as a standalone XML document first: a well-formedness error gives a <parsererror> element.
      const parseError = await page.evaluate((svg) => {
        const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
        const err = doc.getElementsByTagName("parsererror")[0];
        return err
          ? (err.textContent ?? "parse error")
          : doc.documentElement.nodeName === "svg"
            ? null
            : "not svg";
      }, p.svg);
      expect(parseError, p.name).toBeNull();
      await page.setContent(
        `<!doctype html><html><body style="margin:0">${p.svg.replace(/^<\?xml[^>]*>\s*/, "")}</body></html>`,
      );
      const texts = await page.$$eval("svg text", (nodes) => nodes.map((n) => n.textContent ?? ""));
      expect(texts, p.name).toContain(p.title);
      const box = await page.$eval("svg", (s) => {
        const r = s.getBoundingClientRect();
        return { width: r.width, height: r.height };
      });
      expect(box.width, p.name).toBeGreaterThan(200);
      expect(box.height, p.name).toBeGreaterThan(200);
      const svg = await page.$("svg");
      const png = await svg?.screenshot({ path: join(artifacts, `${p.name}.png`) });
      expect(png?.length ?? 0, p.name).toBeGreaterThan(2000);
    }
    await page.close();
  });
});
