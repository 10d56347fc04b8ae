// Penalised iteratively reweighted least squares in one kernel call (src/glmm/pirls.ts is the TypeScript
// reference it reproduces, iteration for iteration): working weights and response into the engine's weight and y
// buffers, the weighted statistics and the blocked factor of assembly/pls, the solve, step-halving and the
// convergence test, without leaving wasm. Works on the engine's context (joint: pX > 0, β and u together; u only:
// pX = 0, the fixed part Xβ in `fixed`), in the factor's internal order of the random effects (term 1 first).

import { Context, MODE_SOLVE, OUT_LOG_DET_M, OUT_PWRSS } from "../pls/contract";
import { ld, st, ldi } from "../pls/access";
import { plsEvaluate } from "../pls/deviance";
import { plsStatistics } from "../pls/statistics";
import { fillTemplates, tplOf } from "../pls/templates";
import { devResid, LINK_LOGIT, linkInverse, muEta, variance } from "./family";

/** Outputs of glmmPirls (f64 slots of `out`). */
export const PIRLS_PDEV: i32 = 0;
export const PIRLS_LOG_DET_M: i32 = 1;
export const PIRLS_HALVINGS: i32 = 2;
export const PIRLS_DIVERGING: i32 = 3;
export const PIRLS_ITERATIONS: i32 = 4;
/** Σ deviance residuals at the converged μ (the TypeScript side turns it into Σ log f(y|μ)). */
export const PIRLS_DEVIANCE: i32 = 5;

const MAX_HALVINGS: i32 = 20;
const ROUNDING: f64 = 1e-12;
const STEP_TOL: f64 = 1e-7;

/** Level of observation i in term t. */
@inline export function refOf(cx: Context, t: i32, i: i32): i32 {
  return load<i32>(cx.refsP + ((<usize>t * <usize>cx.nObs + <usize>i) << 2));
}

/** Model-matrix row of observation i in term t (p_t values). */
@inline export function zRow(cx: Context, t: i32, i: i32, pt: i32): usize {
  return cx.zP + (<usize>(ldi(cx.zOff, t) + i * pt) << 3);
}

/** Internal index of the first random effect of level l of term t. */
@inline export function blockStart(cx: Context, t: i32, l: i32, pt: i32): i32 {
  if (t == cx.t0) return l * pt;
  return cx.q1 + ldi(cx.rowOffset, t) + l * pt;
}

/** b = Λx (internal order; x's first q entries). */
export function lambdaTimes(cx: Context, x: usize, b: usize): void {
  const nTerms = cx.nTerms;
  const termP = cx.termP;
  for (let t = 0; t < nTerms; t++) {
    const pt = ldi(termP, t);
    const T = tplOf(cx, t);
    const nl = t == cx.t0 ? cx.l1 : 0;
    const count = t == cx.t0 ? nl : levelsOfRest(cx, t, pt);
    for (let l = 0; l < count; l++) {
      const o = blockStart(cx, t, l, pt);
      for (let j = 0; j < pt; j++) {
        let s = 0.0;
        for (let k = 0; k <= j; k++) s += ld(T, j + k * pt) * ld(x, o + k);
        st(b, o + j, s);
      }
    }
  }
}

/** Levels of a trailing term: its rows run from rowOffset[t] to the next term's (or qRest). */
@inline function levelsOfRest(cx: Context, t: i32, pt: i32): i32 {
  const start = ldi(cx.rowOffset, t);
  let end = cx.qRest;
  for (let s = 0; s < cx.nTerms; s++) {
    const o = ldi(cx.rowOffset, s);
    if (s != cx.t0 && o > start && o < end) end = o;
  }
  return (end - start) / pt;
}

