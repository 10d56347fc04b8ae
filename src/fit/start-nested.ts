/**
 * The moment start (./start.ts) for random-intercept factors nested in one another.
 *
 * When every level of a factor B lies inside one level of a factor A (InstEval's lecturers `d` inside departments
 * `dept`), B's and A's effects fitted as fixed effects are not separable: any shift of A's effect at level a is
 * absorbed by B's effects inside a, so the backfit leaves an arbitrary split (in practice A's effects come out near
 * 0, B's carry both, and A's variance estimate is 0 — the start then sits at the floor far from θ̂, and the fit
 * spends several Newton steps getting there). Only the sums γ_b = α_B(b) + α_A(a(b)) are estimated; the nested
 * analysis of variance of those sums separates the two variances:
 *
 * - γ_b = A_a + B_b + ē_b with Var(ē_b) = σ²/n_b, so the pooled spread of γ_b around its level-a mean m_a,
 *   W = Σ (γ_b − m_a)² / (N_B − L_A), estimates σ²_B + σ²·mean(1/n_b);
 * - m_a averages k_a values of B, so the spread of the m_a, Σ (m_a − m̄)²/(L_A − 1), estimates
 *   σ²_A + mean(W/k_a).
 *
 * Each factor A with a nested factor takes the tightest one (the fewest levels), and both estimates are replaced.
 * Only the start changes; the optimum does not depend on it.
 */

/** Observations per level and the number of levels observed (as ./start.ts computes them). */
export interface LevelCounts {
  count: Float64Array;
  levels: number;
}

/** A factor A (index into the term lists) and the tightest factor B nested in it, with B's parent levels. */
export interface NestedPair {
  outer: number;
  inner: number;
  /** The level of A that each level of B lies in. */
  parents: Int32Array;
}

/**
 * For each factor A, the tightest factor nested in it (the one with the fewest levels among those with more
 * levels than A whose every level meets one level of A), if any. refs: each factor's level per observation.
 */
export function nestedPairs(refs: readonly Int32Array[], factors: readonly LevelCounts[]): NestedPair[] {
  const pairs: NestedPair[] = [];
  for (let a = 0; a < refs.length; a++) {
    let best: NestedPair | undefined;
    for (let b = 0; b < refs.length; b++) {
      if (b === a) continue;
      const fb = factors[b] as LevelCounts;
      if (fb.levels <= (factors[a] as LevelCounts).levels) continue;
      if (best && fb.levels >= (factors[best.inner] as LevelCounts).levels) continue;
      const parents = parentLevels(refs[b] as Int32Array, refs[a] as Int32Array, fb.count.length);
      if (parents) best = { outer: a, inner: b, parents };
    }
    if (best) pairs.push(best);
  }
  return pairs;
}

/**
 * Replaces the variance estimates of both factors of each nested pair by the nested analysis of variance above.
 * effects: the backfitted level effects; variances: the estimates of ./start.ts; sigma2 the residual variance.
 */
export function correctNested(
  pairs: readonly NestedPair[],
  factors: readonly LevelCounts[],
  effects: readonly Float64Array[],
  variances: number[],
  sigma2: number,
): void {
  for (const { outer: a, inner: tightest, parents } of pairs) {
    const fa = factors[a] as LevelCounts;
    const fb = factors[tightest] as LevelCounts;
    const ea = effects[a] as Float64Array;
    const eb = effects[tightest] as Float64Array;
    const sum = new Float64Array(fa.count.length);
    const k = new Float64Array(fa.count.length);
    let noise = 0;
    for (let l = 0; l < eb.length; l++) {
      const c = fb.count[l] as number;
      if (c === 0) continue;
      const p = parents[l] as number;
      sum[p] = (sum[p] as number) + (eb[l] as number) + (ea[p] as number);
      k[p] = (k[p] as number) + 1;
      noise += 1 / c;
    }
    let groups = 0;
    let grand = 0;
    for (let p = 0; p < k.length; p++)
      if ((k[p] as number) > 0) {
        groups++;
        grand += (sum[p] as number) / (k[p] as number);
      }
    if (groups < 2 || fb.levels - groups < 1) continue;
    grand /= groups;
    let within = 0;
    for (let l = 0; l < eb.length; l++) {
      if ((fb.count[l] as number) === 0) continue;
      const p = parents[l] as number;
      within += ((eb[l] as number) + (ea[p] as number) - (sum[p] as number) / (k[p] as number)) ** 2;
    }
    const w = within / (fb.levels - groups);
    let between = 0;
    let share = 0;
    for (let p = 0; p < k.length; p++) {
      const kp = k[p] as number;
      if (kp === 0) continue;
      between += ((sum[p] as number) / kp - grand) ** 2;
      share += w / kp;
    }
    variances[tightest] = w - (sigma2 * noise) / fb.levels;
    variances[a] = between / (groups - 1) - share / groups;
  }
}

/** The level of `outer` that each level of `inner` lies in, or undefined when some level of inner meets two. */
function parentLevels(inner: Int32Array, outer: Int32Array, innerLevels: number): Int32Array | undefined {
  const parent = new Int32Array(innerLevels).fill(-1);
  for (let i = 0; i < inner.length; i++) {
    const b = inner[i] as number;
    const a = outer[i] as number;
    const seen = parent[b] as number;
    if (seen === -1) parent[b] = a;
    else if (seen !== a) return undefined;
  }
  return parent;
}
