/**
 * The production PlsEngine: the blocked sufficient statistics live in wasm memory, and one kernel call
 * (`plsEvaluate`) computes the objective, the gradient or the solution at θ (assembly/pls/blocked.ts).
 *
 * The design data (level indices and model-matrix values of each term, X, y) are copied into the heap once per
 * engine; the kernels of assembly/pls/statistics.ts accumulate the statistics from them (`plsStatistics`), and a
 * new response only copies y in and recomputes its entries in place (`plsResponseStatistics`).
 *
 * Memory discipline: every buffer is allocated once per engine, in one block. Typed-array views of
 * `memory.buffer` are recreated whenever the memory has grown (another engine in the same instance allocated),
 * because growth detaches the old views.
 */
import type { DesignBuffers } from "../design/types.js";
import { checkWeights, logPriorWeights } from "../design/weights.js";
import { SpruceError } from "../errors.js";
import type { KernelExports } from "../wasm/load.js";
import { loadKernels } from "../wasm/load.js";
import {
  type BlockedLayout,
  buildBlockedLayout,
  denseBlockOrder,
  LARGE_DENSE_BLOCK,
} from "./blocked-layout.js";
import type { PlsEngine, PlsSolution } from "./engine.js";
import { warmUpKernels } from "./warm-up.js";

// Header slots: keep in sync with assembly/pls/context.ts.
const HEADER_SLOTS = 50;
const H = {
  nTerms: 0,
  t0: 1,
  p1: 2,
  l1: 3,
  qRest: 4,
  p: 5,
  nd: 6,
  n: 7,
  nnzRows: 8,
  maxR: 9,
  termP: 10,
  tplOff: 11,
  rowTerm: 12,
  rowPos: 13,
  H11: 14,
  rowStart: 15,
  rowIdx: 16,
  H21: 17,
  H22: 18,
  tpl: 19,
  Lg: 20,
  L21: 21,
  C: 22,
  S: 23,
  work: 24,
  x: 25,
  zte: 26,
  out: 27,
  acc: 28,
  theta: 29,
  grad: 30,
  minv: 31,
  vcov: 32,
  b: 33,
  sparse: 34,
  idx: 35,
  refs: 36,
  zOff: 37,
  z: 38,
  X: 39,
  y: 40,
  obsOrder: 41,
  obsStart: 42,
  rowOffset: 43,
  rest: 44,
  posOf: 45,
  sIdx: 46,
  sVal: 47,
  cursor: 48,
  weights: 49,
} as const;

const MODE_SOLVE = 1;
const MODE_GRADIENT = 2;
const MODE_VCOV = 4;
const MODE_REUSE_FACTOR = 8;

/** Copies of an engine's statistics in the blocked layout (for tests and diagnostics; see blocked-layout.ts). */
export interface BlockedStatistics {
  layout: BlockedLayout;
  /** ℓ₁ blocks p₁×p₁ (ZgᵀZg), column-major. */
  H11: Float64Array;
  /** For each level g, rowIdx[rowStart[g]..rowStart[g+1]) × p₁: (trailing row)ᵀ Z_g, p₁ values per row. */
  H21: Float64Array;
  /** nd×nd, column-major: [Z_rest X y]ᵀ[Z_rest X y]. */
  H22: Float64Array;
}

const statisticsOf = new WeakMap<PlsEngine, () => BlockedStatistics>();

/** The statistics an engine made by createWasmEngine now holds in wasm memory (copied out). */
export function blockedStatistics(engine: PlsEngine): BlockedStatistics {
  const read = statisticsOf.get(engine);
  if (!read) throw new SpruceError("not an engine made by createWasmEngine");
  return read();
}

interface Region {
  name: keyof typeof H;
  /** Number of elements. */
  length: number;
  kind: "f64" | "i32";
}

