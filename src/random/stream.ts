/**
 * Streams of uniform and standard normal numbers on top of Philox4x32-10.
 *
 * Layout of the 128-bit counter: words 0–1 count blocks inside a stream, words 2–3 hold the stream number
 * (the bootstrap replicate). The seed is the 64-bit key. Hence stream k of seed s is the same sequence on any
 * worker and in any order, and distinct (s, k) pairs never share a block.
 *
 * Uniforms take 53 bits from two 32-bit words and are centred in their bin, so they lie strictly inside (0, 1)
 * (log(0) never happens). Normals come in pairs from the Box–Muller transform of two uniforms: deterministic
 * (no rejection loop, so the number of blocks a draw consumes is fixed) and exact in distribution.
 */
import { SpruceError } from "../errors.js";
import { philox4x32 } from "./philox.js";

const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;
const TWO_PI = 2 * Math.PI;

/** Check a user seed: an integer in [0, 2^53). Returns it unchanged. */
export function checkSeed(seed: number): number {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new SpruceError(`seed must be a non-negative integer below 2^53, got ${seed}`);
  return seed;
}

/** A seed for callers that gave none: random, and reported back so the run can be repeated. */
export function randomSeed(): number {
  const words = new Uint32Array(2);
  globalThis.crypto.getRandomValues(words);
  // 53 bits: 21 from the first word, 32 from the second.
  return ((words[0] as number) & 0x1fffff) * TWO_32 + (words[1] as number);
}

/** The uniform on (0, 1) of 27 + 26 random bits, centred in its bin (never 0 or 1). */
function uniform53(high27: number, low26: number): number {
  return (high27 * 67108864 + low26 + 0.5) / TWO_53;
}

export class RandomStream {
  private readonly k0: number;
  private readonly k1: number;
  private s0 = 0;
  private s1 = 0;
  private block = 0;
  private readonly words = new Uint32Array(4);
  /** Next unused word in `words` (4 = empty). */
  private word = 4;
  private spareNormal = 0;
  private hasSpare = false;
  /** nextNormal's result, drawn through fillNormal. */
  private readonly one = new Float64Array(1);

  constructor(seed: number, stream = 0) {
    checkSeed(seed);
    this.k0 = (seed % TWO_32) >>> 0;
    this.k1 = Math.floor(seed / TWO_32) >>> 0;
    this.reset(stream);
  }

  /** Restart at the beginning of stream `stream` (a non-negative integer below 2^53). No allocation. */
  reset(stream: number): this {
    if (!Number.isSafeInteger(stream) || stream < 0)
      throw new SpruceError(`random stream must be a non-negative integer, got ${stream}`);
    this.s0 = (stream % TWO_32) >>> 0;
    this.s1 = Math.floor(stream / TWO_32) >>> 0;
    this.block = 0;
    this.word = 4;
    this.hasSpare = false;
    return this;
  }

  /** The next block of four words, once the current one is used up. */
  private nextBlock(): void {
    const b = this.block++;
    philox4x32(b % TWO_32, Math.floor(b / TWO_32), this.s0, this.s1, this.k0, this.k1, this.words);
    this.word = 0;
  }

  /**
   * The next word without its low `shift` bits (shift ≥ 1). Below 2³¹, so V8 returns it as a small integer even
   * when this call is not inlined; a whole word ≥ 2³¹ (half of them) it would box as a heap number.
   */
  private topBits(shift: number): number {
    if (this.word === 4) this.nextBlock();
    return (this.words[this.word++] as number) >>> shift;
  }

  /** The next uint32 of the stream. */
  nextUint32(): number {
    if (this.word === 4) this.nextBlock();
    return this.words[this.word++] as number;
  }

  /** Uniform on the open interval (0, 1), 53 random bits: 27 from one word, 26 from the next. */
  nextUniform(): number {
    return uniform53(this.topBits(5), this.topBits(6));
  }

  /** Standard normal (Box–Muller; the second number of each pair is kept for the next call). */
  nextNormal(): number {
    this.fillNormal(this.one, 0, 1);
    return this.one[0] as number;
  }

  /**
   * Fill out[offset .. offset + length) with standard normals: the numbers nextNormal would return, one call
   * after another. The draws are written out here, every number going straight into `out`: a uniform or a normal
   * returned by a call that V8 does not inline is boxed as a heap number (16 bytes each), and the calls into the
   * Philox block make these functions too large for V8 to inline reliably. (Through nextNormal, the ~630 normals
   * of a Sitka bootstrap replicate made 10 KB of garbage.)
   */
  fillNormal(out: Float64Array, offset = 0, length = out.length - offset): Float64Array {
    for (let i = offset; i < offset + length; i++) {
      if (this.hasSpare) {
        this.hasSpare = false;
        out[i] = this.spareNormal;
        continue;
      }
      const u1 = uniform53(this.topBits(5), this.topBits(6));
      const u2 = uniform53(this.topBits(5), this.topBits(6));
      const r = Math.sqrt(-2 * Math.log(u1));
      const angle = TWO_PI * u2;
      this.spareNormal = r * Math.sin(angle);
      this.hasSpare = true;
      out[i] = r * Math.cos(angle);
    }
    return out;
  }
}
