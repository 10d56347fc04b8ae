/**
 * The spruce web app: load a CSV (or an example), fit two nested models, compare them, and bootstrap the
 * likelihood-ratio test in Web Workers. Plain TypeScript and DOM; each section lives in its own module.
 *
 * Fitting runs on the main thread (one fit of Sitka takes milliseconds); the bootstrap's thousands of refits run in
 * the worker pool of src/parallel, the same worker module Node uses.
 */
import { BootstrapPanel } from "./bootstrap-panel.js";
import { DataSection } from "./data-section.js";
import { ModelSection } from "./model-section.js";

const bootstrap = new BootstrapPanel();
const models = new ModelSection(bootstrap);
new DataSection((data) => models.setData(data));

// The e2e test waits for this before it clicks anything.
document.body.dataset.ready = "true";
