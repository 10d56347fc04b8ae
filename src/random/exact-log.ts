/**
 * The natural logarithm rounded correctly (to nearest), for R-compatible normals: R's qnorm takes log(p) in its
 * tail branch through glibc's log, which is correctly rounded for practically every argument, while V8's Math.log
 * (fdlibm) is off by one unit in the last place for some. The logarithm is computed in double-double arithmetic
 * (about 104 bits) and rounded once: x = 2^k·m with m in [√½, √2), log m = 2 atanh(s), s = (m − 1)/(m + 1).
 */

/** Error-free sum: a + b = s + e exactly. */
function twoSum(a: number, b: number): [number, number] {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

/** Error-free product via Dekker's split (no fused multiply-add in JavaScript). */
function twoProd(a: number, b: number): [number, number] {
  const p = a * b;
  const split = 134217729; // 2^27 + 1
  const ca = split * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = split * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

type DD = [number, number];

function ddAdd(a: DD, b: DD): DD {
  const [s, e] = twoSum(a[0], b[0]);
  const [hi, lo] = twoSum(s, e + a[1] + b[1]);
  return [hi, lo];
}

function ddMul(a: DD, b: DD): DD {
  const [p, e] = twoProd(a[0], b[0]);
  const [hi, lo] = twoSum(p, e + a[0] * b[1] + a[1] * b[0]);
  return [hi, lo];
}

function ddDiv(a: DD, b: DD): DD {
  const q1 = a[0] / b[0];
  const r = ddAdd(a, ddMul([-q1, 0], b));
  const q2 = r[0] / b[0];
  const r2 = ddAdd(r, ddMul([-q2, 0], b));
  const q3 = r2[0] / b[0];
  return ddAdd(twoSum(q1, q2), [q3, 0]);
}

/** 1/(2j + 1) for j = 0 … 21 as double-doubles: the coefficients of atanh(s)/s in s². */
const ATANH_COEFFICIENTS: readonly DD[] = Array.from({ length: 22 }, (_, j) => ddDiv([1, 0], [2 * j + 1, 0]));

/** ln 2 as a double-double. */
const LN2: DD = [Math.LN2, 2.3190468138462996e-17];

/** log(x) for finite x > 0, correctly rounded except in rare near-halfway cases (2 in 20,000 differed from glibc). */
export function exactLog(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return Math.log(x);
  // x = 2^k · m, m in [√½, √2).
  let k = Math.floor(Math.log2(x));
  let m = x / 2 ** k;
  if (m >= Math.SQRT2) {
    m /= 2;
    k++;
  } else if (m < Math.SQRT1_2) {
    m *= 2;
    k--;
  }
  // m is exact (a power-of-two scaling); s = (m − 1)/(m + 1) in double-double (m − 1 and m + 1 are exact or
  // carried exactly by twoSum).
  const s = ddDiv(twoSum(m, -1), twoSum(m, 1));
  const s2 = ddMul(s, s);
  // atanh(s)/s = Σ s^(2j) / (2j + 1); |s| ≤ 0.1716, so 22 terms reach 1e-34.
  let sum: DD = ATANH_COEFFICIENTS[21] as DD;
  for (let j = 20; j >= 0; j--) sum = ddAdd(ddMul(sum, s2), ATANH_COEFFICIENTS[j] as DD);
  const logm = ddMul(ddMul([2, 0], s), sum);
  const total = ddAdd(ddMul(LN2, [k, 0]), logm);
  return total[0] + total[1];
}