/** η = fixed + Xβ (joint) + Zb. */
export function linearPredictor(cx: Context, fixed: usize, x: usize, b: usize, eta: usize): void {
  const n = cx.nObs;
  const pX = cx.pX;
  const q = cx.q1 + cx.qRest;
  const xP = cx.xP;
  const nTerms = cx.nTerms;
  const termP = cx.termP;
  for (let i = 0; i < n; i++) st(eta, i, ld(fixed, i));
  for (let j = 0; j < pX; j++) {
    const bj = ld(x, q + j);
    if (bj == 0.0) continue;
    const col = xP + (<usize>(j * n) << 3);
    for (let i = 0; i < n; i++) st(eta, i, ld(eta, i) + bj * ld(col, i));
  }
  for (let t = 0; t < nTerms; t++) {
    const pt = ldi(termP, t);
    const refs = cx.refsP + (<usize>(t * n) << 2);
    const bt = b + (<usize>blockStart(cx, t, 0, pt) << 3);
    const zt = zRow(cx, t, 0, pt);
    if (pt == 1) {
      for (let i = 0; i < n; i++)
        st(eta, i, ld(eta, i) + ld(zt, i) * ld(bt, load<i32>(refs + (<usize>i << 2))));
      continue;
    }
    for (let i = 0; i < n; i++) {
      const z = zt + (<usize>(i * pt) << 3);
      const o = load<i32>(refs + (<usize>i << 2)) * pt;
      let s = 0.0;
      for (let j = 0; j < pt; j++) s += ld(z, j) * ld(bt, o + j);
      st(eta, i, ld(eta, i) + s);
    }
  }
}

/** μ from η and Σ deviance residuals. */
function muAndDeviance(cx: Context, family: i32, link: i32, y: usize, pw: usize, eta: usize, mu: usize): f64 {
  const n = cx.nObs;
  let d = 0.0;
  for (let i = 0; i < n; i++) {
    const m = linkInverse(link, ld(eta, i));
    st(mu, i, m);
    d += devResid(family, ld(y, i), m, ld(pw, i));
  }
  return d;
}

@inline function sumSq(x: usize, q: i32): f64 {
  let s = 0.0;
  for (let i = 0; i < q; i++) {
    const v = ld(x, i);
    s += v * v;
  }
  return s;
}

/** Working weights into the engine's weights, the working response z = η − fixed + (y − μ)/μ′ into its y. */
function workingQuantities(cx: Context, family: i32, link: i32, y: usize, pw: usize, fixed: usize, eta: usize, mu: usize): void {
  const n = cx.nObs;
  const wP = cx.wP;
  const yP = cx.yP;
  for (let i = 0; i < n; i++) {
    const e = ld(eta, i);
    const m = ld(mu, i);
    // dμ/dη: the logistic's is μ(1 − μ) inside R's clamping thresholds (one exp fewer per observation).
    const d = link == LINK_LOGIT && Math.abs(e) <= 30.0 ? m * (1.0 - m) : muEta(link, e);
    st(wP, i, (ld(pw, i) * d * d) / variance(family, m));
    st(yP, i, e - ld(fixed, i) + (ld(y, i) - m) / d);
  }
}

/**
 * PIRLS at the θ in the context, with the fixed part offset + Xβ formed into `fixed` (X n×p column-major and β
 * given for the u-only engine; p = 0 for the joint one). x (q + pX, internal order: u then β) and b = Λu hold the
 * start (fresh = 0) and
 * receive the solution; eta and mu likewise (with fresh = 1 they hold the family's starting η and μ, and x, b are
 * zero). scratch: 2(q + pX) + q f64. Returns the iterations (> 0), or −1 a non-finite deviance, −2 failed
 * step-halvings, −3 no convergence in maxit iterations, −4 a singular penalised least-squares system.
 */
