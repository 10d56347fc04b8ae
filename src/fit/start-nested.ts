/**
 * The moment start (./start.ts) for random-intercept factors nested in one another.
 *
 * When every level of a factor B lies inside one level of a factor A (InstEval's lecturers `d` inside departments
 * `dept`; mlmRev's `star`, where both teachers and students lie inside schools), B's and A's effects fitted as fixed
 * effects are not separable: any shift of A's effect at level a is absorbed by the effects of the factors nested in
 * A, so the backfit leaves an arbitrary split (in practice A's effects come out near 0, and A's variance estimate is
 * 0 — the start then sits at the floor far from θ̂: star's schools start at 0.05 against θ̂ = 0.70, and the fit
 * spends seven more evaluations getting there). What the split does not change:
 *
 * - the total effect of a level l of F, the effect of F plus the mean total of each factor G directly nested in F
 *   over its levels inside l (unweighted, over the k_G(l) levels of G that lie in l, see parentLevels; "directly":
 *   no third factor between them, whose totals already hold G's): T_l = α_F(l) + Σ_G mean_{g ⊂ l} T_G(g);
 * - its spread inside a level of the factor F is nested in (the container with the most levels): a shift the split
 *   leaves constant across that level cancels.
 *
 * So, innermost factor first (a nested factor has more levels than its containers), W_F, the spread of T around the
 * mean of its container's level (or the grand mean: no container) over L_F − L_C (or L_F − 1) degrees of freedom,
 * estimates Var T_l: for an innermost factor σ²_F + σ²·mean(1/n_l), for an outer one σ²_F + Σ_G W_G/k_G(l) (each
 * mean over G's levels brings its own totals' variance over their count). σ̂²_F is W_F less that. On a balanced
 * two-level layout this is the textbook nested analysis of variance ((MS_A − MS_B)/(n_B·per) and
 * (MS_B − MS_E)/per), and on three levels the three-level one. Only the start changes; the optimum does not depend
 * on it.
 */

/** Observations per level and the number of levels observed (as ./start.ts computes them). */
export interface LevelCounts {
  count: Float64Array;
  levels: number;
}

/** A factor (index into the term lists) that another is nested in, with the other's levels mapped to its own. */
export interface Container {
  factor: number;
  /** The level of `factor` that each level of the nested factor lies in. */
  parents: Int32Array;
}

/** How the factors nest: for each factor, the factors nested in it and the container with the most levels. */
export interface Nesting {
  /** inner[f]: the factors nested in f, each with its levels' parents among f's levels. */
  inner: { factor: number; parents: Int32Array }[][];
  /** container[f]: the factor with the most levels that f is nested in, or null. */
  container: (Container | null)[];
}

/**
 * How much of the data must lie in a level of A (each level of B in the level of A it meets first) for B to count
 * as nested in A. Not 1: in star 367 of 10,765 students change school, which makes students and schools crossed,
 * strictly, but leaves their effects so nearly confounded that the backfit's few sweeps do not separate them
 * (schools' estimate 0, θ̂ 0.70). Simulated students in 300 schools (4 observations each, each observation in another
 * school with probability f): as nested, f = 3–16% took 6–7 evaluations against 8–15 as crossed, the same optimum;
 * at f ≥ 20% (more than a quarter of the observations away from the first school) both ways took the same. A crossing
 * that separates the factors (subjects and items, students and teachers) has far less of each level in one level of
 * the other.
 */
export const NEARLY_NESTED = 0.75;

/**
 * Which factors are nested in which: B is nested in A when B has more levels than A and (nearly: NEARLY_NESTED)
 * every level of B lies in one level of A. refs: each factor's level per observation.
 */
export function nesting(refs: readonly Int32Array[], factors: readonly LevelCounts[]): Nesting {
  const k = refs.length;
  const inner: Nesting["inner"] = Array.from({ length: k }, () => []);
  const container: Nesting["container"] = new Array(k).fill(null);
  for (let b = 0; b < k; b++)
    for (let a = 0; a < k; a++) {
      if (a === b) continue;
      const fb = factors[b] as LevelCounts;
      if (fb.levels <= (factors[a] as LevelCounts).levels) continue;
      const parents = parentLevels(refs[b] as Int32Array, refs[a] as Int32Array, fb.count.length);
      if (!parents) continue;
      (inner[a] as Nesting["inner"][number]).push({ factor: b, parents });
      const best = container[b];
      if (!best || (factors[a] as LevelCounts).levels > (factors[best.factor] as LevelCounts).levels)
        container[b] = { factor: a, parents };
    }
  return { inner, container };
}

