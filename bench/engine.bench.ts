/**
 * Per-evaluation cost of the wasm PLS engine (objective alone; objective + analytic gradient) near lme4's θ on every
 * conformance model, and on the two InstEval models (set SPRUCE_BENCH_INSTEVAL=0 to skip those).
 * Times are tinybench latencies in ms (median and p99); the engine's contract is src/fit/engine.ts.
 */
import { Bench } from "tinybench";
import { designBuffers } from "../src/design/types.js";
import { createWasmEngine } from "../src/fit/wasm-engine.js";
import { loadKernels } from "../src/wasm/load.js";
import { conformanceDesigns } from "../test/engine/conformance-designs.js";
import { instevalDesign, loadScaleFixture, readInstEval, scaleIds } from "../test/scale/insteval-design.js";
import { asArray, fitFixtureIds, loadFitFixture } from "../test/support/fixtures.js";

/**
 * θ for one call: lme4's θ with its first entry nudged by a relative 1e-12 that changes sign at every call. The
 * engine reuses its factor when it is asked twice at the same θ (src/fit/wasm-engine.ts); every timed call must
 * factor, as every step of an optimiser does.
 */
function alternating(theta: Float64Array): () => Float64Array {
  const base = theta[0] as number;
  let flip = 1;
  return () => {
    flip = -flip;
    theta[0] = base * (1 + 1e-12 * flip);
    return theta;
  };
}

export async function run(): Promise<void> {
  const kernels = await loadKernels();
  const bench = new Bench({ time: 300, warmupTime: 100 });
  for (const id of fitFixtureIds()) {
    const make = conformanceDesigns[id];
    if (!make) continue;
    const f = loadFitFixture(id);
    const engine = createWasmEngine(kernels, designBuffers(make()));
    const next = alternating(Float64Array.from(asArray(f.theta)));
    const grad = new Float64Array(engine.nTheta);
    bench.add(`${id} objective`, () => {
      engine.objective(next(), f.REML);
    });
    bench.add(`${id} objective+gradient`, () => {
      engine.gradient(next(), f.REML, grad);
    });
  }
  await bench.run();
  console.log("engine: per evaluation at lme4's θ (ms)");
  console.table(
    bench.tasks.map((t) => {
      const lat = (t.result as { latency?: { p50?: number; p99?: number } } | undefined)?.latency;
      return {
        task: t.name,
        "median µs": ((lat?.p50 ?? Number.NaN) * 1000).toFixed(2),
        "p99 µs": ((lat?.p99 ?? Number.NaN) * 1000).toFixed(2),
      };
    }),
  );

  if (process.env.SPRUCE_BENCH_INSTEVAL === "0") return;
  const data = readInstEval();
  const rows: Record<string, string>[] = [];
  for (const id of scaleIds) {
    const f = loadScaleFixture(id);
    const t0 = performance.now();
    const engine = createWasmEngine(kernels, designBuffers(instevalDesign(id, data)));
    const setupMs = performance.now() - t0;
    const next = alternating(Float64Array.from(f.theta));
    const grad = new Float64Array(engine.nTheta);
    const time = (fn: () => void, reps: number): number => {
      fn();
      const ts: number[] = [];
      for (let i = 0; i < reps; i++) {
        const s = performance.now();
        fn();
        ts.push(performance.now() - s);
      }
      return ts.sort((a, b) => a - b)[Math.floor(ts.length / 2)] as number;
    };
    rows.push({
      model: id,
      "engine set-up ms": setupMs.toFixed(0),
      "objective ms (median)": time(() => engine.objective(next(), f.REML), 5).toFixed(1),
      "objective+gradient ms (median)": time(() => engine.gradient(next(), f.REML, grad), 3).toFixed(1),
    });
    engine.dispose();
  }
  console.log("engine: InstEval per evaluation");
  console.table(rows);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
