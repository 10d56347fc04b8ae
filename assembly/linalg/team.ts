// The kernel team: the calling thread and one helper thread, on the same shared memory, split the dense kernels'
// O(n³) products. InstEval's 1157-order trailing block is factored six times and inverted three times per fit,
// over half of the fit; on two cores both halves run at once.
//
// A helper is a worker (src/wasm/kernel-team.ts) that instantiates this module on the engine's shared memory
// without running the module's start function, so it reaches memory only through the team block and the pointers
// posted in it, and packs with its own workspace (the block's HELPER_WS).
//
// Protocol, every flag an atomic i32 of the block: the caller writes a task and bumps POSTED; the helper (polling
// POSTED in wasm, kernelTeamPoll, then sleeping in JavaScript's Atomics.wait with a short timeout) calls
// kernelTeamRun (assembly/pls/team-tasks.ts), which works on
// the task and stores its generation in DONE. The work is cut into chunks of columns (gemm) or rows (triangular
// solve) that both threads take in turn from the counter NEXT until none is left, so a helper that is slower (or
// descheduled on a busy machine) simply takes fewer; the caller then polls DONE, which costs it at most the
// helper's last chunk. A task is claimed once, by the helper when it starts on it or by the caller when it has
// finished every chunk first (CLAIM, compare-and-swap): the caller never waits for a helper that was asleep
// while it did all the work. A helper that is not serving (still starting, or stopped) is given nothing: the caller
// runs the whole product itself, so a team never waits for a thread that is not there. Every chunk is computed
// exactly as the single-threaded kernel computes those columns or rows, so the results do not depend on whether,
// when, or how much the helper took part.
//
// No memory.atomic.wait32 or notify in wasm: Node 20's baseline compiler (Liftoff) lost a local held across
// memory.atomic.wait32 (measured: a helper's workspace pointer became 0 and its products packed over address 0).
// The helper sleeps in JavaScript's Atomics.wait between kernel calls and notifies DONE from there; the caller
// polls DONE, then sleeps through an imported JavaScript Atomics.wait (teamWait).

import { FULL, GEMM_WORKSPACE_BYTES, GemmArgs, gemmRun, mainWorkspace, setGemmArgs } from "./dense_gemm";
import { trsmRightLowerT } from "./dense_trsm";

// Byte offsets in the team block: the three flags on separate cache lines, then the task.
const POSTED: usize = 0;
const DONE: usize = 64;
const STATE: usize = 128;
const HELPER_WS: usize = 132;
const NEXT: usize = 160;
const CLAIM: usize = 164;
const TASK: usize = 192;
/** Bytes of a team block (the helper's gemm workspace is allocated separately). */
const TEAM_BYTES: i32 = 320;

const STARTING: i32 = 0;
const SERVING: i32 = 1;
const QUIT: i32 = 2;
const STOPPED: i32 = 3;

/** Task kinds: the dense kernels' here; the blocked factor's in assembly/pls/team-tasks.ts (3 and up). */
export const OP_GEMM: i32 = 1;
export const OP_TRSM: i32 = 2;

/**
 * Sleep until the i32 at `address` is no longer `value`, or `milliseconds` passed (JavaScript's Atomics.wait,
 * src/wasm/load.ts): the caller's way to give its core back while a descheduled helper finishes its chunk. An
 * imported call, not memory.atomic.wait32: see the module comment.
 */
// @ts-ignore: decorator
@external("env", "teamWait")
declare function teamWait(address: usize, value: i32, milliseconds: f64): void;

/** Polls of DONE before the caller sleeps (tens of microseconds: a chunk usually ends within that). */
const AWAIT_POLLS: i32 = 20000;

/** Below this many multiply-adds a product runs on the calling thread alone (the hand-off costs more). */
const MIN_SHARED_WORK: f64 = 1048576.0;

/**
 * A task: its kind, the triangular solve's arguments (a product's are in each thread's workspace, GemmArgs), and
 * an engine context with an order for the blocked factor's tasks.
 */
