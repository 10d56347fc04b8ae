/**
 * The spruce web app: load a CSV (or an example), fit two nested models, compare them, and bootstrap the
 * likelihood-ratio test in Web Workers. Plain TypeScript and DOM; each section lives in its own module.
 *
 * All computation runs in the analysis worker (./analysis.worker.ts): reading the CSV, the fits, the comparison,
 * the intervals, the plots and the bootstrap (whose replicates run in that worker's own pool of Web Workers), so
 * the page stays responsive whatever the size of the data. The analysis is kept in the address (./url-state.ts):
 * a reload or a shared link restores it.
 */
import { BootstrapPanel } from "./bootstrap-panel.js";
import { DataSection } from "./data-section.js";
import { byId } from "./dom.js";
import { examples } from "./examples.js";
import { ModelSection } from "./model-section.js";
import { readState } from "./url-state.js";

const bootstrap = new BootstrapPanel();
const models = new ModelSection(bootstrap);
const restored = readState();
const data = new DataSection((loaded) => {
  models.setData(loaded);
  // A file named in the address: once the person loads it, its formulas come back (and are fitted).
  if (restored.data && loaded.source === restored.data && !(restored.data in examples)) {
    models.setModels(restored.m0, restored.m1, restored.criterion, restored);
    void models.fit();
  }
});

/** Restore the analysis in the address: an example is loaded, fitted and (if it was) bootstrapped again. */
async function restore(): Promise<void> {
  if (!restored.data) return;
  if (!(restored.data in examples)) {
    byId("data-status").textContent =
      `This link's analysis used ${restored.data}: load that file to restore it (files never leave your computer).`;
    return;
  }
  const loaded = await data.loadExample(restored.data as keyof typeof examples);
  if (!loaded) return;
  models.setModels(restored.m0, restored.m1, restored.criterion, restored);
  if (!(await models.fit())) return;
  await bootstrap.restore(restored.nsim, restored.seed, restored.boot === true);
}

void restore().finally(() => {
  // The e2e test waits for this before it clicks anything.
  document.body.dataset.ready = "true";
});
