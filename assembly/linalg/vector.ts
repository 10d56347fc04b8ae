// Level-1 vector kernels on contiguous f64 runs (pointers are byte addresses), shared by the dense and blocked
// kernels. f64x2 pairs with a scalar tail. axpy is elementwise, so its result does not depend on the vector width;
// dot sums in one fixed order (two f64x2 accumulators), the same wherever it is called.

/** y[0..len) += alpha · x[0..len). */
@inline export function axpy(y: usize, x: usize, alpha: f64, len: i32): void {
  const va = f64x2.splat(alpha);
  let i = 0;
  for (; i + 1 < len; i += 2) {
    const o = <usize>i << 3;
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(va, v128.load(x + o))));
  }
  if (i < len) {
    const o = <usize>i << 3;
    store<f64>(y + o, load<f64>(y + o) + alpha * load<f64>(x + o));
  }
}

/** Σ x[i]·y[i], i < m (contiguous): two f64x2 accumulators, then a scalar tail. */
@inline export function dot(x: usize, y: usize, m: i32): f64 {
  let s0 = f64x2.splat(0.0);
  let s1 = f64x2.splat(0.0);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const o = <usize>i << 3;
    s0 = f64x2.add(s0, f64x2.mul(v128.load(x + o), v128.load(y + o)));
    s1 = f64x2.add(s1, f64x2.mul(v128.load(x + o, 16), v128.load(y + o, 16)));
  }
  s0 = f64x2.add(s0, s1);
  let s = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1);
  for (; i < m; i++) {
    const o = <usize>i << 3;
    s += load<f64>(x + o) * load<f64>(y + o);
  }
  return s;
}

/**
 * Σ x[i]·y[i], i < len, with one f64x2 accumulator, then the two lanes, then the scalar tail: the summation order
 * of the plain kernels (../pls/dense-basic.ts) and the one-factor gradient, which their results are pinned to;
 * dot's two accumulators sum in another order.
 */
@inline export function dotOneAccumulator(x: usize, y: usize, len: i32): f64 {
  let acc = f64x2.splat(0);
  let i = 0;
  for (; i + 1 < len; i += 2) {
    const o = <usize>i << 3;
    acc = f64x2.add(acc, f64x2.mul(v128.load(x + o), v128.load(y + o)));
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  if (i < len) s += load<f64>(x + (<usize>i << 3)) * load<f64>(y + (<usize>i << 3));
  return s;
}
