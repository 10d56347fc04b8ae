/**
 * Writes the engine's numbers on random designs (test/engine/random-designs.ts) — objective, gradient and
 * solution at three θ, ML and REML, and the conditional variances — to engine-<commit>.json beside this script:
 * `npx tsx test/engine/baseline/capture.ts <commit> [design name …]` (all designs without names).
 * - engine-520a403.json: every design of the time, run at commit 520a403 (before the kernel redesign of issue 11);
 * - engine-0999ede.json: the designs with terms on one factor apart in design order or in the trailing block, run at
 *   commit 0999ede, before the kernels took such terms as one block (src/fit/factor-blocks.ts).
 * test/engine/baseline.test.ts checks that today's kernels reproduce them to 1e-12 relative.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createWasmEngine } from "../../../src/fit/wasm-engine.js";
import { loadKernels } from "../../../src/wasm/load.js";
import { randomCases, someTheta } from "../random-designs.js";

const [commit, ...names] = process.argv.slice(2);
if (!commit) throw new Error("usage: capture.ts <commit> [design name …]");
const kernels = await loadKernels();
const out: Record<string, unknown[]> = {};
for (const [name, make] of Object.entries(randomCases)) {
  if (names.length > 0 && !names.includes(name)) continue;
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
writeFileSync(fileURLToPath(new URL(`./engine-${commit}.json`, import.meta.url)), `${JSON.stringify(out)}\n`);
