/**
 * Statistical checks of the uniform and normal streams. The seeds are fixed, so each test is deterministic; the
 * thresholds are set where a correct generator would fail with probability ≈ 1e-6 or less (so a failure means a
 * real defect, not bad luck when someone changes a seed).
 */
import { describe, expect, it } from "vitest";
import { chiSquareUpper } from "../../src/distributions/chisq.js";
import { normalCdf } from "../../src/distributions/normal.js";
import { SpruceError } from "../../src/errors.js";
import { philox4x32 } from "../../src/random/philox.js";
import { checkSeed, RandomStream } from "../../src/random/stream.js";

const N = 200_000;

describe("RandomStream uniforms", () => {
  it("are uniform on (0,1): χ² goodness of fit over 100 equal bins", () => {
    const rng = new RandomStream(12345, 7);
    const counts = new Float64Array(100);
    let min = 1;
    let max = 0;
    for (let i = 0; i < N; i++) {
      const u = rng.nextUniform();
      min = Math.min(min, u);
      max = Math.max(max, u);
      counts[Math.floor(u * 100)]++;
    }
    const expected = N / 100;
    let chi2 = 0;
    for (const c of counts) chi2 += (c - expected) ** 2 / expected;
    expect(min).toBeGreaterThan(0);
    expect(max).toBeLessThan(1);
    expect(chiSquareUpper(chi2, 99)).toBeGreaterThan(1e-6);
  });

  it("pass a Kolmogorov–Smirnov test", () => {
    const rng = new RandomStream(99, 0);
    const n = 20_000;
    const u = new Float64Array(n);
    for (let i = 0; i < n; i++) u[i] = rng.nextUniform();
    u.sort();
    let d = 0;
    for (let i = 0; i < n; i++) d = Math.max(d, (i + 1) / n - (u[i] as number), (u[i] as number) - i / n);
    // Asymptotic KS: P(√n D > 1.95) ≈ 0.001, P(√n D > 2.7) ≈ 1e-6.
    expect(Math.sqrt(n) * d).toBeLessThan(2.7);
  });
});

describe("RandomStream normals", () => {
  it("have the moments of N(0,1): mean, variance, skewness, excess kurtosis within 5 standard errors", () => {
    const rng = new RandomStream(2024, 3);
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    for (let i = 0; i < N; i++) {
      const z = rng.nextNormal();
      s1 += z;
      s2 += z * z;
      s3 += z * z * z;
      s4 += z * z * z * z;
    }
    const mean = s1 / N;
    // Standard errors under N(0,1): mean 1/√N, E z² √(2/N), E z³ √(15/N), E z⁴ √(96/N).
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(N));
    expect(Math.abs(s2 / N - 1)).toBeLessThan(5 * Math.sqrt(2 / N));
    expect(Math.abs(s3 / N)).toBeLessThan(5 * Math.sqrt(15 / N));
    expect(Math.abs(s4 / N - 3)).toBeLessThan(5 * Math.sqrt(96 / N));
  });

  it("follow the normal CDF: χ² over 50 equiprobable bins of Φ(z)", () => {
    const rng = new RandomStream(31337, 11);
    const counts = new Float64Array(50);
    for (let i = 0; i < N; i++) counts[Math.min(49, Math.floor(normalCdf(rng.nextNormal()) * 50))]++;
    const expected = N / 50;
    let chi2 = 0;
    for (const c of counts) chi2 += (c - expected) ** 2 / expected;
    expect(chiSquareUpper(chi2, 49)).toBeGreaterThan(1e-6);
  });

  it("are uncorrelated between neighbouring streams and between the two halves of a Box–Muller pair", () => {
    const a = new RandomStream(5, 100);
    const b = new RandomStream(5, 101);
    const n = 50_000;
    let cross = 0;
    let pair = 0;
    for (let i = 0; i < n; i++) {
      cross += a.nextNormal() * b.nextNormal();
      pair += b.nextNormal() * b.nextNormal();
    }
    // Each sum of n products of independent N(0,1) has sd √n; 5 sd.
    expect(Math.abs(cross / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(pair / n)).toBeLessThan(5 / Math.sqrt(n));
  });
});

describe("RandomStream streams", () => {
  it("depend only on (seed, stream): reset gives the same numbers as a fresh stream, whatever came before", () => {
    const fresh = new RandomStream(42, 17).fillNormal(new Float64Array(25));
    const reused = new RandomStream(42, 3);
    reused.fillNormal(new Float64Array(13)); // leave it mid-block and mid-pair
    reused.reset(17);
    expect(Array.from(reused.fillNormal(new Float64Array(25)))).toEqual(Array.from(fresh));
  });

  it("draw the words of Philox blocks (seed, stream, block) in order, whichever method takes them", () => {
    // The definition, written out: words of block b are philox4x32(b, 0, stream, 0, seed, 0); a uniform takes the
    // top 27 bits of one word and 26 of the next; a normal pair is Box–Muller (cos first, then sin).
    const seed = 42;
    const stream = 9;
    const words: number[] = [];
    for (let b = 0; b < 40; b++) words.push(...philox4x32(b, 0, stream, 0, seed, 0, new Uint32Array(4)));
    let w = 0;
    const uniform = () => {
      const a = (words[w++] as number) >>> 5;
      return (a * 67108864 + ((words[w++] as number) >>> 6) + 0.5) / 2 ** 53;
    };
    const pair = () => {
      const r = Math.sqrt(-2 * Math.log(uniform()));
      const angle = 2 * Math.PI * uniform();
      return [r * Math.cos(angle), r * Math.sin(angle)] as const;
    };
    const expected: number[] = [words[w++] as number, uniform()];
    for (let k = 0; k < 3; k++) expected.push(...pair());
    const [n7, n8] = pair();
    expected.push(n7, uniform(), n8);
    // The same numbers through every method, mixed: a uint32 then a uniform (mid-block), a normal, a fill at an
    // offset that starts with the spare, a fill of a whole pair, a fill that leaves a spare, a uniform (drawn from
    // the words after that pair) and the spare.
    const rng = new RandomStream(seed, stream);
    const got: number[] = [rng.nextUint32(), rng.nextUniform(), rng.nextNormal()];
    got.push(...rng.fillNormal(new Float64Array(4), 1, 3).subarray(1));
    got.push(...rng.fillNormal(new Float64Array(2)), ...rng.fillNormal(new Float64Array(1)));
    got.push(rng.nextUniform(), rng.nextNormal());
    expect(got).toEqual(expected);
  });

  it("differ between seeds and between streams", () => {
    const x = new RandomStream(1, 0).nextUint32();
    expect(new RandomStream(2, 0).nextUint32()).not.toBe(x);
    expect(new RandomStream(1, 1).nextUint32()).not.toBe(x);
  });

  it("use the high word of large seeds and stream numbers", () => {
    const lo = new RandomStream(5, 0).nextUint32();
    expect(new RandomStream(5 + 2 ** 32, 0).nextUint32()).not.toBe(lo);
    expect(new RandomStream(5, 2 ** 32).nextUint32()).not.toBe(lo);
  });

  it("reject seeds that are not non-negative safe integers", () => {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) expect(() => checkSeed(bad)).toThrow(SpruceError);
  });
});
