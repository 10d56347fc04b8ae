// plsEvaluate: the blocked factorisation at the θ in the context and the profiled criterion from it
// (docs/architecture.md, "The profiled deviance"); then, by mode bit, the solution, the gradient and S⁻¹.
// The prior weights' −log|W| is added by TypeScript (src/fit/wasm-engine.ts).

import { Context, MODE_SOLVE, MODE_GRADIENT, MODE_VCOV, MODE_REUSE_FACTOR, OUT_OBJECTIVE, OUT_LOG_DET_M, OUT_LOG_DET_S, OUT_PWRSS } from "./contract";
import { ld, st } from "./access";
import { denseChol } from "./dense-ops";
import { eliminateTerm1 } from "./factor-term1";
import { buildTrailing } from "./factor-trailing";
import { factorTrailingSparse, pivotSparse } from "./sparse-trailing";
import { gradient } from "./gradient";
import { backSolve, fixedCovariance } from "./solve";
import { fillTemplates } from "./templates";

/**
 * One evaluation at the θ stored in the context. mode bits: 1 solution (û, b̂, β̂), 2 gradient, 4 the unscaled
 * covariance S⁻¹ of β̂, 8 the factor in the context is already that of this θ (the caller's last evaluation was
 * at the same θ and criterion): skip the factorisation and take the objective from the output slots. At scale an
 * optimiser often evaluates f alone at a trial point and then asks for the gradient there once the point is
 * accepted; the factorisation is half of that gradient. Returns the objective (Infinity when the
 * fixed-effects part is not positive definite).
 */
export function plsEvaluate(ctx: usize, reml: i32, mode: i32): f64 {
  const cx = changetype<Context>(ctx);
  const out = cx.out;
  let obj: f64;
  let r2: f64;
  if ((mode & MODE_REUSE_FACTOR) != 0) {
    obj = ld(out, OUT_OBJECTIVE);
    r2 = ld(out, OUT_PWRSS);
    if (!Number.isFinite(obj)) return obj;
  } else {
    obj = factorAndObjective(cx, reml != 0);
    if (!Number.isFinite(obj)) return obj;
    r2 = ld(out, OUT_PWRSS);
  }
  if (!(r2 > 0)) return obj;
  if ((mode & (MODE_SOLVE | MODE_GRADIENT)) != 0) backSolve(cx);
  if ((mode & MODE_GRADIENT) != 0) gradient(cx, reml != 0, r2);
  if ((mode & MODE_VCOV) != 0) fixedCovariance(cx);
  return obj;
}

/**
 * The blocked factorisation at the θ in the context, and the objective from it: fills the output slots and
 * returns the objective (Infinity when the fixed-effects part is not positive definite).
 */
function factorAndObjective(cx: Context, reml: bool): f64 {
  const qRest = cx.qRest;
  const pX = cx.pX;
  const nd = cx.nd;
  const nObs = cx.nObs;
  const H22 = cx.H22;
  const C = cx.C;
  const out = cx.out;
  const sparseTrailing = cx.sparse != 0;
  fillTemplates(cx);
  buildTrailing(cx);
  let logDetM = eliminateTerm1(cx);
  const info = cx.spOn != 0 ? factorTrailingSparse(cx) : denseChol(C, nd, nd, sparseTrailing, cx.team);
  if (info != 0 && info != nd) {
    st(out, OUT_OBJECTIVE, Infinity);
    return Infinity;
  }
  // The pivots: C's diagonal on the dense path; the first entry of each column of spLx on the sparse one (the
  // random rows in the factor's order, which the sum does not mind; X and y keep their positions).
  const sparse = cx.spOn != 0;
  let r2: f64 = 0.0;
  if (info == 0) {
    const r = sparse ? pivotSparse(cx, nd - 1) : ld(C, nd * nd - 1);
    r2 = r * r;
  }
  // When X and ZΛ reproduce y exactly, the last pivot is rounding noise of either sign. Floor r² far below any
  // meaningful value (1e-30·yᵀy) so that the objective stays finite and the caller can see the zero residual
  // (src/fit/fit.ts reports it as a ModelError) instead of a non-finite deviance.
  const yy = sparse ? ld(cx.spHx, cx.spNnz - 1) : ld(H22, nd * nd - 1);
  const r2floor = Math.max(1e-30 * yy, 1e-300);
  if (r2 < r2floor) r2 = r2floor;
  let logDetS = 0.0;
  if (sparse) {
    for (let i = 0; i < qRest; i++) logDetM += 2.0 * Math.log(pivotSparse(cx, i));
    for (let i = qRest; i < qRest + pX; i++) logDetS += 2.0 * Math.log(pivotSparse(cx, i));
  } else {
    for (let i = 0; i < qRest; i++) logDetM += 2.0 * Math.log(ld(C, i + i * nd));
    for (let i = qRest; i < qRest + pX; i++) logDetS += 2.0 * Math.log(ld(C, i + i * nd));
  }
  const n = <f64>nObs;
  let obj: f64;
  if (reml) {
    const dof = n - <f64>pX;
    obj = logDetM + logDetS + dof * (1.0 + Math.log((2.0 * Math.PI * r2) / dof));
  } else {
    obj = logDetM + n * (1.0 + Math.log((2.0 * Math.PI * r2) / n));
  }
  st(out, OUT_OBJECTIVE, obj);
  st(out, OUT_LOG_DET_M, logDetM);
  st(out, OUT_LOG_DET_S, logDetS);
  st(out, OUT_PWRSS, r2);
  return obj;
}
