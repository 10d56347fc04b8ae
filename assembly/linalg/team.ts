// The kernel team: the calling thread and one helper thread, on the same shared memory, split the dense kernels'
// O(n³) products. InstEval's 1157-order trailing block is factored six times and inverted three times per fit,
// over half of the fit; on two cores both halves run at once.
//
// A helper is a worker (src/wasm/kernel-team.ts) that instantiates this module on the engine's shared memory
// without running the module's start function, so it reaches memory only through the team block and the pointers
// posted in it, and packs with its own workspace (the block's HELPER_WS).
//
// Protocol, every flag an atomic i32 of the block: the caller writes a task and bumps POSTED; the helper (polling
// POSTED from JavaScript, then sleeping in Atomics.wait with a short timeout) calls kernelTeamRun, which runs the
// task and stores its generation in DONE. The caller does its own share meanwhile, then polls DONE. A helper that
// is not serving (still starting, or stopped) is given nothing: the caller runs the whole product itself, so a
// team never waits for a thread that is not there. Each share is a range of columns (gemm) or rows (triangular
// solve) computed exactly as the single-threaded kernel computes them, so the results do not depend on whether,
// or when, the helper joined.
//
// No memory.atomic.wait32 or notify in wasm: Node 20's baseline compiler (Liftoff) lost a local held across
// memory.atomic.wait32 (measured: a helper's workspace pointer became 0 and its products packed over address 0).
// The waiting is done by JavaScript's Atomics.wait between kernel calls, and the caller waits by polling: its
// wait is the difference between two equal shares.

import { GEMM_WORKSPACE_BYTES, GemmArgs, gemmRun, mainWorkspace, setGemmArgs } from "./dense_gemm";
import { trsmRightLowerT } from "./dense_trsm";

// Byte offsets in the team block: the three flags on separate cache lines, then the task.
const POSTED: usize = 0;
const DONE: usize = 64;
const STATE: usize = 128;
const HELPER_WS: usize = 132;
const TASK: usize = 192;
/** Bytes of a team block (the helper's gemm workspace is allocated separately). */
const TEAM_BYTES: i32 = 320;

const STARTING: i32 = 0;
const SERVING: i32 = 1;
const QUIT: i32 = 2;
const STOPPED: i32 = 3;

const OP_GEMM: i32 = 1;
const OP_TRSM: i32 = 2;

/** Below this many multiply-adds a product runs on the calling thread alone (the hand-off costs more). */
const MIN_SHARED_WORK: f64 = 1048576.0;

// A task: its kind, and the triangular solve's arguments (a product's are in the helper's workspace, GemmArgs).
@unmanaged
class Task {
  op: i32;
  b: usize;
  l: usize;
  m: i32;
  n: i32;
  ldb: i32;
  ldl: i32;
}

// @ts-ignore: decorator
@inline
function serving(team: usize): bool {
  return team != 0 && atomic.load<i32>(team + STATE) == SERVING;
}

export function kernelTeamBytes(): i32 {
  return TEAM_BYTES;
}

export function kernelWorkspaceBytes(): i32 {
  return <i32>GEMM_WORKSPACE_BYTES;
}

/** Prepare a team block (TEAM_BYTES, zeroed by the caller or not) with the helper's gemm workspace. */
export function kernelTeamInit(team: usize, helperWorkspace: usize): void {
  atomic.store<i32>(team + POSTED, 0);
  atomic.store<i32>(team + DONE, 0);
  atomic.store<i32>(team + STATE, STARTING);
  store<usize>(team + HELPER_WS, helperWorkspace);
}

/** 1 while a helper serves the team. */
export function kernelTeamServing(team: usize): i32 {
  return serving(team) ? 1 : 0;
}

/** Post a task (its fields already written) and return its generation. */
function post(team: usize): i32 {
  const g = atomic.load<i32>(team + POSTED) + 1;
  atomic.store<i32>(team + POSTED, g);
  return g;
}

/** Poll until the helper has finished generation g. */
function awaitDone(team: usize, g: i32): void {
  while (atomic.load<i32>(team + DONE) != g) {}
}

/** Ask the helper to return (after any task it is running); it sees the request within its polling timeout. */
export function kernelTeamStop(team: usize): void {
  if (atomic.load<i32>(team + STATE) == STOPPED) return;
  atomic.store<i32>(team + STATE, QUIT);
  post(team);
}

