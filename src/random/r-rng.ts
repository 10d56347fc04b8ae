/**
 * R's default random number generator, bit for bit: `RNGkind("Mersenne-Twister", "Inversion")`, so that a
 * bootstrap can draw exactly the responses R's `set.seed(s); simulate(model)` draws (R's src/main/RNG.c and
 * src/nmath/snorm.c, qnorm.c).
 *
 * - set.seed(s): the integer seed is scrambled by 50 steps of the LCG s ← 69069 s + 1 (mod 2³²), then the 625
 *   words of the generator's state (the position word and the 624 words of MT19937) are 625 further LCG steps;
 *   the position is then set to 624, so the first draw regenerates the whole block (R's FixupSeeds).
 * - unif_rand(): MT19937's tempered 32-bit output times 2.3283064365386963e-10, moved inside (0, 1) if it is 0.
 * - norm_rand() (Inversion): u = unif_rand(); u = (int)(2²⁷ u) + unif_rand(); qnorm(u / 2²⁷) with AS241.
 *   Every normal takes exactly two uniforms, so normal k of a stream is uniforms 2k and 2k + 1, and a position
 *   in the stream can be reached by skipping whole 624-word blocks (regenerated, not tempered) — cheap.
 */

import { qnorm } from "../distributions/normal.js";
import { SpruceError } from "../errors.js";

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
/** 2⁻³² as R writes it (MT_genrand's scale). */
const SCALE = 2.3283064365386963e-10;
/** R's i2_32m1 = 1/(2³² − 1), for fixup. */
const I2_32M1 = 2.328306437080797e-10;
/** 2²⁷, R's BIG in norm_rand's inversion. */
const BIG = 134217728;

/** How an R-compatible bootstrap seeds R's generator (see src/inference/r-streams.ts). */
export type RStreamSpec =
  /** set.seed(seed); simulate(m0, nsim): one stream. */
  | { scheme: "stream"; seed: number; nsim: number }
  /** set.seed(multiplier * i) before replicate i = 1..nsim. */
  | { scheme: "perReplicate"; multiplier: number };

/**
 * Blocks between the checkpoints seekUniform keeps (64 blocks = 39,936 uniforms; 2.5 kB each): a backward seek
 * regenerates at most this many blocks.
 */
const CHECKPOINT_BLOCKS = 64;

/** R's integer range: set.seed takes an R integer (NA is −2³¹, so the range is symmetric). */
export const R_INT_MAX = 2147483647;

/** Check a seed R's set.seed accepts: an integer with |s| ≤ 2³¹ − 1. */
export function checkRSeed(seed: number, what = "seed"): number {
  if (!Number.isInteger(seed) || Math.abs(seed) > R_INT_MAX)
    throw new SpruceError(
      `${what} for R's set.seed must be an integer between -2147483647 and 2147483647, got ${seed}`,
    );
  return seed;
}

/** R's Mersenne-Twister with Inversion normals, seeded as set.seed(seed). */
export class RRandom {
  private readonly mt = new Uint32Array(N);
  private mti = N;
  /** Uniforms drawn since set.seed (the position in the stream). */
  private drawn = 0;
  private seed = 0;
  /** Block states saved while seeking, by the position their block starts at (see seekUniform). */
  private readonly checkpoints = new Map<number, Uint32Array>();

  constructor(seed: number) {
    this.setSeed(seed);
  }

  /** R's set.seed(seed) (RNG_Init with Mersenne-Twister). */
  setSeed(seed: number): this {
    checkRSeed(seed);
    if (seed !== this.seed) this.checkpoints.clear();
    this.seed = seed;
    let s = seed >>> 0;
    for (let j = 0; j < 50; j++) s = (Math.imul(69069, s) + 1) >>> 0;
    // i_seed[0] is the position word (overwritten by FixupSeeds), i_seed[1..624] the MT state.
    s = (Math.imul(69069, s) + 1) >>> 0;
    for (let j = 0; j < N; j++) {
      s = (Math.imul(69069, s) + 1) >>> 0;
      this.mt[j] = s;
    }
    this.mti = N;
    this.drawn = 0;
    return this;
  }