export function createWasmEngine(kernels: KernelExports, designBuffers: DesignBuffers): PlsEngine {
  const L: BlockedLayout = buildBlockedLayout(designBuffers);
  // Our own shallow copy: setResponse replaces y here without touching the caller's object.
  const buffers: DesignBuffers = { ...designBuffers };
  const tplTotal = L.termP.reduce((s, pt) => s + pt * pt, 0);
  const maxTemplate = L.termP.reduce((m, pt) => Math.max(m, pt), 0);
  const nnzRows = L.rowIdx.length;
  const h11Length = L.l1 * L.p1 * L.p1;
  const h21Length = nnzRows * L.p1;
  const zOff = new Int32Array(L.nTerms);
  let zTotal = 0;
  buffers.terms.forEach((t, i) => {
    zOff[i] = zTotal;
    zTotal += L.n * t.p;
  });
  const minvLength =
    L.l1 * L.p1 * L.p1 + L.rest.reduce((s, t) => s + L.termP[t]! ** 2 * buffers.terms[t]!.nlevels, 0);
  const regions: Region[] = [
    { name: "idx", length: L.nd, kind: "i32" },
    { name: "termP", length: L.nTerms, kind: "i32" },
    { name: "tplOff", length: L.nTerms, kind: "i32" },
    { name: "rowTerm", length: L.qRest, kind: "i32" },
    { name: "rowPos", length: L.qRest, kind: "i32" },
    { name: "rowStart", length: L.l1 + 1, kind: "i32" },
    { name: "rowIdx", length: nnzRows, kind: "i32" },
    { name: "H11", length: h11Length, kind: "f64" },
    { name: "H21", length: h21Length, kind: "f64" },
    { name: "H22", length: L.nd * L.nd, kind: "f64" },
    { name: "tpl", length: tplTotal, kind: "f64" },
    { name: "Lg", length: h11Length, kind: "f64" },
    { name: "L21", length: h21Length, kind: "f64" },
    { name: "C", length: L.nd * L.nd, kind: "f64" },
    { name: "S", length: L.nd * L.nd, kind: "f64" },
    {
      name: "work",
      // (nd·p₁ of them hold Y_g in the gradient, assembly/pls/blocked.ts addTerm1Q)
      length: L.nd * (1 + L.p1) + 4 * L.p1 * L.p1 + 3 * L.maxR * L.p1 + 2 * maxTemplate ** 2 + 16,
      kind: "f64",
    },
    { name: "x", length: L.q + L.p, kind: "f64" },
    { name: "b", length: L.q, kind: "f64" },
    { name: "zte", length: L.q, kind: "f64" },
    { name: "out", length: 8, kind: "f64" },
    { name: "acc", length: 2 * tplTotal, kind: "f64" },
    { name: "theta", length: L.nTheta, kind: "f64" },
    { name: "grad", length: L.nTheta, kind: "f64" },
    { name: "minv", length: minvLength, kind: "f64" },
    { name: "vcov", length: L.p * L.p, kind: "f64" },
    // the design data and the scratch of the statistics kernels
    { name: "refs", length: L.nTerms * L.n, kind: "i32" },
    { name: "zOff", length: L.nTerms, kind: "i32" },
    { name: "z", length: zTotal, kind: "f64" },
    { name: "X", length: L.n * L.p, kind: "f64" },
    { name: "y", length: L.n, kind: "f64" },
    { name: "obsOrder", length: L.n, kind: "i32" },
    { name: "obsStart", length: L.l1 + 1, kind: "i32" },
    { name: "rowOffset", length: L.nTerms, kind: "i32" },
    { name: "rest", length: L.rest.length, kind: "i32" },
    { name: "posOf", length: L.qRest, kind: "i32" },
    { name: "sIdx", length: L.nd, kind: "i32" },
    { name: "sVal", length: L.nd, kind: "f64" },
    { name: "cursor", length: L.l1, kind: "i32" },
    { name: "weights", length: L.n, kind: "f64" },
  ];
  // One allocation: the header, then each region 16-byte aligned (v128 loads prefer it).
  const offsets = new Map<string, number>();
  let bytes = HEADER_SLOTS * 4;
  for (const r of regions) {
    bytes = (bytes + 15) & ~15;
    offsets.set(r.name, bytes);
    bytes += Math.max(1, r.length) * (r.kind === "f64" ? 8 : 4);
  }
  // Pointers cross into JS as signed 32-bit numbers, so the whole heap must stay below 2 GiB.
  const gib = (bytes / 2 ** 30).toFixed(2);
  if (bytes > 1.5 * 2 ** 30)
    throw new SpruceError(
      `the model is too large for the engine: its dense block (the random-effects terms after the largest one, ` +
        `the fixed effects and y; order ${L.nd}) needs ${gib} GiB`,
    );
  let base: number;
  try {
    base = kernels.alloc(bytes + 16) as number;
  } catch {
    throw new SpruceError(`could not allocate ${gib} GiB of wasm memory for the model`);
  }
  if (!(base > 0)) throw new SpruceError(`could not allocate ${gib} GiB of wasm memory for the model`);
  const ctx = (base + 15) & ~15;
  const addr = (name: keyof typeof H): number => ctx + (offsets.get(name) as number);

  let memBuffer: ArrayBuffer | undefined;
  let heapF64 = new Float64Array(0);
  let heapI32 = new Int32Array(0);
  const views = (): void => {
    if (kernels.memory.buffer !== memBuffer) {
      memBuffer = kernels.memory.buffer as ArrayBuffer;
      heapF64 = new Float64Array(memBuffer);
      heapI32 = new Int32Array(memBuffer);
    }
  };
  const f64 = (name: keyof typeof H, length: number): Float64Array => {
    views();
    return heapF64.subarray(addr(name) / 8, addr(name) / 8 + length);
  };

  views();
  const header = heapI32.subarray(ctx / 4, ctx / 4 + HEADER_SLOTS);
  header[H.nTerms] = L.nTerms;
  header[H.t0] = L.t0;
  header[H.p1] = L.p1;
  header[H.l1] = L.l1;
  header[H.qRest] = L.qRest;
  header[H.p] = L.p;
  header[H.nd] = L.nd;
  header[H.n] = L.n;
  header[H.nnzRows] = nnzRows;
  header[H.maxR] = L.maxR;
  header[H.sparse] = L.sparseTrailing ? 1 : 0;
  for (const r of regions) header[H[r.name]] = addr(r.name);
  const putI32 = (name: keyof typeof H, src: Int32Array) => heapI32.set(src, addr(name) / 4);
  const putF64 = (name: keyof typeof H, src: Float64Array) => heapF64.set(src, addr(name) / 8);
  putI32("termP", L.termP);
  putI32("tplOff", L.tplOff);
  putI32("rowTerm", L.rowTerm);
  putI32("rowPos", L.rowPos);
  putI32("rowStart", L.rowStart);
  putI32("rowIdx", L.rowIdx);
  putI32("obsOrder", L.obsOrder);
  putI32("obsStart", L.obsStart);
  putI32("rowOffset", L.rowOffset);
  putI32("rest", Int32Array.from(L.rest));
  putI32("zOff", zOff);
  buffers.terms.forEach((t, i) => {
    heapI32.set(t.refs, addr("refs") / 4 + i * L.n);
    heapF64.set(t.z, addr("z") / 8 + zOff[i]!);
  });
  putF64("X", buffers.X);
  putF64("y", buffers.y);
  // Prior weights (1 without): the kernels form ZᵀWZ, XᵀWy, …; the deviance adds −Σ log wᵢ (src/design/weights.ts).
  let logDetW = 0;
  if (buffers.weights) {
    checkWeights(buffers.weights, L.n);
    putF64("weights", buffers.weights);
    logDetW = logPriorWeights(buffers.weights);
  } else f64("weights", L.n).fill(1);
  kernels.plsStatistics(ctx);

  // The θ and criterion whose factor the context now holds (null after a new response): a second call at the
  // same point (the gradient at a trial point first evaluated for f alone, the solution at the optimum) skips
  // the factorisation.
  const factoredTheta = new Float64Array(L.nTheta);
  let factoredReml: boolean | null = null;
  const isFactored = (theta: Float64Array, reml: boolean): boolean => {
    if (factoredReml !== reml) return false;
    for (let i = 0; i < L.nTheta; i++) if (!Object.is(theta[i], factoredTheta[i])) return false;
    return true;
  };
  const evaluate = (theta: Float64Array, reml: boolean, mode: number): number => {
    if (theta.length !== L.nTheta)
      throw new SpruceError(`θ has ${theta.length} entries, the model has ${L.nTheta}`);
    if (reml && L.n <= L.p)
      throw new SpruceError(`REML needs more observations (${L.n}) than fixed-effects columns (${L.p})`);
    if (isFactored(theta, reml))
      return (kernels.plsEvaluate(ctx, reml ? 1 : 0, mode | MODE_REUSE_FACTOR) as number) - logDetW;
    f64("theta", L.nTheta).set(theta);
    factoredReml = null;
    const objective = (kernels.plsEvaluate(ctx, reml ? 1 : 0, mode) as number) - logDetW;
    factoredTheta.set(theta);
    factoredReml = reml;
    return objective;
  };

  let disposed = false;
  const engine: PlsEngine = {
    buffers,
    nTheta: L.nTheta,
    setResponse(y: Float64Array): void {
      if (y.length !== L.n) throw new SpruceError(`response has length ${y.length}, expected ${L.n}`);
      f64("y", L.n).set(y);
      factoredReml = null;
      // On a non-finite value the kernel changes nothing but the y buffer, which only it reads.
      const bad = kernels.plsResponseStatistics(ctx) as number;
      if (bad >= 0) throw new SpruceError(`response is not finite at observation ${bad + 1}`);
      buffers.y = y;
    },
    setWeights(w: Float64Array): void {
      checkWeights(w, L.n);
      f64("weights", L.n).set(w);
      logDetW = logPriorWeights(w);
      factoredReml = null;
      kernels.plsStatistics(ctx);
      buffers.weights = w;
    },
    objective(theta: Float64Array, reml: boolean): number {
      return evaluate(theta, reml, 0);
    },
    gradient(theta: Float64Array, reml: boolean, grad: Float64Array): number {
      const obj = evaluate(theta, reml, MODE_GRADIENT);
      if (Number.isFinite(obj)) grad.set(f64("grad", L.nTheta));
      else grad.fill(Number.NaN);
      return obj;
    },
    solve(theta: Float64Array, reml: boolean): PlsSolution {
      const objective = evaluate(theta, reml, MODE_SOLVE | MODE_VCOV);
      const outv = f64("out", 4);
      const pwrss = outv[3]!;
      const logDetM = outv[1]!;
      const logDetS = outv[2]!;
      if (!Number.isFinite(objective) || !(pwrss > 0))
        throw new SpruceError(
          "the penalised least-squares system is singular at this θ (rank-deficient model?)",
        );
      const x = f64("x", L.q + L.p);
      const bInt = f64("b", L.q);
      const u = new Float64Array(L.q);
      const b = new Float64Array(L.q);
      for (let d = 0; d < L.q; d++) {
        u[d] = x[L.internalIndex[d]!]!;
        b[d] = bInt[L.internalIndex[d]!]!;
      }
      const beta = Float64Array.from(x.subarray(L.q, L.q + L.p));
      const sigma2 = pwrss / (reml ? L.n - L.p : L.n);
      const vcovBeta = Float64Array.from(f64("vcov", L.p * L.p), (v) => v * sigma2);
      return {
        theta: Float64Array.from(theta),
        reml,
        objective,
        beta,
        u,
        b,
        pwrss,
        sigma: Math.sqrt(sigma2),
        logDetM,
        logDetS,
        vcovBeta,
      };
    },
    condVar(theta: Float64Array, reml: boolean): Float64Array[] {
      const objective = evaluate(theta, reml, 0);
      const pwrss = f64("out", 4)[3]!;
      if (!Number.isFinite(objective) || !(pwrss > 0))
        throw new SpruceError(
          "the penalised least-squares system is singular at this θ (rank-deficient model?)",
        );
      const sigma2 = pwrss / (reml ? L.n - L.p : L.n);
      kernels.plsMinvBlocks(ctx);
      const minv = f64("minv", minvLength);
      // Internal block offsets: term 1 first, then the other terms in design order.
      const blockOffset = new Map<number, number>();
      let o = L.l1 * L.p1 * L.p1;
      blockOffset.set(L.t0, 0);
      for (const s of L.rest) {
        blockOffset.set(s, o);
        o += L.termP[s]! ** 2 * buffers.terms[s]!.nlevels;
      }
      // θ offsets per term, to rebuild T_t.
      let thetaOff = 0;
      return buffers.terms.map((t, ti) => {
        const pt = t.p;
        const T = new Float64Array(pt * pt);
        for (let k = 0; k < pt; k++) for (let j = k; j < pt; j++) T[j * pt + k] = theta[thetaOff++]!;
        const outT = new Float64Array(t.nlevels * pt * pt);
        const src = blockOffset.get(ti)!;
        const tmp = new Float64Array(pt * pt);
        for (let h = 0; h < t.nlevels; h++) {
          const Mi = src + h * pt * pt;
          // tmp = M⁻¹ Tᵀ, out = σ² T tmp
          for (let a = 0; a < pt; a++)
            for (let c = 0; c < pt; c++) {
              let s = 0;
              for (let m = 0; m < pt; m++) s += minv[Mi + a * pt + m]! * T[c * pt + m]!;
              tmp[a * pt + c] = s;
            }
          for (let a = 0; a < pt; a++)
            for (let c = 0; c < pt; c++) {
              let s = 0;
              for (let m = 0; m < pt; m++) s += T[a * pt + m]! * tmp[m * pt + c]!;
              outT[h * pt * pt + a * pt + c] = sigma2 * s;
            }
        }
        return outT;
      });
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      kernels.free(base);
    },
  };
  statisticsOf.set(engine, () => ({
    layout: L,
    H11: Float64Array.from(f64("H11", h11Length)),
    H21: Float64Array.from(f64("H21", h21Length)),
    H22: Float64Array.from(f64("H22", L.nd * L.nd)),
  }));
  return engine;
}

