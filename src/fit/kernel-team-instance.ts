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
  /** Stop the helper (resolves when its thread has exited); the engine keeps working on this thread alone. */
  release(): Promise<void>;
}

/** The threads build's instance of this thread, with its team block and the helper workspace. */
interface TeamInstance {
  kernels: KernelExports;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  team: number;
  workspace: number;
  /** Resolves when the last helper started on this team has exited (one helper per team block at a time). */
  idle: Promise<void>;
}

// One instance per thread, made on the first large fit (as src/fit/wasm-engine.ts keeps one of the plain build).
let instance: Promise<TeamInstance | null> | undefined;

async function makeInstance(): Promise<TeamInstance | null> {
  const module = await compileThreadedKernels();
  if (!module) return null;
  const { kernels, memory } = instantiateThreadedKernels(module);
  const team = kernels.alloc(kernels.kernelTeamBytes());
  // The workspace's packed panels are read as v128: 16-byte aligned.
  const workspace = (kernels.alloc(kernels.kernelWorkspaceBytes() + 16) + 15) & ~15;
  return { kernels, module, memory, team, workspace, idle: Promise.resolve() };
}

/** A team for a fit of `buffers`, or null when the model is too small for one or helpers cannot run here. */
export async function startFitTeam(buffers: Pick<DesignBuffers, "terms" | "p">): Promise<FitTeam | null> {
  if (denseBlockOrder(buffers) < TEAM_DENSE_BLOCK || !kernelHelpersAvailable()) return null;
  instance ??= makeInstance();
  const inst = await instance;
  if (!inst) return null;
  await inst.idle;
  inst.kernels.kernelTeamInit(inst.team, inst.workspace);
  const helper = startKernelHelper(inst.kernels, inst.module, inst.memory, inst.team);
  let stopped: Promise<void> | undefined;
  const release = (): Promise<void> => {
    stopped ??= helper.stop();
    return stopped;
  };
  inst.idle = new Promise<void>((resolve) => {
    helper.exited.then(resolve);
  });
  return { kernels: inst.kernels, team: inst.team, release };
}