/** The helper joins: 1 when it now serves, 0 when the team was stopped before it started. */
export function kernelTeamJoin(team: usize): i32 {
  if (atomic.cmpxchg<i32>(team + STATE, STARTING, SERVING) == STARTING) return 1;
  atomic.store<i32>(team + STATE, STOPPED);
  return 0;
}

/**
 * The helper runs the task posted last (generation `g`) and reports it done; 0 when told to stop instead (the
 * helper then returns, the team is STOPPED).
 */
export function kernelTeamRun(team: usize, g: i32): i32 {
  if (atomic.load<i32>(team + STATE) == QUIT) {
    atomic.store<i32>(team + STATE, STOPPED);
    return 0;
  }
  run(changetype<Task>(team + TASK), load<usize>(team + HELPER_WS));
  atomic.store<i32>(team + DONE, g);
  return 1;
}

function run(t: Task, ws: usize): void {
  if (t.op == OP_GEMM) gemmRun(ws);
  else if (t.op == OP_TRSM) trsmRightLowerT(ws, t.b, t.l, t.m, t.n, t.ldb, t.ldl);
}

/**
 * Where to split the columns of C between the caller ([0, split)) and the helper ([split, n)): half the entries
 * each (for a lower-only C, column j has m − j of them), on a multiple of 4 (the gemm tile).
 */
function splitColumns(m: i32, n: i32, lowerOnly: bool): i32 {
  let s: f64;
  if (lowerOnly) {
    // columns [0, s) hold s·m − s²/2 of the n·m − n²/2 entries; half of them: s = m − √(m² − total).
    const total = <f64>n * <f64>m - 0.5 * <f64>n * <f64>n;
    s = <f64>m - Math.sqrt(<f64>m * <f64>m - total);
  } else s = 0.5 * <f64>n;
  const r = (<i32>Math.round(s / 4.0)) << 2;
  return max(4, min(n - 4, r));
}

/** gemmUpdate (./dense_gemm.ts) on the team: the columns split between the caller and the helper. */
export function teamGemm(
  team: usize,
  c: usize,
  ldc: i32,
  a: usize,
  lda: i32,
  transA: bool,
  b: usize,
  ldb: i32,
  transB: bool,
  m: i32,
  n: i32,
  k: i32,
  alpha: f64,
  lowerOnly: bool,
  aShape: i32 = 0,
  bShape: i32 = 0,
): void {
  const mine = setGemmArgs(mainWorkspace, c, ldc, a, lda, transA, b, ldb, transB, m, n, k, alpha, lowerOnly, aShape, bShape);
  if (n < 16 || <f64>m * <f64>n * <f64>k < MIN_SHARED_WORK || !serving(team)) {
    gemmRun(mainWorkspace);
    return;
  }
  const split = splitColumns(m, n, lowerOnly);
  const helperWs = load<usize>(team + HELPER_WS);
  memory.copy(helperWs, mainWorkspace, offsetof<GemmArgs>());
  changetype<GemmArgs>(helperWs).j0 = split;
  mine.j1 = split;
  changetype<Task>(team + TASK).op = OP_GEMM;
  const g = post(team);
  gemmRun(mainWorkspace);
  awaitDone(team, g);
}

/** B ← B L⁻ᵀ (./dense_trsm.ts) on the team: the rows of B split between the caller and the helper. */
export function teamTrsm(team: usize, b: usize, l: usize, m: i32, n: i32, ldb: i32, ldl: i32): void {
  if (m < 16 || <f64>m * <f64>n * <f64>n < MIN_SHARED_WORK || !serving(team)) {
    trsmRightLowerT(mainWorkspace, b, l, m, n, ldb, ldl);
    return;
  }
  const split = (m >> 3) << 2;
  const t = changetype<Task>(team + TASK);
  t.op = OP_TRSM;
  t.b = b + (<usize>split << 3);
  t.l = l;
  t.m = m - split;
  t.n = n;
  t.ldb = ldb;
  t.ldl = ldl;
  const g = post(team);
  trsmRightLowerT(mainWorkspace, b, l, split, n, ldb, ldl);
  awaitDone(team, g);
}
