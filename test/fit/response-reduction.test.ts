/**
 * The reduced-response wrapper (src/fit/response-reduction.ts) hands its inner engine y − Xβ₀ in one of two arrays
 * of its own, taking turns: the array the inner engine holds (its buffers.y) must never be written afterwards,
 * also not by a call that the inner engine refuses; and its β₀ (which solve adds to β̂) is that of the response the
 * inner engine holds.
 */
import { describe, expect, it } from "vitest";
import type { DesignBuffers } from "../../src/design/types.js";
import type { PlsEngine } from "../../src/fit/engine.js";
import { createReducedEngine, innerEngine } from "../../src/fit/response-reduction.js";

/** An inner engine that only keeps what it is given, and refuses a non-finite response as the wasm engine does. */
function recordingEngine(buffers: DesignBuffers): PlsEngine {
  const own: DesignBuffers = { ...buffers };
  const fail = (): never => {
    throw new Error("not used here");
  };
  return {
    buffers: own,
    nTheta: 1,
    setResponse(y: Float64Array): void {
      if (!y.every(Number.isFinite)) throw new Error("response is not finite");
      own.y = y;
    },
    setWeights: fail,
    objective: fail,
    gradient: fail,
    // β' = 0: the wrapper's β̂ is then its β₀ alone.
    solve: () => ({ beta: new Float64Array(buffers.p) }) as unknown as ReturnType<PlsEngine["solve"]>,
    condVar: fail,
    dispose() {},
  };
}

describe("reduced-response engine", () => {
  const n = 6;
  // An intercept and a slope: y − Xβ₀ is the residual of the straight-line fit.
  const X = Float64Array.from([1, 1, 1, 1, 1, 1, 0, 1, 2, 3, 4, 5]);
  const buffers: DesignBuffers = { n, p: 2, X, y: Float64Array.from([1, 3, 2, 5, 4, 6]), terms: [] };
  const residual = (y: number[]): number[] => {
    const xbar = 2.5;
    const ybar = y.reduce((s, v) => s + v, 0) / n;
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < n; i++) {
      sxy += (i - xbar) * ((y[i] as number) - ybar);
      sxx += (i - xbar) ** 2;
    }
    const slope = sxy / sxx;
    return y.map((v, i) => v - ybar - slope * (i - xbar));
  };

  it("gives the inner engine y − Xβ₀ each time, and never writes the array it holds", () => {
    const engine = createReducedEngine(buffers, recordingEngine);
    const inner = innerEngine(engine);
    const responses = [
      [2, 1, 4, 3, 6, 5],
      [0, 0, 1, 0, 0, 7],
      [5, 4, 3, 2, 1, 0],
    ];
    for (const y of responses) {
      engine.setResponse(Float64Array.from(y));
      const held = inner.buffers.y;
      const copy = Array.from(held);
      residual(y).forEach((r, i) => {
        expect(held[i]).toBeCloseTo(r, 12);
      });
      // A refused response leaves the inner engine with the array it held, unchanged.
      const bad = Float64Array.from(y);
      bad[2] = Number.NaN;
      expect(() => engine.setResponse(bad)).toThrow(/not finite/);
      expect(inner.buffers.y).toBe(held);
      expect(Array.from(inner.buffers.y)).toEqual(copy);
    }
  });

  it("solves with the β₀ of the response the inner engine holds, also after a refused one", () => {
    const engine = createReducedEngine(buffers, recordingEngine);
    const line = (y: number[]): [number, number] => {
      // Least-squares intercept and slope, from the residuals the straight-line fit leaves.
      const r = residual(y);
      const slope = ((y[5] as number) - (r[5] as number) - ((y[0] as number) - (r[0] as number))) / 5;
      return [(y[0] as number) - (r[0] as number), slope];
    };
    const first = [2, 1, 4, 3, 6, 5];
    engine.setResponse(Float64Array.from(first));
    const beta = engine.solve(new Float64Array(1), true).beta;
    line(first).forEach((b, j) => {
      expect(beta[j]).toBeCloseTo(b, 12);
    });
    const bad = Float64Array.from([9, 9, Number.NaN, 9, 9, 9]);
    expect(() => engine.setResponse(bad)).toThrow(/not finite/);
    const again = engine.solve(new Float64Array(1), true).beta;
    expect(Array.from(again)).toEqual(Array.from(beta));
    // A later response changes later solutions, never a β̂ already returned.
    const second = [0, 0, 1, 0, 0, 7];
    engine.setResponse(Float64Array.from(second));
    const next = engine.solve(new Float64Array(1), true).beta;
    line(second).forEach((b, j) => {
      expect(next[j]).toBeCloseTo(b, 12);
    });
    expect(Array.from(beta)).toEqual(Array.from(again));
  });

  it("hands over a different array from the one the inner engine holds", () => {
    const engine = createReducedEngine(buffers, recordingEngine);
    const inner = innerEngine(engine);
    engine.setResponse(Float64Array.from([1, 2, 3, 4, 5, 7]));
    const first = inner.buffers.y;
    engine.setResponse(Float64Array.from([7, 5, 4, 3, 2, 1]));
    expect(inner.buffers.y).not.toBe(first);
  });
});
