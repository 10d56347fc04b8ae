/** The page's handle on its analysis worker (./analysis.worker.ts): every computation runs there, off this thread. */
import * as Comlink from "comlink";
import type { AnalysisApi } from "./analysis-protocol.js";

export const analysis = Comlink.wrap<AnalysisApi>(
  new Worker(new URL("./analysis.worker.ts", import.meta.url), { type: "module", name: "spruce-analysis" }),
);

/** A callback the worker can call (progress). */
export const callback = Comlink.proxy;
