/**
 * The t and F tails behind the Satterthwaite and Kenward–Roger p-values, against R 4.2's pt, pf and pbeta
 * (values printed with options(digits = 17)), including a very small tail (relative accuracy kept) and
 * non-integer degrees of freedom.
 */
import { describe, expect, it } from "vitest";
import { fUpper, incompleteBeta, incompleteBetaUpper, tTwoSided } from "../../src/distributions/beta.js";

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe("t and F tails", () => {
  it("match R's 2·pt(−|t|, df)", () => {
    expect(rel(tTwoSided(2.5, 7.3), 0.039650234665600456)).toBeLessThan(1e-12);
    expect(rel(tTwoSided(-36.838, 17), 1.1710511931431387e-17)).toBeLessThan(1e-10);
    expect(rel(tTwoSided(0.01, 3.5), 0.99256471245192412)).toBeLessThan(1e-12);
    expect(rel(tTwoSided(3, Number.POSITIVE_INFINITY), 0.0026997960632601892)).toBeLessThan(1e-10);
  });

  it("match R's pf(F, df1, df2, lower.tail = FALSE)", () => {
    expect(rel(fUpper(3.2, 2, 45.5), 0.050084331671649766)).toBeLessThan(1e-12);
    expect(rel(fUpper(1128, 1, 77), 9.6192407861124165e-48)).toBeLessThan(1e-9);
    expect(rel(fUpper(0.3269, 1, 77), 0.56915555620767666)).toBeLessThan(1e-12);
    expect(rel(fUpper(0.05, 6, 2.2), 0.99795705007133517)).toBeLessThan(1e-12);
    expect(fUpper(0, 2, 3)).toBe(1);
    expect(Number.isNaN(fUpper(1, 0, 3))).toBe(true);
  });

  it("match R's pbeta", () => {
    expect(rel(incompleteBeta(0.3, 2.5, 0.5), 0.018927124071945644)).toBeLessThan(1e-12);
  });

  it("at the continued fraction's switch point x = (a + 1)/(a + b + 2) both tails match R (no mutual fallback)", () => {
    // R: pbeta(3/7, 2, 3) and pbeta(3/7, 2, 3, lower.tail = FALSE).
    expect(rel(incompleteBeta(3 / 7, 2, 3), 0.57351103706788853)).toBeLessThan(1e-12);
    expect(rel(incompleteBetaUpper(3 / 7, 2, 3), 0.42648896293211147)).toBeLessThan(1e-12);
  });
});
