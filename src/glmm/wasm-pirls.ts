/**
 * PIRLS as one wasm call (assembly/glmm/pirls.ts) on a PLS engine's context: the same iteration as the
 * TypeScript reference `pirls` (./pirls.ts, kept as the oracle the tests compare with), without a JavaScript
 * allocation per iteration. Also the analytic gradient of the Laplace criterion over (θ, β) for the canonical
 * links (assembly/glmm/gradient.ts), which replaces finite differences in the second stage of the fit.
 *
 * The canonical links run here (binomial logit, Poisson log); probit (R's pnorm) and cloglog stay in TypeScript
 * (the package's size budget, issue 16), as does any engine without a wasm context (the dense test oracle):
 * `wasmPirlsFor` returns null for those.
 */
import { ModelError } from "../errors.js";
import type { PlsEngine } from "../fit/engine.js";
import { engineContext } from "../fit/wasm-engine.js";
import { type GlmmData, PIRLS_MAXIT, PIRLS_TOL, type PirlsState } from "./pirls.js";

const FAMILY_CODE = { binomial: 0, poisson: 1 } as const;
const LINK_CODE: Record<string, number> = { logit: 0, log: 2 };
/** Output slots of glmmPirls (assembly/glmm/pirls.ts). */
const OUT_PDEV = 0;
const OUT_LOG_DET_M = 1;
const OUT_HALVINGS = 2;
const OUT_DIVERGING = 3;
const OUT_DEVIANCE = 5;

export interface WasmPirls {
  /** PIRLS at θ: `fixedBeta` for the u-only engine, null for the joint one (as `pirls`). */
  run(
    theta: Float64Array,
    fixedBeta: Float64Array | null,
    start: { beta: Float64Array; u: Float64Array } | null,
  ): PirlsState;
  /**
   * ∇ of the Laplace criterion at the state of the last `run` (canonical links; null for the others): over
   * (θ, β) for the u-only engine, over θ with β inside PIRLS for the joint one (the first stage's criterion).
   */
  gradient(): Float64Array | null;
  /** Whether `state` is the last run's and the wasm buffers still hold it. */
  holds(state: PirlsState): boolean;
  dispose(): void;
}

/** Whether the link is the family's canonical one (the analytic gradient assumes W = ∂r/∂η). */
function canonical(data: GlmmData): boolean {
  return (
    (data.family.name === "binomial" && data.family.link.name === "logit") ||
    (data.family.name === "poisson" && data.family.link.name === "log")
  );
}

