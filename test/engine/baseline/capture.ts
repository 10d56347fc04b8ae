/**
 * Writes the engine's numbers on every random design (test/engine/random-designs.ts) — objective, gradient and
 * solution at three θ, ML and REML, and the conditional variances — to engine-520a403.json beside this script.
 * Run once at commit 520a403 (before the kernel redesign of issue 11, `npx tsx test/engine/baseline/capture.ts`);
 * test/engine/baseline.test.ts checks that the redesigned kernels reproduce them to 1e-12 relative.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createWasmEngine } from "../../../src/fit/wasm-engine.js";
import { loadKernels } from "../../../src/wasm/load.js";
import { randomCases, someTheta } from "../random-designs.js";

const kernels = await loadKernels();
const out: Record<string, unknown[]> = {};
for (const [name, make] of Object.entries(randomCases)) {
  const buffers = make();
  const engine = createWasmEngine(kernels, buffers);
  const rows: unknown[] = [];
  for (let k = 0; k < 3; k++) {
    const theta = someTheta(buffers, k);
    for (const reml of [false, true]) {
      const objective = engine.objective(theta, reml);
      const grad = new Float64Array(engine.nTheta);
      const objective2 = engine.gradient(theta, reml, grad);
      const s = engine.solve(theta, reml);
      const condVar = engine.condVar(theta, reml).map((a) => Array.from(a));
      rows.push({
        k,
        reml,
        theta: Array.from(theta),
        objective,
        objective2,
        gradient: Array.from(grad),
        beta: Array.from(s.beta),
        u: Array.from(s.u),
        b: Array.from(s.b),
        pwrss: s.pwrss,
        sigma: s.sigma,
        logDetM: s.logDetM,
        logDetS: s.logDetS,
        vcovBeta: Array.from(s.vcovBeta),
        condVar,
      });
    }
  }
  engine.dispose();
  out[name] = rows;
}
writeFileSync(fileURLToPath(new URL("./engine-520a403.json", import.meta.url)), `${JSON.stringify(out)}\n`);