@unmanaged
export class Task {
  op: i32;
  b: usize;
  l: usize;
  m: i32;
  n: i32;
  ldb: i32;
  ldl: i32;
  ctx: usize;
  ne: i32;
}

/** Whether a helper serves `team` (0: no team). */
// @ts-ignore: decorator
@inline
export function teamServing(team: usize): bool {
  return team != 0 && atomic.load<i32>(team + STATE) == SERVING;
}

/** The task block of `team`, for the caller to fill before teamPost. */
export function teamTask(team: usize): Task {
  return changetype<Task>(team + TASK);
}

/** Post the task (kind `op`, its fields written) with all chunks untaken; returns its generation for teamFinish. */
export function teamPost(team: usize, op: i32): i32 {
  changetype<Task>(team + TASK).op = op;
  atomic.store<i32>(team + NEXT, 0);
  return post(team);
}

/** The start of the next untaken chunk of `width` (both threads call it until it passes the end). */
// @ts-ignore: decorator
@inline
export function teamTake(team: usize, width: i32): i32 {
  return atomic.add<i32>(team + NEXT, width);
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
  atomic.store<i32>(team + CLAIM, 0);
  atomic.store<i32>(team + STATE, STARTING);
  store<usize>(team + HELPER_WS, helperWorkspace);
}

/** 1 while a helper serves the team. */
export function kernelTeamServing(team: usize): i32 {
  return teamServing(team) ? 1 : 0;
}

/** Post a task (its fields already written) and return its generation. */
function post(team: usize): i32 {
  const g = atomic.load<i32>(team + POSTED) + 1;
  atomic.store<i32>(team + POSTED, g);
  return g;
}

/**
 * The caller, after taking its chunks: return at once if the helper never started on generation g, else wait until
 * it is done: polling, then sleeping (the helper notifies DONE from JavaScript), so that a helper descheduled in the
 * middle of a chunk on a busy machine gets the core back instead of the caller spinning on it.
 */
export function teamFinish(team: usize, g: i32): void {
  if (atomic.cmpxchg<i32>(team + CLAIM, g - 1, g) == g - 1) return;
  let polls = 0;
  for (;;) {
    const d = atomic.load<i32>(team + DONE);
    if (d == g) return;
    if (++polls > AWAIT_POLLS) teamWait(team + DONE, d, 1.0);
  }
}

/** Ask the helper to return (after any task it is running); it sees the request within its polling timeout. */
export function kernelTeamStop(team: usize): void {
  if (atomic.load<i32>(team + STATE) == STOPPED) return;
  atomic.store<i32>(team + STATE, QUIT);
  post(team);
}

/**
 * The helper polls POSTED up to `polls` times and returns it (still `seen` when nothing was posted). Polling here
 * rather than in the helper's JavaScript keeps that loop cold: no optimising compile of it runs in the helper's
 * isolate (Node 20 can abort the process when such a compile outlives a worker: docs/architecture.md).
 */
export function kernelTeamPoll(team: usize, seen: i32, polls: i32): i32 {
  for (let i = 0; i < polls; i++) {
    const g = atomic.load<i32>(team + POSTED);
    if (g != seen) return g;
  }
  return seen;
}

/**
 * The helper leaves after lingering idle (src/wasm/kernel-team.ts): the team is STOPPED. A task posted meanwhile is
 * not lost: the caller takes every chunk and claims it (CLAIM), since the helper never claimed it.
 */
export function kernelTeamRetire(team: usize): void {
  atomic.store<i32>(team + STATE, STOPPED);
}

/** The helper joins: 1 when it now serves, 0 when the team was stopped before it started. */
export function kernelTeamJoin(team: usize): i32 {
  if (atomic.cmpxchg<i32>(team + STATE, STARTING, SERVING) == STARTING) return 1;
  atomic.store<i32>(team + STATE, STOPPED);
  return 0;
}

