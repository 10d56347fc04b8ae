// The dense kernels the blocked engine calls for its trailing block: the tiled v128 kernels of
// assembly/linalg/dense.ts for large dense blocks (InstEval's 1157×1157), the plain loops of ./dense-basic for the
// small blocks of one-factor models (order p+1), where packing and tiling cost more than they save, and for
// trailing blocks that stay sparse (nested factors: block diagonal), where the plain loops skip the zeros.
import { denseCholesky, denseLowerInverse, denseLowerInvTransMul } from "../linalg/dense";
import {
  basicCholesky,
  basicLowerInverse,
  basicLowerInvTransMul,
  basicLowerInvTransMulSparse,
} from "./dense-basic";

const TILED_FROM: i32 = 48;

// `team`: the engine's kernel team (assembly/linalg/team.ts; the context's `team`, 0 for none), which the tiled
// kernels share their large products with.
export function denseChol(a: usize, n: i32, lda: i32, sparse: bool, team: usize): i32 {
  return n >= TILED_FROM && !sparse ? denseCholesky(a, n, lda, team) : basicCholesky(a, n, lda);
}

export function denseLowerInv(l: usize, n: i32, ldl: i32, sparse: bool, team: usize): void {
  if (n >= TILED_FROM && !sparse) denseLowerInverse(l, n, ldl, team);
  else basicLowerInverse(l, n, ldl);
}

/** idx: n i32 of workspace, used by the sparse variant. */
export function denseInvTransMul(l: usize, n: i32, ldl: i32, sparse: bool, idx: usize, team: usize): void {
  if (sparse) basicLowerInvTransMulSparse(l, n, ldl, idx);
  else if (n >= TILED_FROM) denseLowerInvTransMul(l, n, ldl, team);
  else basicLowerInvTransMul(l, n, ldl);
}
