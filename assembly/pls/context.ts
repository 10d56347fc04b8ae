// The context block shared by the PLS kernels: an i32 header written once per engine by src/fit/wasm-engine.ts
// (sizes, then pointers to every buffer: statistics, factor workspaces, outputs, the design data). The slot
// numbers are the contract with wasm-engine.ts: keep the two in sync. H_* slots hold sizes or flags, P_* pointers.

export const H_NTERMS = 0;
export const H_T0 = 1;
export const H_P1 = 2;
export const H_L1 = 3;
export const H_QREST = 4;
export const H_P = 5;
export const H_ND = 6;
export const H_N = 7;
export const H_MAXR = 9;
export const P_TERMP = 10;
export const P_TPLOFF = 11;
export const P_ROWTERM = 12;
export const P_ROWPOS = 13;
export const P_H11 = 14;
export const P_ROWSTART = 15;
export const P_ROWIDX = 16;
export const P_H21 = 17;
export const P_H22 = 18;
export const P_TPL = 19;
export const P_LG = 20;
export const P_L21 = 21;
export const P_C = 22;
export const P_S = 23;
export const P_WORK = 24;
export const P_X = 25;
export const P_ZTE = 26;
export const P_OUT = 27;
export const P_ACC = 28;
export const P_THETA = 29;
export const P_GRAD = 30;
export const P_MINV = 31;
export const P_VCOV = 32;
export const P_B = 33;
export const H_SPARSE = 34;
export const P_IDX = 35;
export const P_REFS = 36;
export const P_ZOFF = 37;
export const P_Z = 38;
export const P_XDATA = 39;
export const P_Y = 40;
export const P_OBSORDER = 41;
export const P_OBSSTART = 42;
export const P_ROWOFFSET = 43;
export const P_REST = 44;
export const P_POSOF = 45;
export const P_SIDX = 46;
export const P_SVAL = 47;
/** i32 per level of term 1: the column-blocked update's cursor into each level's row list (./blocked.ts). */
export const P_CURSOR = 48;
/** f64 per observation: the prior weights (1 without weights; ./statistics.ts). */
export const P_WEIGHTS = 49;

// Reading the header and the f64/i32 buffers it points to.
@inline export function hi(ctx: usize, k: i32): i32 {
  return load<i32>(ctx + (<usize>k << 2));
}
@inline export function hp(ctx: usize, k: i32): usize {
  return <usize>load<u32>(ctx + (<usize>k << 2));
}
@inline export function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
@inline export function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}
@inline export function ldi(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}
