/**
 * The production PlsEngine: the blocked sufficient statistics live in wasm memory, and one kernel call
 * (`plsEvaluate`) computes the objective, the gradient or the solution at θ (assembly/pls/deviance.ts; the
 * mathematics and the kernel contract: docs/architecture.md).
 *
 * The design data (level indices and model-matrix values of each term, X, y) are copied into the heap once per
 * engine; the kernels of assembly/pls/statistics.ts accumulate the statistics from them (`plsStatistics`), and a
 * new response only copies y in and recomputes its entries in place (`plsResponseStatistics`).
 *
 * Memory discipline: every buffer is allocated once per engine, in one block. Typed-array views of
 * `memory.buffer` are recreated whenever the memory has grown (another engine in the same instance allocated),
 * because growth detaches the old views.
 */

import { thetaTemplates } from "../design/theta.js";
import type { DesignBuffers } from "../design/types.js";
import { checkWeights, logPriorWeights } from "../design/weights.js";
import { SpruceError } from "../errors.js";
import {
  BUFFERS,
  type BufferName,
  CONTEXT_SLOTS,
  type ContractDims,
  type KernelExports,
  MODE,
  OUT,
  type SizeName,
  SLOT,
} from "../wasm/contract.js";
import { loadKernels } from "../wasm/load.js";
import {
  type BlockedLayout,
  buildBlockedLayout,
  denseBlockOrder,
  LARGE_DENSE_BLOCK,
  trailingStaysSparse,
} from "./blocked-layout.js";
import type { PlsEngine, PlsSolution } from "./engine.js";
import { levelPairCount } from "./sparse-trailing/level-pairs.js";
import { planSparseTrailing, type SparseTrailingPlan, type TrailingFactor } from "./sparse-trailing/plan.js";
import { warmUpKernels } from "./warm-up.js";

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

/**
 * What a kernel that evaluates an engine's criterion itself needs (the bootstrap's refit, src/inference/refit-wasm.ts):
 * the kernels, the context's address, the prior weights' term, and the engine's record of which θ its context
 * holds the factor of (plsEvaluate's REUSE_FACTOR), to read before the kernel runs and to update after.
 */
export interface EvaluationContext {
  kernels: KernelExports;
  ctx: number;
  /**
   * The kernels' memory as f64, viewed afresh only after it grew (a kernel's own buffers, allocated from the same
   * instance, are read and written through it).
   */
  heap(): Float64Array;
  /** −log|W| of the prior weights (0 without), which the engine subtracts from the kernels' criterion. */
  logDetW(): number;
  /** Bytes of the engine's block of the kernels' heap (context and buffers). */
  bytes: number;
  /** Which factor of the trailing block the engine uses (src/fit/sparse-trailing/plan.ts). */
  trailing: "dense" | "sparse";
  /** Whether the context holds the factor at the θ in its thetaP buffer, for this criterion. */
  holdsFactor(reml: boolean): boolean;
  /** A kernel left the factor at the θ now in thetaP, for this criterion: the engine may reuse it. */
  adoptFactor(reml: boolean): void;
}

/**
 * What a kernel that works on an engine's trailing block needs (the GLMM's PIRLS, src/glmm/wasm-pirls.ts):
 * the evaluation context, the layout, θ's buffer, and `invalidate` (the kernel changed the weights, y or the
 * factor behind the engine's back).
 */
export interface EngineContext extends EvaluationContext {
  layout: BlockedLayout;
  /** Writes θ into the context (the kernel factors at it). */
  setTheta(theta: Float64Array): void;
  /** A copy of the weights buffer (n). */
  weights(): Float64Array;
  invalidate(): void;
}

const contextOf = new WeakMap<PlsEngine, EngineContext>();
const evaluationContextOf = new WeakMap<PlsEngine, EvaluationContext>();

/** The evaluation context of any engine made by createWasmEngine (dense or sparse trailing path), else null. */
export function evaluationContext(engine: PlsEngine): EvaluationContext | null {
  return evaluationContextOf.get(engine) ?? null;
}

/**
 * The context of an engine made by createWasmEngine (either trailing path), or null for another engine (a test's
 * dense oracle).
 */
export function engineContext(engine: PlsEngine): EngineContext | null {
  return contextOf.get(engine) ?? null;
}

/** The statistics an engine made by createWasmEngine now holds in wasm memory (copied out). */
export function blockedStatistics(engine: PlsEngine): BlockedStatistics {
  const read = statisticsOf.get(engine);
  if (!read) throw new SpruceError("not an engine made by createWasmEngine");
  return read();
}