// One kernel instance per thread shared by the engines that createEngine makes: instantiating a module costs a
// fresh wasm memory (a large virtual reservation and the zeroed initial pages), which dominated the cost of a
// small fit. Each engine owns one block of the shared heap, freed by dispose() or, for engines that are simply
// dropped, when they are garbage-collected.
let shared: KernelExports | undefined;
const reclaim =
  typeof FinalizationRegistry === "function"
    ? new FinalizationRegistry<() => void>((release) => {
        release();
      })
    : undefined;

/**
 * Loads the kernels (compiled once per thread, one shared instance) and builds the engine; before the first large
 * model (see LARGE_DENSE_BLOCK) the kernels are warmed up (./warm-up.ts).
 */
export async function createEngine(buffers: DesignBuffers): Promise<PlsEngine> {
  shared ??= await loadKernels();
  if (denseBlockOrder(buffers) >= LARGE_DENSE_BLOCK) warmUpKernels(shared, createWasmEngine);
  const engine = createWasmEngine(shared, buffers);
  if (reclaim) {
    // The held value must not reach the engine (or it would never be collected): the original dispose uses only
    // its closure (the heap block), not `this`.
    const release = engine.dispose;
    reclaim.register(engine, release, engine);
    engine.dispose = () => {
      reclaim.unregister(engine);
      release();
    };
  }
  return engine;
}