export function wasmPirlsFor(data: GlmmData, engine: PlsEngine): WasmPirls | null {
  const ec = engineContext(engine);
  const linkCode = LINK_CODE[data.family.link.name];
  if (!ec || linkCode === undefined) return null;
  const { kernels, ctx, layout: L } = ec;
  const n = data.n;
  const p = data.p;
  const q = L.q;
  const pX = L.p;
  const nx = q + pX;
  const joint = pX > 0;
  const nTheta = L.nTheta;
  const pSum = L.termP.reduce((s, v) => s + v, 0);
  const tplTotal = L.termP.reduce((s, v) => s + v * v, 0);
  // f64 buffers in one block: y, pw, fixed, eta, mu, x, b, scratch, X, grad, out; then i32 scratch.
  const lengths = {
    y: n,
    pw: n,
    fixed: n,
    offset: n,
    beta: p,
    eta: n,
    mu: n,
    x: nx,
    b: q,
    scratch: Math.max(
      nx + q,
      3 * n + 2 * q + pX + nTheta + 1 + 2 * (L.nd + L.p1) + L.p1 + 8 + pSum,
      nx + tplTotal + 2 * n,
    ),
    dTheta: nTheta,
    dBeta: p,
    X: n * p,
    grad: nTheta + (joint ? 0 : p),
    out: 8,
  };
  const offsets: Record<string, number> = {};
  let total = 0;
  for (const [k, len] of Object.entries(lengths)) {
    offsets[k] = total;
    total += Math.max(1, len);
  }
  const iLength = L.qRest + L.nd + 1;
  const bytes = total * 8 + iLength * 4 + 16;
  const raw = kernels.alloc(bytes);
  if (!(raw > 0)) throw new ModelError("could not allocate wasm memory for PIRLS");
  const base = (raw + 7) & ~7;
  const iBase = base + total * 8;
  const addr = (k: keyof typeof lengths) => base + (offsets[k] as number) * 8;
  const view = (k: keyof typeof lengths): Float64Array => {
    const o = addr(k) / 8;
    return ec.heap().subarray(o, o + lengths[k]);
  };
  view("y").set(data.y);
  view("pw").set(data.pw);
  view("X").set(data.X);
  view("offset").set(data.offset);
  const familyCode = FAMILY_CODE[data.family.name];
  // Σ log f(yᵢ | μᵢ = yᵢ) (without the normaliser), once: the kernel returns Σ dᵢ.
  let saturated = 0;
  for (let i = 0; i < n; i++)
    saturated += data.family.logDensity(data.y[i] as number, data.y[i] as number, data.pw[i] as number);
  const link = data.family.link;
  let lastState: PirlsState | null = null;
  let disposed = false;

  return {
    run(theta, fixedBeta, start) {
      if (joint === (fixedBeta !== null))
        throw new ModelError("wasm PIRLS: fixed β goes with the u-only engine, free β with the joint one");
      // From the previous run's own state (the optimiser's last point): the buffers and the factor still hold it, so
      // PIRLS starts from the first-order prediction of the modes (assembly/glmm/predict.ts).
      const predict = start !== null && start === lastState;
      const previous = lastState;
      lastState = null;
      if (predict && previous) {
        const dTheta = view("dTheta");
        for (let k = 0; k < nTheta; k++) dTheta[k] = (theta[k] as number) - (previous.theta[k] as number);
        const dBeta = view("dBeta");
        for (let j = 0; j < p; j++)
          dBeta[j] = fixedBeta ? (fixedBeta[j] as number) - (previous.beta[j] as number) : 0;
        kernels.glmmPredictModes(
          ctx,
          familyCode,
          LINK_CODE[link.name] as number,
          addr("y"),
          addr("pw"),
          addr("eta"),
          addr("mu"),
          addr("x"),
          addr("dTheta"),
          addr("dBeta"),
          addr("X"),
          joint ? 0 : p,
          addr("scratch"),
        );
      }
      ec.setTheta(theta);
      if (fixedBeta) view("beta").set(fixedBeta);
      const x = view("x");
      if (!predict) x.fill(0);
      view("b").fill(0);
      let fresh = 0;
      if (predict) {
        // x holds the prediction (b is recomputed from it by the kernel).
      } else if (start) {
        for (let d = 0; d < q; d++) x[L.internalIndex[d] as number] = start.u[d] as number;
        if (joint) x.set(start.beta.subarray(0, pX), q);
      } else if (!fixedBeta) {
        fresh = 1;
        const eta = view("eta");
        const mu = view("mu");
        for (let i = 0; i < n; i++) {
          const m = data.family.start(data.y[i] as number, data.pw[i] as number);
          mu[i] = m;
          eta[i] = link.link(m) + (data.offset[i] as number);
        }
      }
      const status = kernels.glmmPirls(
        ctx,
        familyCode,
        LINK_CODE[link.name] as number,
        addr("y"),
        addr("pw"),
        addr("offset"),
        addr("X"),
        addr("beta"),
        fixedBeta ? p : 0,
        addr("fixed"),
        addr("eta"),
        addr("mu"),
        addr("x"),
        addr("b"),
        addr("scratch"),
        addr("out"),
        fresh,
        PIRLS_MAXIT,
        PIRLS_TOL,
      );
      ec.invalidate();
      const out = view("out");
      if (status === -1) throw new ModelError("PIRLS produced a non-finite deviance (NaN) at this θ");
      if (status === -2)
        throw new ModelError("PIRLS step-halvings (20) failed to reduce the penalised deviance");
      if (status === -3)
        throw new ModelError(
          `PIRLS did not converge in ${PIRLS_MAXIT} iterations (penalised deviance ${out[OUT_PDEV]})`,
        );
      if (status < 0)
        throw new ModelError(
          "the penalised least-squares system is singular at this θ (rank-deficient model?)",
        );
      const xs = view("x");
      const u = new Float64Array(q);
      for (let d = 0; d < q; d++) u[d] = xs[L.internalIndex[d] as number] as number;
      const state: PirlsState = {
        theta: Float64Array.from(theta),
        beta: fixedBeta ? Float64Array.from(fixedBeta) : Float64Array.from(xs.subarray(q, q + pX)),
        u,
        eta: view("eta").slice(),
        mu: view("mu").slice(),
        pdev: out[OUT_PDEV] as number,
        logDetM: out[OUT_LOG_DET_M] as number,
        weights: ec.weights(),
        iterations: status,
        halvings: out[OUT_HALVINGS] as number,
        diverging: out[OUT_DIVERGING] === 1,
        // log f(y|μ) = log f(y|y) − dᵢ/2 (the deviance residuals' definition).
        logDensity: saturated - (out[OUT_DEVIANCE] as number) / 2,
      };
      lastState = state;
      return state;
    },
    gradient() {
      if (!canonical(data) || !lastState) return null;
      kernels.glmmLaplaceGradient(
        ctx,
        familyCode,
        LINK_CODE[link.name] as number,
        addr("y"),
        addr("pw"),
        addr("eta"),
        addr("mu"),
        addr("x"),
        addr("X"),
        joint ? 0 : p,
        addr("grad"),
        addr("scratch"),
        iBase,
      );
      return view("grad").slice();
    },
    holds(state) {
      return state === lastState;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      kernels.free(raw);
    },
  };
}