/** A symmetric matrix stored on the sparse plan's pattern (spHx), as a dense nd×nd column-major copy. */
function denseFromPattern(sp: SparseTrailingPlan, values: Float64Array): Float64Array {
  const nd = sp.n;
  const out = new Float64Array(nd * nd);
  for (let j = 0; j < nd; j++) {
    const oj = sp.perm[j]!;
    for (let p = sp.colPtr[j]!; p < sp.colPtr[j + 1]!; p++) {
      const oi = sp.perm[sp.rowIdx[p]!]!;
      out[oi + oj * nd] = values[p]!;
      out[oj + oi * nd] = values[p]!;
    }
  }
  return out;
}

/** Engine options: which factor of the trailing block (src/fit/sparse-trailing/plan.ts; tests force each), or its plan. */
export interface WasmEngineOptions {
  trailing?: TrailingFactor;
  /**
   * The factor already chosen for these buffers (./trailing-choice.ts): a sparse plan, or null for the dense factor;
   * used as it is (`trailing` is then not consulted) instead of planning again.
   */
  plan?: SparseTrailingPlan | null;

  /**
   * false: no per-level table of pattern positions on the sparse path (./sparse-trailing/level-pairs.ts), the
   * kernels search instead, as they do when the table would be too large (tests compare the two).
   */
  levelPairs?: boolean;
  /**
   * The kernel team block (assembly/linalg/team.ts) the dense kernels share work with, on an instance of the
   * threads build (./kernel-team-instance.ts); 0 or absent for none.
   */
  team?: number;
}

/**
 * The engine's options as a fit passes them: WasmEngineOptions, and the layout already built for these buffers'
 * structure (./trailing-choice.ts; the response's values do not enter it), used instead of building it again. Not
 * part of the public options: the layout is the engine's own bookkeeping.
 */
export type EngineOptions = WasmEngineOptions & { layout?: BlockedLayout };