/**
 * The helper's side of generation g: -1 when told to stop (the team is then STOPPED), 0 when the caller claimed
 * the task (it did every chunk and is not waiting), 1 when the helper is to run it and then call teamDone.
 */
export function teamBegin(team: usize, g: i32): i32 {
  if (atomic.load<i32>(team + STATE) == QUIT) {
    atomic.store<i32>(team + STATE, STOPPED);
    return -1;
  }
  return atomic.cmpxchg<i32>(team + CLAIM, g - 1, g) == g - 1 ? 1 : 0;
}

/** The helper has finished generation g. */
export function teamDone(team: usize, g: i32): void {
  atomic.store<i32>(team + DONE, g);
}

/** The helper's workspace (the gemm's, GemmArgs first: its scratch after that). */
export function teamHelperWorkspace(team: usize): usize {
  return load<usize>(team + HELPER_WS);
}

/** Take chunks of the product in `ws` (its columns [0, n)) until none is left. */
export function gemmChunks(team: usize, ws: usize): void {
  const g = changetype<GemmArgs>(ws);
  const n = g.n;
  const width = chunkWidth(n);
  for (;;) {
    const j = teamTake(team, width);
    if (j >= n) return;
    g.j0 = j;
    g.j1 = min(n, j + width);
    gemmRun(ws);
  }
}

/** Take chunks of rows of the triangular solve until none is left. */
export function trsmChunks(team: usize, t: Task, ws: usize): void {
  const m = t.m;
  const height = chunkWidth(m);
  for (;;) {
    const i = teamTake(team, height);
    if (i >= m) return;
    trsmRightLowerT(ws, t.b + (<usize>i << 3), t.l, min(height, m - i), t.n, t.ldb, t.ldl);
  }
}

/**
 * Chunks of about an eighth of the columns (rows), a multiple of 4 (the gemm tile) and at least 32: enough chunks
 * to balance two threads, wide enough that re-packing A per chunk stays a few per cent of the flops (an eighth
 * measured faster than a sixteenth on InstEval).
 */
export function chunkWidth(n: i32): i32 {
  return max(32, ((n >> 3) + 3) & ~3);
}

/**
 * C += alpha · op(A) op(B)ᵀ (the arguments as setGemmArgs, ./dense_gemm.ts): on the calling thread alone when
 * `team` is 0, has no serving helper or the product is small; else its columns are taken in chunks by the caller
 * and the helper.
 */
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
  aShape: i32 = FULL,
  bShape: i32 = FULL,
): void {
  setGemmArgs(mainWorkspace, c, ldc, a, lda, transA, b, ldb, transB, m, n, k, alpha, lowerOnly, aShape, bShape);
  if (n < 32 || <f64>m * <f64>n * <f64>k < MIN_SHARED_WORK || !teamServing(team)) {
    gemmRun(mainWorkspace);
    return;
  }
  memory.copy(teamHelperWorkspace(team), mainWorkspace, offsetof<GemmArgs>());
  const g = teamPost(team, OP_GEMM);
  gemmChunks(team, mainWorkspace);
  teamFinish(team, g);
}

/** B ← B L⁻ᵀ (./dense_trsm.ts) on the team: the rows of B taken in chunks by the caller and the helper. */
export function teamTrsm(team: usize, b: usize, l: usize, m: i32, n: i32, ldb: i32, ldl: i32): void {
  if (m < 32 || <f64>m * <f64>n * <f64>n < MIN_SHARED_WORK || !teamServing(team)) {
    trsmRightLowerT(mainWorkspace, b, l, m, n, ldb, ldl);
    return;
  }
  const t = teamTask(team);
  t.b = b;
  t.l = l;
  t.m = m;
  t.n = n;
  t.ldb = ldb;
  t.ldl = ldl;
  const g = teamPost(team, OP_TRSM);
  trsmChunks(team, t, mainWorkspace);
  teamFinish(team, g);
}
