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

  /** The next uint32 of the stream. */
  nextUint32(): number {
    if (this.word === 4) {
      const b = this.block++;
      philox4x32(b % TWO_32, Math.floor(b / TWO_32), this.s0, this.s1, this.k0, this.k1, this.words);
      this.word = 0;
    }
    return this.words[this.word++] as number;
  }

  /** Uniform on the open interval (0, 1), 53 random bits. */
  nextUniform(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b + 0.5) / TWO_53;
  }

  /** Standard normal (Box–Muller; the second number of each pair is kept for the next call). */
  nextNormal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spareNormal;
    }
    const r = Math.sqrt(-2 * Math.log(this.nextUniform()));
    const angle = TWO_PI * this.nextUniform();
    this.spareNormal = r * Math.sin(angle);
    this.hasSpare = true;
    return r * Math.cos(angle);
  }

  /** Fill out[offset .. offset + length) with standard normals. */
  fillNormal(out: Float64Array, offset = 0, length = out.length - offset): Float64Array {
    for (let i = offset; i < offset + length; i++) out[i] = this.nextNormal();
    return out;
  }
}
