/**
 * Limits that keep a run bounded, each with the option (and CLI flag) that raises it. Documented in README.md
 * ("Limits"). Above a limit the run is refused before it starts, with the estimate that exceeded it.
 */
import { ModelError } from "../errors.js";

/** Bootstrap replicates accepted without `maxNsim` (CLI --max-nsim): 32 bytes and ~1 ms each. */
export const MAX_NSIM_DEFAULT = 100_000;

/**
 * Order of the dense block of the factorisation (CLI --max-dense-block): memory and time grow as its 2nd/3rd power.
 * A larger block whose sparse factor costs no more than one of this order is fitted.
 */
export const MAX_DENSE_BLOCK_DEFAULT = 4000;

/** Covariance parameters θ (CLI --max-theta): the optimiser keeps a θ×θ curvature matrix. */
export const MAX_THETA_DEFAULT = 1000;

/** Largest CSV file read without `maxBytes` (CLI --max-file-mb). */
export const MAX_FILE_BYTES_DEFAULT = 1024 * 1024 * 1024;

/** Refuse nsim above the limit, saying how to raise it. */
export function checkNsimLimit(what: string, nsim: number, limit = MAX_NSIM_DEFAULT): void {
  if (nsim > limit)
    throw new ModelError(
      `${what}: nsim = ${nsim} is above the limit of ${limit} replicates (${formatBytes(nsim * 32)} of results ` +
        `and about ${Math.round(nsim / 1000)} s per 1000 replicates per core); raise it with maxNsim (CLI --max-nsim) if you mean it`,
    );
}

/**
 * The size of a model before it is fitted, and a refusal above the limits. `sparsePlan(maxOrder)`: for a dense block
 * above the limit, the plan of a sparse factor that costs no more than a dense block at the limit, or null. Such a
 * block is fitted, and its plan returned (null otherwise) for the engine to use.
 */
export function checkModelSize<Plan>(
  denseBlock: number,
  nTheta: number,
  limits: { maxDenseBlock?: number | undefined; maxTheta?: number | undefined } = {},
  sparsePlan?: (maxOrder: number) => Plan | null,
): Plan | null {
  const maxDense = limits.maxDenseBlock ?? MAX_DENSE_BLOCK_DEFAULT;
  const maxTheta = limits.maxTheta ?? MAX_THETA_DEFAULT;
  if (nTheta > maxTheta)
    throw new ModelError(
      `the model has ${nTheta} covariance parameters (θ), above the limit of ${maxTheta}: the optimiser would need ` +
        `a ${nTheta}×${nTheta} curvature matrix (${formatBytes(8 * nTheta * nTheta)}) and hours; simplify the ` +
        "random effects (fewer columns per term, or (x||g) for uncorrelated ones), or raise the limit with maxTheta (CLI --max-theta)",
    );
  if (denseBlock > maxDense) {
    // A large block may still factor sparse, at no more than the limit's cost (src/fit/sparse-trailing/plan.ts).
    const plan = sparsePlan?.(maxDense);
    if (plan) return plan;
    const gflop = denseBlock ** 3 / 3 / 1e9;
    throw new ModelError(
      `the model's dense block has order ${denseBlock}, above the limit of ${maxDense}: each evaluation factors a ` +
        `${denseBlock}×${denseBlock} matrix (${formatBytes(8 * denseBlock * denseBlock)}, about ${gflop.toFixed(0)} GFlop, ` +
        "and a fit needs tens of evaluations); raise the limit with maxDenseBlock (CLI --max-dense-block) if you mean it",
    );
  }
  return null;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${Math.ceil(bytes / 1024)} KiB`;
}
