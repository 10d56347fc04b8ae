/**
 * JIT warm-up of the kernels before the first large model.
 *
 * V8 (Node and Chrome) first runs a wasm function as baseline code (Liftoff) and recompiles it optimised once it
 * has run for a while; a call already running keeps its baseline code (there is no on-stack replacement in
 * wasm). A large fit calls each kernel only a few times, each call long: the statistics once, every evaluation
 * once per step. So the statistics and the whole first evaluation ran 2–3× slower than the rest (on InstEval
 * about 300 ms of a 1.5 s fit). Evaluating a small crossed model a few times first, on the same instance, makes
 * V8 optimise the shared kernels (statistics, blocked elimination, tiled dense Cholesky and inverse, gradient)
 * before the large model needs them: about 30 ms. The results do not depend on it; only the time does.
 */
import type { DesignBuffers } from "../design/types.js";
import type { KernelExports } from "../wasm/load.js";
import type { PlsEngine } from "./engine.js";

const warmed = new WeakSet<KernelExports>();

/** Observations and levels of the warm-up model: a dense block of order 104, above the tiled kernels' threshold. */
const N = 3000;
const LEVELS_A = 300;
const LEVELS_B = 100;
const ROUNDS = 3;

/** Warm up `kernels` once (later calls return at once); `make` builds an engine on them. */
export function warmUpKernels(
  kernels: KernelExports,
  make: (kernels: KernelExports, buffers: DesignBuffers) => PlsEngine,
): void {
  if (warmed.has(kernels)) return;
  warmed.add(kernels);
  const engine = make(kernels, warmUpDesign());
  try {
    const grad = new Float64Array(engine.nTheta);
    for (let r = 0; r < ROUNDS; r++) {
      const theta = Float64Array.from([0.5 + 0.1 * r, 0.7]);
      engine.gradient(theta, false, grad);
      engine.gradient(theta, true, grad);
    }
  } finally {
    engine.dispose();
  }
}

/** y ~ 1 + x + (1|a) + (1|b) with a and b crossed, values from a fixed linear congruential sequence. */
function warmUpDesign(): DesignBuffers {
  const X = new Float64Array(2 * N);
  const y = new Float64Array(N);
  const refsA = new Int32Array(N);
  const refsB = new Int32Array(N);
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  for (let i = 0; i < N; i++) {
    refsA[i] = i % LEVELS_A;
    refsB[i] = (i * 13 + (i >> 4)) % LEVELS_B;
    X[i] = 1;
    X[N + i] = next();
    y[i] = X[N + i]! + 0.3 * Math.sin(refsA[i]!) + 0.5 * Math.cos(refsB[i]!) + next();
  }
  const ones = new Float64Array(N).fill(1);
  return {
    n: N,
    p: 2,
    y,
    X,
    terms: [
      { nlevels: LEVELS_A, p: 1, refs: refsA, z: ones },
      { nlevels: LEVELS_B, p: 1, refs: refsB, z: ones },
    ],
  };
}
