/**
 * The kernel team of a fit (assembly/linalg/team.ts, src/wasm/kernel-team.ts): for a model whose dense block is
 * large (order ≥ TEAM_DENSE_BLOCK), the engine is built on this thread's instance of the threads build of the
 * kernels (a shared memory), and a helper thread joins its team (or the last large fit's helper, still lingering,
 * serves it). The dense factorisations and inverses then run on two cores; the numbers are the same to the last
 * bit.
 *
 * Where helpers cannot run (a browser; a program that chose its own kernels) there is no team and the engine is
 * the usual single-threaded one.
 */
import type { DesignBuffers } from "../design/types.js";
import { kernelHelpersAvailable, startKernelHelper } from "../wasm/kernel-team.js";
import { compileThreadedKernels, instantiateThreadedKernels, type KernelExports } from "../wasm/load.js";
import { denseBlockOrder } from "./blocked-layout.js";

/**
 * From this order of the dense block on, a fit gets a team. Measured (fresh processes, third fit, a crossed
 * y ~ x + (1|a) + (1|b)): at order 420 a fit takes about 60 ms, the helper's start-up (30–40 ms on the other
 * core, and the first fit's compile of the threads build) costs more than the 1–2 ms factorisations it could
 * share (89–102 ms with a team against 61–63 ms without); at order 800 the two are even (186–188 against
 * 193–230 ms); at 1500 the team saves a quarter (456 against 626 ms), on InstEval's 1157 a fifth.
 */
export const TEAM_DENSE_BLOCK = 768;

/** A fit's team: the kernels to build its engine on and the team block's address. */
export interface FitTeam {
  kernels: KernelExports;
  team: number;
}

/** A team block with its helper workspace; `busy` while a helper started on it has not ended. */
interface TeamBlock {
  team: number;
  workspace: number;
  busy: boolean;
}

/** The threads build's instance of this thread, with its team blocks. */
interface TeamInstance {
  kernels: KernelExports;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /**
   * Never freed: an engine keeps its team's address for its life, so a block is only ever reused by another
   * helper (which then helps whichever engine posts to it; only the calling thread posts). A fit finds the last
   * fit's helper still serving (it lingers, src/wasm/kernel-team.ts) or starts one on a block whose helper has
   * ended, or on a new block.
   */
  blocks: TeamBlock[];
}

// One instance per thread, made on the first large fit (as src/fit/wasm-engine.ts keeps one of the plain build).
let instance: Promise<TeamInstance | null> | undefined;

async function makeInstance(): Promise<TeamInstance | null> {
  const module = await compileThreadedKernels();
  if (!module) return null;
  const { kernels, memory } = instantiateThreadedKernels(module);
  return { kernels, module, memory, blocks: [] };
}

function freeBlock(inst: TeamInstance): TeamBlock {
  const idle = inst.blocks.find((b) => !b.busy);
  if (idle) return idle;
  const { kernels } = inst;
  const block: TeamBlock = {
    team: kernels.alloc(kernels.kernelTeamBytes()),
    // The workspace's packed panels are read as v128: 16-byte aligned.
    workspace: (kernels.alloc(kernels.kernelWorkspaceBytes() + 16) + 15) & ~15,
    busy: false,
  };
  inst.blocks.push(block);
  return block;
}

/** A team for a fit of `buffers`, or null when the model is too small for one or helpers cannot run here. */
export async function startFitTeam(buffers: Pick<DesignBuffers, "terms" | "p">): Promise<FitTeam | null> {
  if (denseBlockOrder(buffers) < TEAM_DENSE_BLOCK || !kernelHelpersAvailable()) return null;
  instance ??= makeInstance();
  const inst = await instance;
  if (!inst) return null;
  const { kernels } = inst;
  // A lingering helper: if it leaves just now, the fit's kernels run alone (a team never waits for its helper).
  const serving = inst.blocks.find((b) => b.busy && kernels.kernelTeamServing(b.team) === 1);
  if (serving) return { kernels, team: serving.team };
  const block = freeBlock(inst);
  block.busy = true;
  kernels.kernelTeamInit(block.team, block.workspace);
  const helper = startKernelHelper(kernels, inst.module, inst.memory, block.team);
  helper.exited.then(() => {
    block.busy = false;
  });
  return { kernels, team: block.team };
}
