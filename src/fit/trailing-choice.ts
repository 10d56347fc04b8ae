/**
 * What a fit decides about the trailing block before it builds the engine: whether the model is within the size
 * limits (src/validate/limits.ts), and, for a block large enough to share with a helper thread
 * (./kernel-team-instance.ts), which factor the engine will use — a helper shares the dense kernels only, so a
 * block that factors sparse gets none. Before, star (order 1,462, sparse) started a helper on every fit whose
 * lingering one had left: 30–40 ms of the other core's time on a 75 ms fit, and the engine on the threads build.
 *
 * The layout and plan made here are handed to the engine (EngineOptions.layout, WasmEngineOptions.plan), which
 * then neither builds nor plans again.
 */
import type { DesignBuffers } from "../design/types.js";
import { thetaLowerBounds } from "../design/types.js";
import { checkModelSize } from "../validate/limits.js";
import type { KernelExports } from "../wasm/load.js";
import { type BlockedLayout, buildBlockedLayout, denseBlockOrder } from "./blocked-layout.js";
import { TEAM_DENSE_BLOCK } from "./kernel-team-instance.js";
import { planSparseTrailing, type SparseTrailingPlan, sparsePlanWithin } from "./sparse-trailing/plan.js";

export interface TrailingChoice {
  /** The layout, when the choice needed one (absent: the engine builds its own). */
  layout?: BlockedLayout;
  /** The factor chosen: a sparse plan, null for the dense factor, absent when left to the engine. */
  plan?: SparseTrailingPlan | null;
  /** Whether a helper thread would share the work: a large block that factors dense. */
  wantsTeam: boolean;
}

/**
 * The choice for a fit of `buffers` under the size limits (a model above them that does not factor sparse within
 * them is refused here, with its size); the search for a fill-reducing order runs on `kernels`. engineGiven: the
 * caller brought its own engine, which decides for itself.
 */
export function chooseTrailing(
  kernels: KernelExports,
  buffers: DesignBuffers,
  limits: { maxDenseBlock?: number | undefined; maxTheta?: number | undefined },
  engineGiven: boolean,
): TrailingChoice {
  const order = denseBlockOrder(buffers);
  let layout: BlockedLayout | undefined;
  const layoutOf = (): BlockedLayout => {
    layout ??= buildBlockedLayout(buffers, { sparseCheck: false });
    return layout;
  };
  // A block above the limit that factors sparse within it comes with its plan.
  const sized = checkModelSize(order, thetaLowerBounds(buffers).length, limits, (maxOrder) =>
    sparsePlanWithin(kernels, layoutOf(), maxOrder),
  );
  if (sized) return { layout: layoutOf(), plan: sized, wantsTeam: false };
  if (engineGiven || order < TEAM_DENSE_BLOCK)
    return layout ? { layout, wantsTeam: false } : { wantsTeam: false };
  const plan = planSparseTrailing(kernels, layoutOf(), "auto");
  return { layout: layoutOf(), plan, wantsTeam: plan === null };
}
