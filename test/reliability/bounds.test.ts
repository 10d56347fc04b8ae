/**
 * Issue 18, case 9: bounded by design: nsim capped (raisable), a p-value never from zero replicates, abort within a
 * second, workers capped at the cores, files read with limits, and models too large refused up front with a size.
 */
import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { formatBootstrap } from "../../src/cli/commands/boot.js";
import { DataError, ModelError } from "../../src/errors.js";
import { fit } from "../../src/fit/fit.js";
import { readCsv } from "../../src/frame/csv.js";
import { bootstrapLRT, bootstrapLrtJson } from "../../src/inference/bootstrap.js";
import { rng } from "../engine/random-designs.js";
import { spruce } from "./support.js";

const sleep = readCsv("examples/sleepstudy.csv");

async function models() {
  const m0 = await fit("Reaction ~ Days + (1|Subject)", sleep, { REML: false });
  const m1 = await fit("Reaction ~ Days + (Days|Subject)", sleep, { REML: false });
  return { m0, m1 };
}

describe("9. bounds", () => {
  it("--nsim 1000000000 is refused at once with the limit and the flag that raises it", () => {
    const r = spruce([
      "boot",
      "examples/sitka.csv",
      "size ~ time + (1|tree)",
      "size ~ time*treat + (1|tree)",
      "--nsim",
      "1000000000",
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("boot: nsim = 1000000000 is above the limit of 100000 replicates");
    expect(r.stderr).toContain("raise it with maxNsim (CLI --max-nsim)");
    expect(r.ms).toBeLessThan(10_000);
  });

  it("the API refuses nsim above maxNsim, and accepts it when raised", async () => {
    const { m0, m1 } = await models();
    await expect(bootstrapLRT(m0, m1, { nsim: 100_001, workers: 0 })).rejects.toThrow(ModelError);
    await expect(bootstrapLRT(m0, m1, { nsim: 5, maxNsim: 4, workers: 0 })).rejects.toThrow(
      "bootstrapLRT: nsim = 5 is above the limit of 4 replicates",
    );
    const ok = await bootstrapLRT(m0, m1, { nsim: 5, maxNsim: 5, workers: 0, seed: 1 });
    expect(ok.valid).toBe(5);
  });

  it("no p-value from zero replicates: 'no replicates completed' (was: p 1.000 from 0 replicates)", async () => {
    const { m0, m1 } = await models();
    const controller = new AbortController();
    controller.abort();
    const r = await bootstrapLRT(m0, m1, { nsim: 100, workers: 0, signal: controller.signal, seed: 1 });
    expect(r.completed).toBe(0);
    expect(r.valid).toBe(0);
    expect(r.pBootstrap).toBeNaN();
    expect(r.messages).toContain("no replicates completed: no bootstrap p-value");
    expect(bootstrapLrtJson(r).pBootstrap).toBeNull();
    expect(formatBootstrap(r)).toContain("p (bootstrap)          none: no replicates completed");
    expect(formatBootstrap(r)).not.toMatch(/p \(bootstrap\)\s+[\d.]/);
  });

  it("an abort mid-run returns within a second", async () => {
    const { m0, m1 } = await models();
    const controller = new AbortController();
    let abortedAt = 0;
    const r = await bootstrapLRT(m0, m1, {
      nsim: 20_000,
      workers: 1,
      seed: 3,
      signal: controller.signal,
      onProgress: (done) => {
        if (done >= 64 && abortedAt === 0) {
          abortedAt = performance.now();
          controller.abort();
        }
      },
    });
    const lag = performance.now() - abortedAt;
    expect(r.partial).toBe(true);
    expect(r.completed).toBeLessThan(20_000);
    expect(lag).toBeLessThan(1000);
  });

  it("workers are capped at the cores unless forced", async () => {
    const { m0, m1 } = await models();
    const cores = availableParallelism();
    const r = await bootstrapLRT(m0, m1, { nsim: 4, workers: cores + 298, seed: 1 });
    expect(r.workers).toBe(cores);
    expect(r.messages).toContain(
      `${cores + 298} workers asked for on ${cores} cores: using ${cores} (forceWorkers / --force-workers to insist)`,
    );
  });

  it("/dev/zero is refused (not a regular file), and files above maxBytes", () => {
    expect(() => readCsv("/dev/zero")).toThrow(DataError);
    expect(() => readCsv("/dev/zero")).toThrow(
      "cannot read /dev/zero: not a regular file (a device, pipe or socket)",
    );
    expect(() => readCsv("examples/sitka.csv", { maxBytes: 1000 })).toThrow(
      /bytes is more than the limit of 1000/,
    );
    const r = spruce(["fit", "/dev/zero", "y ~ x + (1|g)"], 20_000);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("not a regular file");
    // InstEval's CSV is 2.5 MB: above a 1 MiB --max-file-mb.
    const big = spruce([
      "fit",
      "test/fixtures/scale/data/insteval.csv",
      "y ~ 1 + (1|s)",
      "--max-file-mb",
      "1",
    ]);
    expect(big.status).toBe(2);
    expect(big.stderr).toMatch(/cannot read .*insteval\.csv: \d+ bytes is more than the limit of 1048576/);
  });

  it("~12,500 covariance parameters (a 158-column term) are refused up front with the size (was: minutes without a word)", async () => {
    const k = 157;
    const cols: Record<string, number[]> = { y: [], g: [] };
    for (let j = 0; j < k; j++) cols[`x${j}`] = [];
    for (let i = 0; i < 400; i++) {
      cols.y?.push(Math.sin(i));
      cols.g?.push(i % 2);
      for (let j = 0; j < k; j++) cols[`x${j}`]?.push(Math.cos(i * (j + 1)));
    }
    const formula = `y ~ 1 + (${Array.from({ length: k }, (_, j) => `x${j}`).join(" + ")} | g)`;
    const t0 = performance.now();
    await expect(fit(formula, cols)).rejects.toThrow(
      "the model has 12561 covariance parameters (θ), above the limit of 1000",
    );
    await expect(fit(formula, cols)).rejects.toThrow("raise the limit with maxTheta (CLI --max-theta)");
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it("a 6000 × 6000 crossed design that fills in is refused up front with its dense block; maxDenseBlock raises the limit", async () => {
    // Five b levels per a level, at random after the first 6000 rows (which use every level once): eliminating a
    // joins them, and the b block fills in (a sparse factor would cost about what the dense one does), so the size
    // limit applies to its order.
    const d = { y: [] as number[], a: [] as number[], b: [] as number[] };
    const uniform = rng(99);
    for (let i = 0; i < 30_000; i++) {
      d.y.push(Math.sin(i) + (i % 7));
      d.a.push(Math.floor(i / 5));
      d.b.push(i < 6000 ? i : Math.floor(uniform() * 6000));
    }
    const t0 = performance.now();
    await expect(fit("y ~ 1 + (1|a) + (1|b)", d)).rejects.toThrow(
      /the model's dense block has order 600\d, above the limit of 4000: each evaluation factors a 600\d×600\d matrix \(27\d\.\d MiB, about 7\d GFlop/,
    );
    expect(performance.now() - t0).toBeLessThan(20_000);
    await expect(fit("y ~ 1 + (1|a) + (1|b)", d, { maxDenseBlock: 10 })).rejects.toThrow(
      "above the limit of 10",
    );
  });

  it("a large crossed design whose factor stays sparse is measured by what its factor costs, not by its order", async () => {
    // Two observations per a level: the b levels form cycles, and the sparse factor of the b block hardly fills.
    const d = { y: [] as number[], a: [] as number[], b: [] as number[] };
    for (let i = 0; i < 1200; i++) {
      d.y.push(Math.sin(i) + (i % 7));
      d.a.push(i % 600);
      d.b.push((i * 7 + Math.floor(i / 600)) % 600);
    }
    // Order 602 against a limit of 500: fitted, with the numbers of the same fit under a limit that admits the order.
    const small = await fit("y ~ 1 + (1|a) + (1|b)", d, { maxDenseBlock: 500 });
    const roomy = await fit("y ~ 1 + (1|a) + (1|b)", d, { maxDenseBlock: 1000 });
    expect(small.objective).toBe(roomy.objective);
    expect(Array.from(small.theta)).toEqual(Array.from(roomy.theta));
    // Its sparse factor still costs more than a dense block of order 10 does.
    await expect(fit("y ~ 1 + (1|a) + (1|b)", d, { maxDenseBlock: 10 })).rejects.toThrow(
      "the model's dense block has order 602, above the limit of 10",
    );
  });

  it("long fits report progress: onProgress gets every evaluation", async () => {
    const seen: number[] = [];
    const m = await fit("Reaction ~ Days + (Days|Subject)", sleep, { onProgress: (k) => seen.push(k) });
    expect(seen.length).toBeGreaterThan(3);
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i + 1));
    expect(m.optimizer.evaluations).toBeGreaterThanOrEqual(seen.length);
  });
});

describe("9. Ctrl-C on the command line", () => {
  it("SIGINT during spruce boot stops within a second with the partial result (was: 62 s)", async () => {
    const { spawn } = await import("node:child_process");
    const child = spawn(process.execPath, [
      "dist/cli/main.js",
      "boot",
      "examples/sitka.csv",
      "size ~ time + (1|tree)",
      "size ~ time*treat + (1|tree)",
      "--nsim",
      "100000",
      "--workers",
      "1",
      "--seed",
      "1",
    ]);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => {
      stdout += String(c);
    });
    child.stderr.on("data", (c) => {
      stderr += String(c);
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    // Long enough for the fits and the first replicates (the machine may be busy).
    await new Promise((resolve) => setTimeout(resolve, 6000));
    const t0 = performance.now();
    child.kill("SIGINT");
    const code = await exited;
    const lag = performance.now() - t0;
    expect(stderr).not.toMatch(/internal error/);
    expect(lag).toBeLessThan(1500);
    expect(stdout).toMatch(/of 100000 replicates, stopped early, seed 1\)/);
    // Either some replicates finished (a p-value from them) or none did (no p-value, exit 3).
    if (/B = \d+/.test(stdout)) expect(code).toBe(0);
    else {
      expect(stdout).toContain("no replicates completed");
      expect(code).toBe(3);
    }
  }, 30_000);
});
