/**
 * The production PlsEngine: the blocked sufficient statistics live in wasm memory, and one kernel call
 * (`plsEvaluate`) computes the objective, the gradient or the solution at θ (assembly/pls/blocked.ts).
 *
 * Memory discipline: every buffer is allocated once per engine, in one block. Typed-array views of
 * `memory.buffer` are recreated whenever the memory has grown (another engine in the same instance allocated),
 * because growth detaches the old views.
 */
import type { DesignBuffers } from "../design/types.js";
import { SpruceError } from "../errors.js";
import type { KernelExports } from "../wasm/load.js";
import { loadKernels } from "../wasm/load.js";
import { type BlockedLayout, buildBlockedLayout, responseStatistics } from "./blocked-layout.js";
import type { PlsEngine, PlsSolution } from "./engine.js";

// Header slots: keep in sync with assembly/pls/blocked.ts.
const HEADER_SLOTS = 40;
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
} as const;

const MODE_SOLVE = 1;
const MODE_GRADIENT = 2;
const MODE_VCOV = 4;

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
  const nnzRows = L.rowIdx.length;
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
    { name: "H11", length: L.H11.length, kind: "f64" },
    { name: "H21", length: L.H21.length, kind: "f64" },
    { name: "H22", length: L.nd * L.nd, kind: "f64" },
    { name: "tpl", length: tplTotal, kind: "f64" },
    { name: "Lg", length: L.H11.length, kind: "f64" },
    { name: "L21", length: L.H21.length, kind: "f64" },
    { name: "C", length: L.nd * L.nd, kind: "f64" },
    { name: "S", length: L.nd * L.nd, kind: "f64" },
    { name: "work", length: L.nd + 4 * L.p1 * L.p1 + 3 * L.maxR * L.p1 + 16, kind: "f64" },
    { name: "x", length: L.q + L.p, kind: "f64" },
    { name: "b", length: L.q, kind: "f64" },
    { name: "zte", length: L.q, kind: "f64" },
    { name: "out", length: 8, kind: "f64" },
    { name: "acc", length: 2 * tplTotal, kind: "f64" },
    { name: "theta", length: L.nTheta, kind: "f64" },
    { name: "grad", length: L.nTheta, kind: "f64" },
    { name: "minv", length: minvLength, kind: "f64" },
    { name: "vcov", length: L.p * L.p, kind: "f64" },
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
  putF64("H11", L.H11);
  putF64("H21", L.H21);
  putF64("H22", L.H22);
  // The layout's copies are no longer needed on the JS side (setResponse writes into wasm memory directly).
  L.H21 = new Float64Array(0);
  L.H22 = new Float64Array(0);

  const evaluate = (theta: Float64Array, reml: boolean, mode: number): number => {
    if (theta.length !== L.nTheta)
      throw new SpruceError(`θ has ${theta.length} entries, the model has ${L.nTheta}`);
    if (reml && L.n <= L.p)
      throw new SpruceError(`REML needs more observations (${L.n}) than fixed-effects columns (${L.p})`);
    f64("theta", L.nTheta).set(theta);
    return kernels.plsEvaluate(ctx, reml ? 1 : 0, mode) as number;
  };

  let disposed = false;
  const engine: PlsEngine = {
    buffers,
    nTheta: L.nTheta,
    setResponse(y: Float64Array): void {
      responseStatistics(L, buffers, y, f64("H21", nnzRows * L.p1), f64("H22", L.nd * L.nd));
      buffers.y = y;
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

/** Loads the kernels (compiled once per thread, one shared instance) and builds the engine. */
export async function createEngine(buffers: DesignBuffers): Promise<PlsEngine> {
  shared ??= await loadKernels();
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
