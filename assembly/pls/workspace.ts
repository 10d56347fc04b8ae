// The kernels' own scratch: how much they need (plsWorkLength, which TypeScript asks before it allocates the work
// buffer) and where each piece of it starts (plsPrepare, which writes the derived slots of the context once, after
// TypeScript has written the sizes and buffer pointers). Every kernel reads and writes only the context it is
// given, so engines sharing one instance can interleave their calls (docs/architecture.md, "The kernel contract").

import { Context } from "./contract";
import { ldi } from "./access";

/** The context block's size in bytes as the kernels lay it out (TypeScript checks it against its slot count). */
export function plsContextBytes(): i32 {
  return <i32>offsetof<Context>();
}

/**
 * f64 entries of the work buffer: four p₁×p₁ blocks (wLinv, wAinv, wQ, wE), three maxR×p₁ (wK, wY, wV), a column
 * of nd (wCol), nd×p₁ (wYd), pMax×pMax (wTinv) and pMax×pMax + 16 (wRow). The trailing block's builders use its
 * first nd entries too (one column of H22 Λ₂, or Λ₂'s diagonal).
 */
export function plsWorkLength(nd: i32, p1: i32, maxR: i32, pMax: i32): i32 {
  return max(nd * (1 + p1) + 4 * p1 * p1 + 3 * maxR * p1 + 2 * pMax * pMax + 16, nd);
}

/** Derive the pointers of the context's derived slots (see ./contract.ts). */
export function plsPrepare(ctx: usize): void {
  const cx = changetype<Context>(ctx);
  const p1 = cx.p1;
  cx.T1 = cx.tpl + (<usize>ldi(cx.tplOff, cx.t0) << 3);
  cx.z1 = cx.zP + (<usize>ldi(cx.zOff, cx.t0) << 3);
  const pp = <usize>(p1 * p1) << 3;
  const rp = <usize>(cx.maxR * p1) << 3;
  cx.wLinv = cx.work;
  cx.wAinv = cx.wLinv + pp;
  cx.wQ = cx.wAinv + pp;
  cx.wE = cx.wQ + pp;
  cx.wK = cx.wE + pp;
  cx.wY = cx.wK + rp;
  cx.wV = cx.wY + rp;
  cx.wCol = cx.wV + rp;
  cx.wYd = cx.wCol + (<usize>cx.nd << 3);
  cx.wTinv = cx.wYd + (<usize>(cx.nd * p1) << 3);
  cx.wRow = cx.wTinv + (<usize>(cx.pMax * cx.pMax) << 3);
}
