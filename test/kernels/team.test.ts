/**
 * The kernel team (assembly/linalg/team.ts, src/wasm/kernel-team.ts): the tiled dense kernels with a helper thread
 * sharing their products give the single-threaded results to the last bit, on sizes around the panel and block
 * widths (128) and with a leading dimension larger than the matrix; a team whose helper has not joined, or has
 * stopped, leaves all the work to the caller; and a fit with a team equals the fit without one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { designBuffers } from "../../src/design/types.js";
import { denseBlockOrder } from "../../src/fit/blocked-layout.js";
import { fit } from "../../src/fit/fit.js";
import { startFitTeam, TEAM_DENSE_BLOCK } from "../../src/fit/kernel-team-instance.js";
import { createWasmEngine } from "../../src/fit/wasm-engine.js";
import { type KernelHelper, kernelHelpersAvailable, startKernelHelper } from "../../src/wasm/kernel-team.js";
import {
  compileKernels,
  compileThreadedKernels,
  instantiateKernels,
  instantiateThreadedKernels,
  type KernelExports,
} from "../../src/wasm/load.js";

const SIZES = [129, 257, 300, 523];

let k: KernelExports;
let module: WebAssembly.Module;
let memory: WebAssembly.Memory;
let team: number;
let helper: KernelHelper;

/** A fresh team block with its helper workspace. */
function newTeam(): number {
  const block = k.alloc(k.kernelTeamBytes());
  k.kernelTeamInit(block, (k.alloc(k.kernelWorkspaceBytes() + 16) + 15) & ~15);
  return block;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

beforeAll(async () => {
  const compiled = await compileThreadedKernels();
  if (!compiled) throw new Error("no threads build of the kernels in this runtime");
  module = compiled;
  ({ kernels: k, memory } = instantiateThreadedKernels(module));
  team = newTeam();
  helper = startKernelHelper(k, module, memory, team);
  await until(() => k.kernelTeamServing(team) === 1, "the helper to join");
});

afterAll(async () => {
  helper?.stop();
  await helper?.exited;
});

/** Deterministic uniform(−0.5, 0.5) stream. */
function uniform(seed: number): () => number {
  let s = (seed * 2654435761) >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

/** An SPD n×n matrix (diagonally dominant), lower triangle in column-major storage with leading dimension ld. */
function spdLower(n: number, ld: number, seed: number): Float64Array {
  const r = uniform(seed);
  const a = new Float64Array(ld * n).fill(-7.25);
  for (let j = 0; j < n; j++) for (let i = j; i < n; i++) a[i + j * ld] = i === j ? n : r();
  return a;
}

/** Run `kernel` on a heap copy of `a` and return what it left there (padding included). */
function onHeap(a: Float64Array, kernel: (ptr: number) => void): Float64Array {
  const ptr = k.alloc(a.length * 8);
  new Float64Array(memory.buffer, ptr, a.length).set(a);
  kernel(ptr);
  const out = Float64Array.from(new Float64Array(memory.buffer, ptr, a.length));
  k.free(ptr);
  return out;
}

/** The factor of an SPD matrix of order n with `team` is the one-thread factor, bit for bit. */
function expectFactorAsAlone(block: number, n: number, seed: number): void {
  const a = spdLower(n, n, seed);
  const alone = onHeap(a, (p) => k.denseCholesky(p, n, n, 0));
  expect(
    differing(
      alone,
      onHeap(a, (p) => k.denseCholesky(p, n, n, block)),
    ),
  ).toBe(0);
}

function differing(x: Float64Array, y: Float64Array): number {
  let count = 0;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) count++;
  return count;
}

describe("dense kernels shared with a helper thread", () => {
  for (const n of SIZES) {
    const ld = n + 3;
    it(`factor, invert and form (L Lᵀ)⁻¹ of order ${n} (ld ${ld}) exactly as one thread does`, () => {
      const a = spdLower(n, ld, n);
      const run = (t: number) =>
        onHeap(a, (p) => {
          expect(k.denseCholesky(p, n, ld, t)).toBe(0);
          k.denseLowerInverse(p, n, ld, t);
          k.denseLowerInvTransMul(p, n, ld, t);
        });
      const alone = run(0);
      const shared = run(team);
      expect(differing(alone, shared)).toBe(0);
      // Not a vacuous comparison: the result is (L Lᵀ)⁻¹, whose product with A is I on sampled columns.
      const sym = (m: Float64Array, i: number, j: number) => (i >= j ? m[i + j * ld]! : m[j + i * ld]!);
      for (const j of [0, n >> 1, n - 1]) {
        let err = 0;
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let p = 0; p < n; p++) s += sym(a, i, p) * sym(shared, p, j);
          err = Math.max(err, Math.abs(s - (i === j ? 1 : 0)));
        }
        expect(err).toBeLessThan(1e-12);
      }
    });
  }

  it("reports a non-positive pivot at the same column as one thread does", () => {
    const n = 300;
    const a = spdLower(n, n, 5);
    a[200 + 200 * n] = -1;
    const info = (t: number) => {
      let result = -1;
      onHeap(a, (p) => {
        result = k.denseCholesky(p, n, n, t);
      });
      return result;
    };
    expect(info(team)).toBe(201);
    expect(info(0)).toBe(201);
  });

  it("a team whose helper has not joined leaves the work to the caller (no wait)", () => {
    const idle = newTeam();
    expect(k.kernelTeamServing(idle)).toBe(0);
    expectFactorAsAlone(idle, 257, 3);
  });

  it("a stopped helper exits, and the kernels go on alone", async () => {
    const block = newTeam();
    const second = startKernelHelper(k, module, memory, block);
    await until(() => k.kernelTeamServing(block) === 1, "the second helper to join");
    second.stop();
    await second.exited;
    expect(k.kernelTeamServing(block)).toBe(0);
    expectFactorAsAlone(block, 300, 9);
  });

  it("a helper left idle leaves by itself, and a task posted meanwhile is done by the caller", async () => {
    const block = newTeam();
    const idle = startKernelHelper(k, module, memory, block);
    await until(() => k.kernelTeamServing(block) === 1, "the helper to join");
    await idle.exited;
    expect(k.kernelTeamServing(block)).toBe(0);
    expectFactorAsAlone(block, 300, 11);
  });

  it("a helper stopped before it joined never joins", async () => {
    const block = newTeam();
    const early = startKernelHelper(k, module, memory, block);
    early.stop();
    await early.exited;
    expect(k.kernelTeamServing(block)).toBe(0);
  });
});

