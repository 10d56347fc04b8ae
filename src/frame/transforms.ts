/**
 * The data-dependent functions of R's formula language: poly() and scale(). Their values depend on the data they
 * are first evaluated on, so, as R's makepredictcall does, their parameters (poly's recurrence coefficients, scale's
 * centre and scale) are recorded when the model is fitted and reused when it predicts on new data.
 *
 * - poly(x, degree): R's orthogonal polynomials. R computes them by a QR decomposition of the centred powers of x;
 *   column j is the part of x^j orthogonal to the lower powers, which is the monic orthogonal polynomial p_j at the
 *   data, scaled to unit length. Here p_j comes from the three-term (Stieltjes) recurrence
 *   p_{j+1} = (x − α_j) p_j − (‖p_j‖² / ‖p_{j−1}‖²) p_{j−1} with α_j = Σ x p_j² / ‖p_j‖², which is exactly R's
 *   prediction formula with R's `coefs = list(alpha, norm2)`, so fitting and prediction share one code path.
 * - poly(x, degree, raw = TRUE): the powers x, x², …
 * - scale(x, center = TRUE, scale = TRUE): (x − mean) / sd over the non-missing values (sd after centring; the root
 *   mean square, Σx²/(n − 1), when not centred); numbers give the centre or scale directly.
 */
import { DataError } from "../errors.js";

export interface PolyCoefs {
  /** α_0 … α_{degree−1}. */
  alpha: number[];
  /** R's norm2: 1, n, ‖p_1‖², …, ‖p_degree‖². */
  norm2: number[];
}

/** Parameters of one data-dependent variable, by its deparsed name. */
export type TransformParams =
  | { kind: "poly"; coefs: PolyCoefs }
  | { kind: "scale"; center: number | null; scale: number | null };

/**
 * Where a model's data-dependent parameters go: recorded while fitting (`record`), reused when predicting
 * (`use`). Keyed by the variable's deparsed name (`poly(time, 2)`).
 */
export interface TransformContext {
  mode: "record" | "use";
  params: Map<string, TransformParams>;
}

/** Orthogonal polynomial columns 1..degree of x, with the coefficients (computed from x unless given). */
export function orthogonalPoly(
  x: Float64Array,
  degree: number,
  name: string,
  given?: PolyCoefs,
): { columns: Float64Array[]; coefs: PolyCoefs } {
  const n = x.length;
  let coefs = given;
  if (!coefs) {
    for (let i = 0; i < n; i++)
      if (Number.isNaN(x[i] as number))
        throw new DataError(`'${name}': missing values are not allowed in poly()`);
    const unique = new Set(x).size;
    if (degree >= unique)
      throw new DataError(
        `'${name}': the degree (${degree}) must be less than the number of unique points (${unique})`,
      );
    const alpha: number[] = [];
    const norm2 = [1, n];
    let prev = new Float64Array(n).fill(0);
    let cur = new Float64Array(n).fill(1);
    for (let j = 0; j < degree; j++) {
      let sxp = 0;
      let spp = 0;
      for (let i = 0; i < n; i++) {
        const c = cur[i] as number;
        sxp += (x[i] as number) * c * c;
        spp += c * c;
      }
      const a = sxp / spp;
      alpha.push(a);
      const ratio = (norm2[j + 1] as number) / (norm2[j] as number);
      const next = new Float64Array(n);
      for (let i = 0; i < n; i++)
        next[i] = ((x[i] as number) - a) * (cur[i] as number) - (j === 0 ? 0 : ratio * (prev[i] as number));
      let s = 0;
      for (let i = 0; i < n; i++) s += (next[i] as number) ** 2;
      norm2.push(s);
      prev = cur;
      cur = next;
    }
    coefs = { alpha, norm2 };
  }
  return { columns: polyFromCoefs(x, degree, coefs, name), coefs };
}

/** R's predict branch of poly(): the recurrence with given coefficients, columns scaled by √norm2. */
function polyFromCoefs(x: Float64Array, degree: number, coefs: PolyCoefs, name: string): Float64Array[] {
  const { alpha, norm2 } = coefs;
  if (alpha.length < degree || norm2.length < degree + 2)
    throw new DataError(`'${name}': the stored polynomial coefficients are for a lower degree`);
  const n = x.length;
  const z: Float64Array[] = [new Float64Array(n).fill(1)];
  const first = new Float64Array(n);
  for (let i = 0; i < n; i++) first[i] = (x[i] as number) - (alpha[0] as number);
  z.push(first);
  for (let j = 1; j < degree; j++) {
    const next = new Float64Array(n);
    const ratio = (norm2[j + 1] as number) / (norm2[j] as number);
    const zj = z[j] as Float64Array;
    const zj1 = z[j - 1] as Float64Array;
    for (let i = 0; i < n; i++)
      next[i] = ((x[i] as number) - (alpha[j] as number)) * (zj[i] as number) - ratio * (zj1[i] as number);
    z.push(next);
  }
  const out: Float64Array[] = [];
  for (let j = 1; j <= degree; j++) {
    const s = Math.sqrt(norm2[j + 1] as number);
    out.push((z[j] as Float64Array).map((v) => v / s));
  }
  return out;
}

/** Raw powers x, x², …, x^degree. */
export function rawPoly(x: Float64Array, degree: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let j = 1; j <= degree; j++) out.push(x.map((v) => v ** j));
  return out;
}

/** scale(x, center, scale): `center`/`scale` true (compute), false (none) or a number. */
export function scaleColumn(
  x: Float64Array,
  center: boolean | number,
  scale: boolean | number,
  given?: { center: number | null; scale: number | null },
): { values: Float64Array; center: number | null; scale: number | null } {
  let c: number | null;
  let s: number | null;
  if (given) {
    c = given.center;
    s = given.scale;
  } else {
    const finite = Array.from(x).filter((v) => !Number.isNaN(v));
    c =
      center === false ? null : center === true ? finite.reduce((a, b) => a + b, 0) / finite.length : center;
    if (scale === false) s = null;
    else if (scale === true) {
      const m = finite.length;
      let ss = 0;
      for (const v of finite) ss += (v - (c ?? 0)) ** 2;
      s = Math.sqrt(ss / Math.max(1, m - 1));
    } else s = scale;
  }
  const values = x.map((v) => (v - (c ?? 0)) / (s ?? 1));
  return { values, center: c, scale: s };
}
