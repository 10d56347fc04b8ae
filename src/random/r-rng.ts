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
import { SpruceError } from "../errors.js";
import { exactLog } from "./exact-log.js";

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
    return qnormR(u / BIG);
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

/**
 * R's qnorm(p, 0, 1) (src/nmath/qnorm.c, AS241 PPND16, as in R 4.2) for 0 < p < 1, with R's constants (written as
 * the shortest decimals of the same doubles) so that the normals match R's.
 */
export function qnormR(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const q = p - 0.5;
  let r: number;
  let val: number;
  if (Math.abs(q) <= 0.425) {
    r = 0.180625 - q * q;
    return (
      (q *
        (((((((r * 2509.0809287301227 + 33430.57558358813) * r + 67265.7709270087) * r + 45921.95393154987) *
          r +
          13731.69376550946) *
          r +
          1971.5909503065513) *
          r +
          133.14166789178438) *
          r +
          3.3871328727963665)) /
      (((((((r * 5226.495278852854 + 28729.085735721943) * r + 39307.89580009271) * r + 21213.794301586597) *
        r +
        5394.196021424751) *
        r +
        687.1870074920579) *
        r +
        42.31333070160091) *
        r +
        1)
    );
  }
  // R_DT_CIv(p) is R_D_Cval(p) = 0.5 - p + 0.5, which can differ from 1 - p in the last bit.
  r = q < 0 ? p : 0.5 - p + 0.5;
  // glibc's log, which R calls, is correctly rounded; V8's Math.log is not always (see ./exact-log.ts).
  r = Math.sqrt(-exactLog(r));
  if (r <= 5) {
    r += -1.6;
    val =
      (((((((r * 0.0007745450142783414 + 0.022723844989269184) * r + 0.2417807251774506) * r +
        1.2704582524523684) *
        r +
        3.6478483247632045) *
        r +
        5.769497221460691) *
        r +
        4.630337846156546) *
        r +
        1.4234371107496835) /
      (((((((r * 1.0507500716444169e-9 + 0.0005475938084995345) * r + 0.015198666563616457) * r +
        0.14810397642748008) *
        r +
        0.6897673349851) *
        r +
        1.6763848301838038) *
        r +
        2.053191626637759) *
        r +
        1);
  } else {
    r += -5;
    val =
      (((((((r * 2.0103343992922881e-7 + 0.000027115555687434876) * r + 0.0012426609473880784) * r +
        0.026532189526576124) *
        r +
        0.29656057182850487) *
        r +
        1.7848265399172913) *
        r +
        5.463784911164114) *
        r +
        6.657904643501103) /
      (((((((r * 2.0442631033899397e-15 + 1.421511758316446e-7) * r + 0.000018463183175100548) * r +
        0.0007868691311456133) *
        r +
        0.014875361290850615) *
        r +
        0.1369298809227358) *
        r +
        0.599832206555888) *
        r +
        1);
  }
  return q < 0 ? -val : val;
}