  /** The number of uniforms drawn since set.seed. */
  get position(): number {
    return this.drawn;
  }

  private regenerate(): void {
    const mt = this.mt;
    let kk = 0;
    let y: number;
    for (; kk < N - M; kk++) {
      y = ((mt[kk] as number) & UPPER_MASK) | ((mt[kk + 1] as number) & LOWER_MASK);
      mt[kk] = (mt[kk + M] as number) ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; kk < N - 1; kk++) {
      y = ((mt[kk] as number) & UPPER_MASK) | ((mt[kk + 1] as number) & LOWER_MASK);
      mt[kk] = (mt[kk + (M - N)] as number) ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    y = ((mt[N - 1] as number) & UPPER_MASK) | ((mt[0] as number) & LOWER_MASK);
    mt[N - 1] = (mt[M - 1] as number) ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.mti = 0;
  }

  /** R's unif_rand(). */
  unifRand(): number {
    if (this.mti >= N) this.regenerate();
    let y = this.mt[this.mti++] as number;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    this.drawn++;
    const x = (y >>> 0) * SCALE;
    // fixup: keep the value strictly inside (0, 1).
    if (x <= 0) return 0.5 * I2_32M1;
    if (1 - x <= 0) return 1 - 0.5 * I2_32M1;
    return x;
  }

  /** R's norm_rand() with the default Inversion method (two uniforms per normal). */
  normRand(): number {
    let u = this.unifRand();
    u = Math.trunc(BIG * u) + this.unifRand();
    return qnorm(u / BIG);
  }

  /** Standard normal (the interface ResponseSimulator draws from). */
  nextNormal(): number {
    return this.normRand();
  }

  /** Fill out[offset .. offset + length) with R's rnorm(length). */
  fillNormal(out: Float64Array, offset = 0, length = out.length - offset): Float64Array {
    for (let i = offset; i < offset + length; i++) out[i] = this.normRand();
    return out;
  }

  /**
   * Move to uniform number `position` of the stream (counted from set.seed): forward by regenerating whole
   * 624-word blocks without tempering them; backward from the nearest checkpoint (the state saved every
   * CHECKPOINT_BLOCKS blocks while seeking forward) or from set.seed.
   */
  seekUniform(position: number): this {
    if (!Number.isSafeInteger(position) || position < 0)
      throw new SpruceError(`stream position must be a non-negative integer, got ${position}`);
    if (position < this.drawn) this.restoreAtOrBefore(position);
    let left = position - this.drawn;
    const inBlock = Math.min(left, N - this.mti);
    this.mti += inBlock;
    this.drawn += inBlock;
    left -= inBlock;
    while (left > 0) {
      // The current block is used up: the next starts at `drawn`, a multiple of 624.
      this.regenerate();
      if (this.drawn % (CHECKPOINT_BLOCKS * N) === 0 && !this.checkpoints.has(this.drawn))
        this.checkpoints.set(this.drawn, Uint32Array.from(this.mt));
      const take = Math.min(left, N);
      this.mti = take;
      this.drawn += take;
      left -= take;
    }
    return this;
  }

  private restoreAtOrBefore(position: number): void {
    let best = -1;
    for (const start of this.checkpoints.keys()) if (start <= position && start > best) best = start;
    if (best < 0) {
      this.setSeed(this.seed);
      return;
    }
    this.mt.set(this.checkpoints.get(best) as Uint32Array);
    this.mti = 0;
    this.drawn = best;
  }

  /** Move to normal number `k` of the stream (uniforms 2k and 2k + 1). */
  seekNormal(k: number): this {
    return this.seekUniform(2 * k);
  }
}

/** R's qnorm(p, 0, 1), bit for bit: the library's qnorm (src/distributions/normal.ts) is R's own AS241. */
export const qnormR = qnorm;
