// The diagonal blocks of M⁻¹ = (ΛᵀZᵀWZΛ + I)⁻¹ for the conditional variances (docs/architecture.md, "Solutions").

import { Context } from "./contract";
import { ld, st, ldi } from "./access";
import { trailingInverse } from "./factor-trailing";
import { levelInverse } from "./gradient-selected";
import { inverseSparse } from "./sparse-trailing";

/**
 * The diagonal blocks of M⁻¹ (after plsEvaluate at the same θ): term 1's ℓ₁ blocks p₁×p₁ (row-major), then for
 * every trailing random row its p_s entries of its block row: together every other term's level blocks in order.
 */
export function plsMinvBlocks(ctx: usize): void {
  const cx = changetype<Context>(ctx);
  const p1 = cx.p1;
  const l1 = cx.l1;
  const qRest = cx.qRest;
  const nd = cx.nd;
  const termP = cx.termP;
  const rowTerm = cx.rowTerm;
  const rowPos = cx.rowPos;
  const S = cx.S;
  const minvP = cx.minvP;
  const wQ = cx.wQ;
  trailingInverse(cx, qRest);
  const pp = p1 * p1;
  for (let g = 0; g < l1; g++) {
    levelInverse(cx, g, qRest);
    for (let a = 0; a < p1; a++) for (let b = 0; b < p1; b++) st(minvP, g * pp + a * p1 + b, ld(wQ, a + b * p1));
  }
  let o = l1 * pp;
  const sparse = cx.spOn != 0;
  for (let c = 0; c < qRest; c++) {
    const t = ldi(rowTerm, c);
    const ps = ldi(termP, t);
    const base = c - ldi(rowPos, c);
    for (let k = 0; k < ps; k++) st(minvP, o++, sparse ? inverseSparse(cx, c, base + k) : ld(S, c + (base + k) * nd));
  }
}
