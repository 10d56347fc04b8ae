/**
 * Driving the web app the way a person does (clicks and typing), shared by the e2e test and bench/browser.bench.ts.
 * The page marks its state in the DOM (`body[data-ready]`, `#boot-result[data-state]`) and every number it shows
 * carries its exact value in a `data-value` attribute, so the test reads numbers, not formatted text.
 */
import type { Page } from "playwright-core";

export const sitkaNull = "size ~ time+I(time^2) + (time+I(time^2)|tree)";
export const sitkaAlt = "size ~ treat*(time+I(time^2)) + (time+I(time^2)|tree)";

export async function openApp(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector("body[data-ready='true']");
}

export async function loadExample(page: Page, name: "sitka" | "sleepstudy" | "cbpp"): Promise<void> {
  await page.click(`#example-${name}`);
  await page.waitForSelector(`#data-preview table[data-source='${name}.csv']`);
}

export async function fitModels(
  page: Page,
  nullFormula: string,
  altFormula: string,
  criterion: "ML" | "REML",
) {
  await page.fill("#formula-null", nullFormula);
  await page.fill("#formula-alt", altFormula);
  await page.check(`input[name='criterion'][value='${criterion}']`);
  await page.click("#fit-button");
  // Results, or an error the page shows: fail at once with the page's own message rather than time out.
  await page.waitForSelector(
    "#results-section:not([hidden]), #fit-error:not([hidden]), .formula-error:not([hidden])",
  );
  if (await page.isHidden("#results-section")) {
    const errors = await page.$$eval("#fit-error:not([hidden]), .formula-error:not([hidden])", (nodes) =>
      nodes.map((node) => node.textContent).join("\n"),
    );
    throw new Error(`the page did not fit the models:\n${errors}`);
  }
  // The plots are laid out one per frame after the results appear.
  await page.waitForSelector("#plots[data-complete='true']");
}

/** The numbers of the bootstrap result table, by key (`data-key` → `data-value`). */
export function bootstrapFigures(page: Page): Promise<Record<string, string>> {
  return page.$$eval("#boot-table [data-key]", (cells) =>
    Object.fromEntries(
      cells.map((cell) => [cell.getAttribute("data-key"), cell.getAttribute("data-value") ?? ""]),
    ),
  );
}

/** Start a bootstrap run from the form; does not wait for it. */
export async function startBootstrap(page: Page, nsim: number, seed: number, workers: number): Promise<void> {
  await page.fill("#boot-nsim", String(nsim));
  await page.fill("#boot-seed", String(seed));
  await page.fill("#boot-workers", String(workers));
  // The click handler marks the run synchronously, so a finished earlier run cannot be mistaken for this one.
  await page.click("#boot-run");
}

/** Run a bootstrap to the end and return its figures. */
export async function runBootstrap(page: Page, nsim: number, seed: number, workers: number) {
  await startBootstrap(page, nsim, seed, workers);
  await page.waitForSelector("#boot-result[data-state='done'], #boot-error:not([hidden])", {
    timeout: 300_000,
  });
  if (await page.isVisible("#boot-error"))
    throw new Error(`bootstrap failed: ${await page.textContent("#boot-error")}`);
  return bootstrapFigures(page);
}