export function glmmPirls(
  ctx: usize, family: i32, link: i32, y: usize, pw: usize, offset: usize, X: usize, beta: usize, p: i32,
  fixed: usize, eta: usize, mu: usize, x: usize, b: usize, scratch: usize, out: usize, fresh: i32, maxit: i32,
  tol: f64,
): i32 {
  const cx = changetype<Context>(ctx);
  const n = cx.nObs;
  // fixed = offset + Xβ (β given: the u-only engine; the joint engine passes p = 0).
  memory.copy(fixed, offset, <usize>n << 3);
  for (let j = 0; j < p; j++) {
    const bj = ld(beta, j);
    if (bj == 0.0) continue;
    const col = X + (<usize>(j * n) << 3);
    for (let i = 0; i < n; i++) st(fixed, i, ld(fixed, i) + bj * ld(col, i));
  }
  const q = cx.q1 + cx.qRest;
  const pX = cx.pX;
  const nx = q + pX;
  const xNew = scratch;
  const bNew = xNew + (<usize>nx << 3);
  const xSol = cx.xSol;
  const bP = cx.bP;
  const cxOut = cx.out;
  fillTemplates(cx);
  let oldpdev = Infinity;
  if (fresh == 0) {
    lambdaTimes(cx, x, b);
    linearPredictor(cx, fixed, x, b, eta);
    oldpdev = muAndDeviance(cx, family, link, y, pw, eta, mu) + sumSq(x, q);
    if (!Number.isFinite(oldpdev)) oldpdev = Infinity;
  }
  let halvings = 0;
  let stalled = 0;
  let pdev = oldpdev;
  for (let it = 1; it <= maxit; it++) {
    workingQuantities(cx, family, link, y, pw, fixed, eta, mu);
    plsStatistics(ctx);
    const obj = plsEvaluate(ctx, 0, MODE_SOLVE);
    if (!Number.isFinite(obj) || !(ld(cxOut, OUT_PWRSS) > 0.0)) return -4;
    memory.copy(xNew, xSol, <usize>nx << 3);
    memory.copy(bNew, bP, <usize>q << 3);
    linearPredictor(cx, fixed, xNew, bNew, eta);
    pdev = muAndDeviance(cx, family, link, y, pw, eta, mu) + sumSq(xNew, q);
    const slack = ROUNDING * Math.abs(oldpdev);
    if (isNaN(pdev) || pdev > oldpdev + slack) {
      for (let k = 0; k < MAX_HALVINGS && (isNaN(pdev) || pdev > oldpdev + slack); k++) {
        for (let i = 0; i < nx; i++) st(xNew, i, (ld(x, i) + ld(xNew, i)) / 2.0);
        for (let i = 0; i < q; i++) st(bNew, i, (ld(b, i) + ld(bNew, i)) / 2.0);
        linearPredictor(cx, fixed, xNew, bNew, eta);
        pdev = muAndDeviance(cx, family, link, y, pw, eta, mu) + sumSq(xNew, q);
        halvings++;
      }
      if (isNaN(pdev)) return -1;
      if (pdev - oldpdev > tol * Math.abs(pdev) + 1e-10) return -2;
    }
    let step = 0.0;
    for (let i = 0; i < nx; i++) step = Math.max(step, Math.abs(ld(xNew, i) - ld(x, i)));
    memory.copy(x, xNew, <usize>nx << 3);
    memory.copy(b, bNew, <usize>q << 3);
    const flat = Math.abs(oldpdev - pdev) <= tol * Math.abs(pdev) + 1e-11;
    stalled = flat && step > STEP_TOL ? stalled + 1 : 0;
    if (flat && (step <= STEP_TOL || stalled >= 5)) {
      // log|M| at the weights of the converged μ (as the TypeScript reference; lme4 keeps the previous iterate's).
      workingQuantities(cx, family, link, y, pw, fixed, eta, mu);
      plsStatistics(ctx);
      const o2 = plsEvaluate(ctx, 0, 0);
      if (!Number.isFinite(o2) || !(ld(cxOut, OUT_PWRSS) > 0.0)) return -4;
      st(out, PIRLS_PDEV, pdev);
      st(out, PIRLS_LOG_DET_M, ld(cxOut, OUT_LOG_DET_M));
      st(out, PIRLS_HALVINGS, <f64>halvings);
      st(out, PIRLS_DIVERGING, stalled >= 5 ? 1.0 : 0.0);
      st(out, PIRLS_ITERATIONS, <f64>it);
      st(out, PIRLS_DEVIANCE, pdev - sumSq(x, q));
      return it;
    }
    oldpdev = pdev;
  }
  st(out, PIRLS_PDEV, pdev);
  return -3;
}
