/**
 * The 1000-replicate Sitka likelihood-ratio bootstrap in chromium (the built web app, 2 Web Workers) next to the
 * same bootstrap in Node (2 worker_threads). Goal (issue 6): the browser within 1.5× of Node.
 *
 * Browser time is what the page reports for the run (the same `elapsedMs` bootstrapLRT reports in Node: from the
 * call to the last replicate, worker start-up included) and, for reference, the wall time from the click on "Run"
 * to the result on screen. The page is built first (web/dist, as `npm run build:web`); skipped, with a note, when
 * chromium is missing.
 *
 * Run alone: `npx tsx bench/browser.bench.ts` (after `npm run build`, which Node's workers need).
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "vite";
// `fit` renamed: biome reads a bare fit(...) call as a focused jasmine test.
import { fit as fitFormula } from "../src/fit/fit.js";
import { parseCsv } from "../src/frame/csv.js";
import { bootstrapLRT } from "../src/inference/bootstrap.js";
import {
  fitModels,
  loadExample,
  openApp,
  runBootstrap,
  sitkaAlt,
  sitkaNull,
} from "../test/e2e/support/app.js";
import { serveStatic } from "../test/e2e/support/static-server.js";
import { chromiumPath, hasChromium, launchChromium } from "../test/support/chromium.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const NSIM = 1000;
const WORKERS = 2;
const RUNS = 5;
const SEED = 4242;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A pause between the two sides, so that neither pays for the other's clean-up (terminating workers, GC). */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 500));
}

/** The Sitka models fitted in Node, for the Node side of the comparison. */
async function nodeModels() {
  const data = parseCsv(readFileSync(`${root}examples/sitka.csv`, "utf8"), "sitka.csv");
  return {
    m0: await fitFormula(sitkaNull, data, { REML: false }),
    m1: await fitFormula(sitkaAlt, data, { REML: false }),
  };
}

export async function run(): Promise<void> {
  console.log(
    `\nbrowser: Sitka likelihood-ratio bootstrap, ${NSIM} replicates, ${WORKERS} workers, chromium vs node (median of ${RUNS})`,
  );
  if (!hasChromium()) {
    console.log(`  skipped: no chromium at ${chromiumPath} (apt-get install -y chromium fonts-dejavu-core)`);
    return;
  }
  // Build the page from the current sources (as `npm run build:web`), so the figure is never of a stale web/dist.
  try {
    await build({ root: `${root}web`, logLevel: "error" });
  } catch (error) {
    console.log(
      `  skipped: the page does not build (${error instanceof Error ? error.message : String(error)})`,
    );
    return;
  }
  // Node's workers run the built worker module (dist/, made by `npm run build`, which `npm run bench` runs first).
  const node = existsSync(`${root}dist/parallel/worker.js`) ? await nodeModels() : undefined;
  const server = await serveStatic(`${root}web/dist`);
  const browser = await launchChromium();
  const times = { page: [] as number[], click: [] as number[], node: [] as number[] };
  try {
    const page = await browser.newPage();
    await openApp(page, server.url);
    await loadExample(page, "sitka");
    await fitModels(page, sitkaNull, sitkaAlt, "ML");
    // Run 0 warms up (worker bundle, wasm compilation, JIT) on both sides. Then Node and the browser alternate, so
    // that a change in the machine's load (it is shared) hits both alike.
    for (let run = 0; run <= RUNS; run++) {
      const seed = SEED + run;
      if (node) {
        await settle();
        const result = await bootstrapLRT(node.m0, node.m1, { nsim: NSIM, seed, workers: WORKERS });
        if (run > 0) times.node.push(result.elapsedMs);
      }
      await settle();
      const started = performance.now();
      const figures = await runBootstrap(page, NSIM, seed, WORKERS);
      if (run > 0) {
        times.click.push(performance.now() - started);
        times.page.push(Number(figures.elapsedMs));
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const browserMedian = median(times.page);
  const rows: Record<string, string>[] = [
    { where: "chromium: bootstrapLRT elapsedMs in the page", "median ms": browserMedian.toFixed(0) },
    { where: "chromium: click on Run to result shown", "median ms": median(times.click).toFixed(0) },
  ];
  if (node) {
    const nodeMedian = median(times.node);
    rows.push({ where: "node: bootstrapLRT elapsedMs", "median ms": nodeMedian.toFixed(0) });
    rows.push({
      where: "ratio chromium / node (goal ≤ 1.5)",
      "median ms": (browserMedian / nodeMedian).toFixed(2),
    });
  } else {
    rows.push({ where: "node", "median ms": "n/a: no dist/parallel/worker.js (npm run build)" });
  }
  console.table(rows);
}

// `npx tsx bench/browser.bench.ts` runs it alone; bench/run.ts imports it and calls run().
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await run();