/**
 * Replaces the variance estimates of every factor that is nested in another or has another nested in it by the
 * nested analysis of variance above. effects: the backfitted level effects; variances: the estimates of
 * ./start.ts; sigma2 the residual variance.
 */
export function correctNested(
  nest: Nesting,
  factors: readonly LevelCounts[],
  effects: readonly Float64Array[],
  variances: number[],
  sigma2: number,
): void {
  const involved = factors
    .map((_, f) => f)
    .filter((f) => nest.container[f] !== null || (nest.inner[f] as unknown[]).length > 0)
    .sort((a, b) => (factors[b] as LevelCounts).levels - (factors[a] as LevelCounts).levels);
  // W_F: the spread of F's totals within its container's levels (an estimate of Var T_l), innermost first.
  const spreadOf = new Float64Array(factors.length);
  const totals: Float64Array[] = effects.map((e) => e);
  for (const f of involved) {
    const ff = factors[f] as LevelCounts;
    const L = ff.count.length;
    const total = Float64Array.from(effects[f] as Float64Array);
    const inner = nest.inner[f] as Nesting["inner"][number];
    // Σ_G W_G / k_G(l) over the directly nested G: the part of Var T_l that their totals bring.
    const share = new Float64Array(L);
    for (const { factor: g, parents } of inner) {
      if (
        inner.some(({ factor: h }) => (nest.inner[h] as Nesting["inner"][number]).some((x) => x.factor === g))
      )
        continue;
      const fg = factors[g] as LevelCounts;
      const tg = totals[g] as Float64Array;
      const sum = new Float64Array(L);
      const k = new Float64Array(L);
      for (let l = 0; l < tg.length; l++) {
        if ((fg.count[l] as number) === 0) continue;
        const p = parents[l] as number;
        sum[p] = (sum[p] as number) + (tg[l] as number);
        k[p] = (k[p] as number) + 1;
      }
      for (let l = 0; l < L; l++)
        if ((k[l] as number) > 0) {
          total[l] = (total[l] as number) + (sum[l] as number) / (k[l] as number);
          share[l] = (share[l] as number) + (spreadOf[g] as number) / (k[l] as number);
        }
    }
    totals[f] = total;
    // The totals' spread around the mean of their container's level (unweighted, over the observed levels).
    const box = nest.container[f];
    const groups = box ? (factors[box.factor] as LevelCounts).count.length : 1;
    const sum = new Float64Array(groups);
    const size = new Float64Array(groups);
    for (let l = 0; l < L; l++) {
      if ((ff.count[l] as number) === 0) continue;
      const p = box ? (box.parents[l] as number) : 0;
      sum[p] = (sum[p] as number) + (total[l] as number);
      size[p] = (size[p] as number) + 1;
    }
    let used = 0;
    for (let p = 0; p < groups; p++) if ((size[p] as number) > 0) used++;
    const dof = ff.levels - used;
    if (dof < 1) continue;
    let spread = 0;
    let noise = 0;
    let shared = 0;
    for (let l = 0; l < L; l++) {
      const c = ff.count[l] as number;
      if (c === 0) continue;
      const p = box ? (box.parents[l] as number) : 0;
      spread += ((total[l] as number) - (sum[p] as number) / (size[p] as number)) ** 2;
      noise += 1 / c;
      shared += share[l] as number;
    }
    const w = spread / dof;
    spreadOf[f] = w;
    // The innermost factor's effects carry the observations' noise; an outer one's come through its nested totals.
    variances[f] = inner.length > 0 ? w - shared / ff.levels : w - (sigma2 * noise) / ff.levels;
  }
}

/**
 * The level of `outer` each level of `inner` lies in (the first it meets), when the observations outside those
 * levels are at most 1 − NEARLY_NESTED of all; undefined otherwise. One pass, left as soon as the strays pass that
 * share (a crossing is left within its first few levels). For a nearly nested factor the first level met is almost
 * always the one holding most of the level's observations, and a stray parent only moves a few levels' totals.
 */
function parentLevels(inner: Int32Array, outer: Int32Array, innerLevels: number): Int32Array | undefined {
  const n = inner.length;
  const allowed = (1 - NEARLY_NESTED) * n;
  const parent = new Int32Array(innerLevels).fill(-1);
  let strays = 0;
  for (let i = 0; i < n; i++) {
    const b = inner[i] as number;
    const a = outer[i] as number;
    const seen = parent[b] as number;
    if (seen === -1) parent[b] = a;
    else if (seen !== a && ++strays > allowed) return undefined;
  }
  return parent;
}
