// Level-1 vector kernels on contiguous f64 runs (pointers are byte addresses), shared by the dense and blocked
// kernels. f64x2 pairs with a scalar tail: elementwise, so the result does not depend on the vector width.

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
