/**
 * The kernel team of a fit (assembly/linalg/team.ts, src/wasm/kernel-team.ts): for a model whose dense block is
 * large (order ≥ TEAM_DENSE_BLOCK), the engine is built on this thread's instance of the threads build of the
 * kernels (a shared memory), and a helper thread joins its team for the duration of the fit. The dense
 * factorisations and inverses then run on two cores; the numbers are the same to the last bit.
 *
 * Where helpers cannot run (a browser; a program that chose its own kernels) there is no team and the engine is
 * the usual single-threaded one.
 */
import type { DesignBuffers } from "../design/types.js";
import { kernelHelpersAvailable, startKernelHelper } from "../wasm/kernel-team.js";
import { compileThreadedKernels, instantiateThreadedKernels, type KernelExports } from "../wasm/load.js";
import { denseBlockOrder } from "./blocked-layout.js";

/**
 * From this order of the dense block on, a fit gets a team. One factorisation of order 384 is about 19 million
 * multiply-adds (1 ms); starting the helper costs the calling thread about a millisecond and the helper's core
 * 20–30 ms while the fit sets up.
 */
export const TEAM_DENSE_BLOCK = 384;

/** A fit's team: the kernels to build its engine on, the team block's address, and release() at the fit's end. */
export interface FitTeam {
  kernels: KernelExports;
  team: number;
  /**
   * Ask the helper to stop; the engine keeps working on this thread alone. Returns at once (the helper's thread
   * ends on its own within a few milliseconds); `exited` resolves when it has.
   */
  release(): void;
  exited: Promise<void>;
}

/** A team block with its helper workspace; `busy` while a helper started on it has not exited. */
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
   * helper (which then helps whichever engine posts to it; only the calling thread posts). A fit starting while
   * the last helper is still exiting takes a new block instead of waiting.
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
  const block = freeBlock(inst);
  block.busy = true;
  inst.kernels.kernelTeamInit(block.team, block.workspace);
  const helper = startKernelHelper(inst.kernels, inst.module, inst.memory, block.team);
  const exited = helper.exited.then(() => {
    block.busy = false;
  });
  let released = false;
  return {
    kernels: inst.kernels,
    team: block.team,
    release(): void {
      if (released) return;
      released = true;
      helper.stop();
    },
    exited,
  };
}
