/**
 * pbeta and the Clopper–Pearson interval against R 4.2 (binom.test, pbeta; test/fixtures/power/binom_test.R made
 * the JSON), and qbeta as pbeta's inverse.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { clopperPearson, pbeta, qbeta } from "../../src/distributions/beta.js";

const ref = JSON.parse(
  readFileSync(new URL("../fixtures/power/binom_test.json", import.meta.url), "utf8"),
) as {
  intervals: { x: number; n: number; lower95: number; upper95: number; lower90: number; upper90: number }[];
  pbeta: { x: number; a: number; b: number; p: number }[];
};

function close(a: number, b: number, rel: number): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(Math.abs(b), 1e-300) + 1e-15);
}

describe("beta distribution and binomial intervals", () => {
  it("pbeta matches R to 1e-12 relative", () => {
    for (const c of ref.pbeta) close(pbeta(c.x, c.a, c.b), c.p, 1e-12);
  });

  it("Clopper–Pearson 95% and 90% intervals match R's binom.test to 1e-10 relative", () => {
    for (const c of ref.intervals) {
      const [l95, u95] = clopperPearson(c.x, c.n);
      const [l90, u90] = clopperPearson(c.x, c.n, 0.9);
      close(l95, c.lower95, 1e-10);
      close(u95, c.upper95, 1e-10);
      close(l90, c.lower90, 1e-10);
      close(u90, c.upper90, 1e-10);
    }
  });

  it("qbeta inverts pbeta; invalid counts give NaN", () => {
    for (const [p, a, b] of [
      [0.025, 3, 8],
      [0.5, 0.5, 0.5],
      [0.975, 120, 40],
    ] as const)
      close(pbeta(qbeta(p, a, b), a, b), p, 1e-12);
    expect(clopperPearson(3, 2)[0]).toBeNaN();
    expect(clopperPearson(1, 0)[1]).toBeNaN();
  });
});