describe("a fit with a team", () => {
  it(`equals the single-threaded fit (crossed factors, dense block of order ≥ ${TEAM_DENSE_BLOCK})`, async () => {
    // y ~ x + (1|a) + (1|b): 1000 levels of a with 16 observations each, crossed with 800 levels of b, so the
    // dense block (b's levels, the fixed effects and y) has order 803.
    const n = 16000;
    const r = uniform(77);
    const a: string[] = [];
    const b: string[] = [];
    const x: number[] = [];
    const y: number[] = [];
    const effA = Array.from({ length: 1000 }, () => r());
    const effB = Array.from({ length: 800 }, () => r());
    for (let i = 0; i < n; i++) {
      const ia = i % 1000;
      const ib = Math.floor((r() + 0.5) * 800) % 800;
      a.push(`a${ia}`);
      b.push(`b${ib}`);
      x.push(r());
      y.push(0.5 * x[i]! + effA[ia]! + 0.7 * effB[ib]! + r());
    }
    const data = { a, b, x, y };
    const formula = "y ~ x + (1|a) + (1|b)";
    const plain = instantiateKernels(await compileKernels());
    const alone = await fit(formula, data, {
      REML: false,
      engine: (buffers) => createWasmEngine(plain, buffers),
    });
    const teamed = await fit(formula, data, { REML: false });
    expect(teamed.deviance()).toBe(alone.deviance());
    expect(Array.from(teamed.theta)).toEqual(Array.from(alone.theta));
    expect(teamed.fixef()).toEqual(alone.fixef());
    // The fit above did have a team: its dense block is large enough, and helpers run here.
    const buffers = designBuffers(buildDesign(formula, data));
    expect(denseBlockOrder(buffers)).toBeGreaterThanOrEqual(TEAM_DENSE_BLOCK);
    expect(kernelHelpersAvailable()).toBe(true);
    // The next large fit finds the same helper (it lingers after a fit) instead of starting another.
    const first = await startFitTeam(buffers);
    if (!first) throw new Error("no team for a large fit");
    await until(() => first.kernels.kernelTeamServing(first.team) === 1, "the fit's helper to serve");
    const second = await startFitTeam(buffers);
    expect(second?.team).toBe(first.team);
  });
});