export function createWasmEngine(
  kernels: KernelExports,
  designBuffers: DesignBuffers,
  options: EngineOptions = {},
): PlsEngine {
  const L: BlockedLayout = options.layout ?? buildBlockedLayout(designBuffers, { sparseCheck: false });
  // The sparse factor of the trailing block, when its symbolic fill says it pays (or when forced); else the dense
  // path, whose zero-skipping loops for nested factors need the layout's sparseTrailing.
  const sp = options.plan !== undefined ? options.plan : planSparseTrailing(kernels, L, options.trailing);
  if (!sp) L.sparseTrailing = trailingStaysSparse(L);
  // The per-level table of pattern positions: sized here, filled by the kernels below (0: none, they search).
  const nPairs = sp && options.levelPairs !== false ? (levelPairCount(L) ?? 0) : 0;
  // Our own shallow copy: setResponse replaces y here without touching the caller's object.
  const buffers: DesignBuffers = { ...designBuffers };
  const tplTotal = L.termP.reduce((s, pt) => s + pt * pt, 0);
  const pMax = L.termP.reduce((m, pt) => Math.max(m, pt), 0);
  const nnzRows = L.rowIdx.length;
  const h11Length = L.l1 * L.p1 * L.p1;
  const h21Length = nnzRows * L.p1;
  const zOff = new Int32Array(L.nTerms);
  let zTotal = 0;
  // The kernels' terms are the layout's: the design's, with terms on one grouping factor joined (./factor-blocks.ts).
  L.terms.forEach((t, i) => {
    zOff[i] = zTotal;
    zTotal += L.n * t.p;
  });
  const minvLength =
    L.l1 * L.p1 * L.p1 + L.rest.reduce((s, t) => s + L.termP[t]! ** 2 * L.terms[t]!.nlevels, 0);
  checkContract(kernels);
  // The buffers and their lengths are the contract's (scripts/contract/spec.mjs); the work buffer's length is
  // what the kernels say they need.
  const dims: ContractDims = {
    l1: L.l1,
    minv: minvLength,
    nObs: L.n,
    nRest: L.nTerms - 1,
    nTerms: L.nTerms,
    nTheta: L.nTheta,
    nd: L.nd,
    // The nd×nd buffers (H22, C, S) exist on the dense path only: the sparse path keeps them on L's pattern.
    ndDense: sp ? 0 : L.nd,
    nnzRows,
    p1: L.p1,
    pX: L.p,
    q: L.q,
    qRest: L.qRest,
    spN: sp ? L.nd : 0,
    spNnz: sp ? sp.nnz : 0,
    spLevels: sp ? L.l1 : 0,
    spPairs: nPairs,
    tplTotal,
    work: kernels.plsWorkLength(L.nd, L.p1, L.maxR, pMax),
    zTotal,
  };
  // One allocation: the context block, then each buffer 16-byte aligned (v128 loads prefer it).
  const offsets = new Map<BufferName, number>();
  let bytes = CONTEXT_SLOTS * 4;
  for (const r of BUFFERS) {
    bytes = Math.ceil(bytes / 16) * 16; // not `& ~15`: the sum may pass 2³¹ before the check below
    offsets.set(r.name, bytes);
    bytes += Math.max(1, r.length(dims)) * (r.elem === "f64" ? 8 : 4);
  }
  // Pointers cross into JS as signed 32-bit numbers, so the whole heap must stay below 2 GiB.
  const gib = (bytes / 2 ** 30).toFixed(2);
  if (bytes > 1.5 * 2 ** 30)
    throw new SpruceError(
      sp
        ? `the model is too large for the engine: its sparse block (order ${L.nd}, ${sp.nnz} entries in its factor) ` +
            `and design data need ${gib} GiB`
        : `the model is too large for the engine: its dense block (the random-effects terms after the largest one, ` +
            `the fixed effects and y; order ${L.nd}) needs ${gib} GiB`,
    );
  let base: number;
  try {
    base = kernels.alloc(bytes + 16);
  } catch {
    throw new SpruceError(`could not allocate ${gib} GiB of wasm memory for the model`);
  }
  if (!(base > 0)) throw new SpruceError(`could not allocate ${gib} GiB of wasm memory for the model`);
  const ctx = (base + 15) & ~15;
  const addr = (name: BufferName): number => ctx + (offsets.get(name) as number);

  let memBuffer: ArrayBuffer | undefined;
  let heapF64 = new Float64Array(0);
  let heapI32 = new Int32Array(0);
  // Each buffer's view, made on first use and kept until the memory grows: a fresh subarray per call (θ and the
  // gradient at every evaluation) made ~8 KB of garbage per bootstrap replicate, and the scavenges it caused.
  const bufferViews = new Map<BufferName, Float64Array>();
  const views = (): void => {
    if (kernels.memory.buffer !== memBuffer) {
      memBuffer = kernels.memory.buffer as ArrayBuffer;
      heapF64 = new Float64Array(memBuffer);
      heapI32 = new Int32Array(memBuffer);
      bufferViews.clear();
    }
  };
  const f64 = (name: BufferName, length: number): Float64Array => {
    views();
    let view = bufferViews.get(name);
    if (view === undefined || view.length !== length) {
      view = heapF64.subarray(addr(name) / 8, addr(name) / 8 + length);
      bufferViews.set(name, view);
    }
    return view;
  };

  views();
  const header = heapI32.subarray(ctx / 4, ctx / 4 + CONTEXT_SLOTS);
  const sizes: Record<SizeName, number> = {
    nTerms: L.nTerms,
    t0: L.t0,
    p1: L.p1,
    l1: L.l1,
    qRest: L.qRest,
    pX: L.p,
    nd: L.nd,
    nObs: L.n,
    nnzRows,
    maxR: L.maxR,
    sparse: L.sparseTrailing || sp ? 1 : 0,
    nRest: L.nTerms - 1,
    q1: L.l1 * L.p1,
    tplTotal,
    pMax,
    spOn: sp ? 1 : 0,
    spNnz: sp ? sp.nnz : 0,
    team: options.team ?? 0,
    spPairs: nPairs,
  };
  for (const [name, v] of Object.entries(sizes)) header[SLOT[name as SizeName]] = v;
  for (const r of BUFFERS) header[SLOT[r.name]] = addr(r.name);
  const putI32 = (name: BufferName, src: Int32Array) => heapI32.set(src, addr(name) / 4);
  const putF64 = (name: BufferName, src: Float64Array) => heapF64.set(src, addr(name) / 8);
  putI32("termP", L.termP);
  putI32("tplOff", L.tplOff);
  putI32("rowTerm", L.rowTerm);
  putI32("rowPos", L.rowPos);
  putI32("rowStart", L.rowStart);
  putI32("rowIdx", L.rowIdx);
  putI32("obsOrder", L.obsOrder);
  putI32("obsStart", L.obsStart);
  putI32("rowOffset", L.rowOffset);
  putI32("restP", Int32Array.from(L.rest));
  putI32("zOff", zOff);
  putI32("tplTheta", L.blocks.thetaIndex);
  if (sp) {
    putI32("spPerm", sp.perm);
    putI32("spColPtr", sp.colPtr);
    putI32("spRowIdx", sp.rowIdx);
    putI32("spRowPtr", sp.rowPtr);
    putI32("spRowCol", sp.rowCol);
    putI32("spRowPos", sp.rowPos);
    putI32("spInv", sp.inv);
  }
  L.terms.forEach((t, i) => {
    heapI32.set(t.refs, addr("refsP") / 4 + i * L.n);
    heapF64.set(t.z, addr("zP") / 8 + zOff[i]!);
  });
  putF64("xP", buffers.X);
  putF64("yP", buffers.y);
  // Prior weights (1 without): the kernels form ZᵀWZ, XᵀWy, …; the deviance adds −Σ log wᵢ (src/design/weights.ts).
  let logDetW = 0;
  if (buffers.weights) {
    checkWeights(buffers.weights, L.n);
    putF64("wP", buffers.weights);
    logDetW = logPriorWeights(buffers.weights);
  } else f64("wP", L.n).fill(1);
  kernels.plsPrepare(ctx);
  if (nPairs > 0 && kernels.plsLevelPairs(ctx) !== nPairs)
    throw new Error("the per-level table of pattern positions does not have the size it was given");
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
      return kernels.plsEvaluate(ctx, reml ? 1 : 0, mode | MODE.reuseFactor) - logDetW;
    f64("thetaP", L.nTheta).set(theta);
    factoredReml = null;
    const objective = kernels.plsEvaluate(ctx, reml ? 1 : 0, mode) - logDetW;
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
      f64("yP", L.n).set(y);
      factoredReml = null;
      // On a non-finite value the kernel changes nothing but the y buffer, which only it reads.
      const bad = kernels.plsResponseStatistics(ctx);
      if (bad >= 0) throw new SpruceError(`response is not finite at observation ${bad + 1}`);
      buffers.y = y;
    },
    setWeights(w: Float64Array): void {
      checkWeights(w, L.n);
      f64("wP", L.n).set(w);
      logDetW = logPriorWeights(w);
      factoredReml = null;
      kernels.plsStatistics(ctx);
      buffers.weights = w;
    },
    objective(theta: Float64Array, reml: boolean): number {
      return evaluate(theta, reml, 0);
    },
    gradient(theta: Float64Array, reml: boolean, grad: Float64Array): number {
      const obj = evaluate(theta, reml, MODE.gradient);
      if (Number.isFinite(obj)) grad.set(f64("gradP", L.nTheta));
      else grad.fill(Number.NaN);
      return obj;
    },
    solve(theta: Float64Array, reml: boolean): PlsSolution {
      const objective = evaluate(theta, reml, MODE.solve | MODE.vcov);
      const outv = f64("out", 4);
      const pwrss = outv[OUT.pwrss]!;
      const logDetM = outv[OUT.logDetM]!;
      const logDetS = outv[OUT.logDetS]!;
      if (!Number.isFinite(objective) || !(pwrss > 0))
        throw new SpruceError(
          "the penalised least-squares system is singular at this θ (rank-deficient model?)",
        );
      const x = f64("xSol", L.q + L.p);
      const bInt = f64("bP", L.q);
      const u = new Float64Array(L.q);
      const b = new Float64Array(L.q);
      for (let d = 0; d < L.q; d++) {
        u[d] = x[L.internalIndex[d]!]!;
        b[d] = bInt[L.internalIndex[d]!]!;
      }
      const beta = Float64Array.from(x.subarray(L.q, L.q + L.p));
      const sigma2 = pwrss / (reml ? L.n - L.p : L.n);
      const vcovBeta = Float64Array.from(f64("vcovP", L.p * L.p), (v) => v * sigma2);
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
      const pwrss = f64("out", 4)[OUT.pwrss]!;
      if (!Number.isFinite(objective) || !(pwrss > 0))
        throw new SpruceError(
          "the penalised least-squares system is singular at this θ (rank-deficient model?)",
        );
      const sigma2 = pwrss / (reml ? L.n - L.p : L.n);
      kernels.plsMinvBlocks(ctx);
      const minv = f64("minvP", minvLength);
      // Internal block offsets: term 1 first, then the other terms (blocks) in order.
      const blockOffset = new Map<number, number>();
      let o = L.l1 * L.p1 * L.p1;
      blockOffset.set(L.t0, 0);
      for (const s of L.rest) {
        blockOffset.set(s, o);
        o += L.termP[s]! ** 2 * L.terms[s]!.nlevels;
      }
      // A design term's block of M⁻¹ is its columns' part of its block's (the template is block diagonal there).
      const templates = thetaTemplates(buffers.terms, theta);
      return buffers.terms.map((t, ti) => {
        const pt = t.p;
        const k = L.blocks.blockOf[ti]!;
        const P = L.termP[k]!;
        const c0 = L.blocks.columnOffset[ti]!;
        const T = templates[ti] as Float64Array;
        const outT = new Float64Array(t.nlevels * pt * pt);
        const src = blockOffset.get(k)!;
        const tmp = new Float64Array(pt * pt);
        for (let h = 0; h < t.nlevels; h++) {
          const Mi = src + h * P * P + c0 * P + c0;
          // tmp = M⁻¹ Tᵀ, out = σ² T tmp
          for (let a = 0; a < pt; a++)
            for (let c = 0; c < pt; c++) {
              let s = 0;
              for (let m = 0; m < pt; m++) s += minv[Mi + a * P + m]! * T[c * pt + m]!;
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
  const evaluation: EvaluationContext = {
    kernels,
    ctx,
    heap(): Float64Array {
      views();
      return heapF64;
    },
    logDetW: () => logDetW,
    bytes,
    trailing: sp ? "sparse" : "dense",
    // factoredTheta equals thetaP whenever factoredReml is set (evaluate writes both).
    holdsFactor: (reml: boolean) => factoredReml === reml,
    adoptFactor(reml: boolean): void {
      factoredTheta.set(f64("thetaP", L.nTheta));
      factoredReml = reml;
    },
  };
  evaluationContextOf.set(engine, evaluation);
  // The GLMM kernels (assembly/glmm/) read the trailing block on either path (dense, or on the pattern).
  contextOf.set(engine, {
    ...evaluation,
    layout: L,
    setTheta(theta: Float64Array): void {
      f64("thetaP", L.nTheta).set(theta);
      factoredReml = null;
    },
    weights: () => f64("wP", L.n).slice(),
    invalidate(): void {
      factoredReml = null;
    },
  });
  statisticsOf.set(engine, () => ({
    layout: L,
    H11: Float64Array.from(f64("H11", h11Length)),
    H21: Float64Array.from(f64("H21", h21Length)),
    H22: sp ? denseFromPattern(sp, f64("spHx", sp.nnz)) : Float64Array.from(f64("H22", L.nd * L.nd)),
  }));
  return engine;
}

const checked = new WeakSet<KernelExports>();
/** The kernels lay the context block out as the contract numbers it (one 4-byte slot per field). */
function checkContract(kernels: KernelExports): void {
  if (checked.has(kernels)) return;
  const bytes = kernels.plsContextBytes();
  if (bytes !== CONTEXT_SLOTS * 4)
    throw new SpruceError(
      `the wasm kernels lay out a ${bytes}-byte context, the contract says ${CONTEXT_SLOTS * 4}: rebuild (npm run build)`,
    );
  checked.add(kernels);
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
 * Loads the kernels (compiled once per thread, one shared instance), or takes the given ones, and builds the
 * engine (createEngineOn).
 */
export async function createEngine(
  buffers: DesignBuffers,
  options: EngineOptions = {},
  kernels?: KernelExports,
): Promise<PlsEngine> {
  // Given kernels: a fit's team instance (./kernel-team-instance.ts), with options.team its team block.
  return createEngineOn(kernels ?? (await sharedKernels()), buffers, options);
}

/** This thread's shared instance of the kernels (loaded on first use): the one createEngine builds engines on. */
export async function sharedKernels(): Promise<KernelExports> {
  shared ??= await loadKernels();
  return shared;
}

/**
 * The engine on kernels already loaded: before the first large model (see LARGE_DENSE_BLOCK) the kernels are warmed
 * up (./warm-up.ts), and an engine that is dropped without dispose() gives its memory back when it is collected.
 */
export function createEngineOn(
  instance: KernelExports,
  buffers: DesignBuffers,
  options: EngineOptions = {},
): PlsEngine {
  if (denseBlockOrder(buffers) >= LARGE_DENSE_BLOCK) warmUpKernels(instance, createWasmEngine);
  const engine = createWasmEngine(instance, buffers, options);
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
