// Addressing and scaling shared by the dense kernels (column-major f64, byte addresses).

/** Address of element (i, j) of a column-major matrix with leading dimension ld. */
// @ts-ignore: decorator
@inline
export function at(p: usize, i: i32, j: i32, ld: i32): usize {
  return p + ((<usize>i + <usize>j * <usize>ld) << 3);
}

/** x[0:m] *= alpha. */
// @ts-ignore: decorator
@inline
export function scal(x: usize, alpha: f64, m: i32): void {
  const av = f64x2.splat(alpha);
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const o = <usize>i << 3;
    v128.store(x + o, f64x2.mul(av, v128.load(x + o)));
  }
  if (i < m) store<f64>(x + (<usize>i << 3), alpha * load<f64>(x + (<usize>i << 3)));
}
