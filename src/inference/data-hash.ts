/**
 * A fingerprint of the numbers a bootstrap or power simulation works on: SHA-256 over the model frames' numeric
 * buffers (response, fixed-effects matrix, random-effects levels and columns), each framed by its length. Two runs
 * with the same hash simulate from and refit the same models of the same data, whatever file or row order of
 * unused columns they came from; a changed value, row, level coding or column changes it.
 *
 * Uses Web Crypto (globalThis.crypto.subtle), present in Node ≥ 20 and in browsers.
 */
import type { DesignBuffers } from "../design/types.js";

function bytesOf(a: Float64Array | Int32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** "sha256:<hex>" of the designs' buffers, in the order given. */
export async function designHash(designs: DesignBuffers[]): Promise<string> {
  const parts: Uint8Array[] = [];
  const header = (...xs: number[]): void => {
    parts.push(bytesOf(Float64Array.from(xs)));
  };
  header(designs.length);
  for (const d of designs) {
    header(d.n, d.p, d.terms.length);
    parts.push(bytesOf(d.y), bytesOf(d.X));
    // Only with offset() terms (so the hashes of models without them are unchanged): a marker, then the offset.
    if (d.offset) {
      header(-1, d.offset.length);
      parts.push(bytesOf(d.offset));
    }
    for (const t of d.terms) {
      header(t.nlevels, t.p, t.refs.length, t.z.length);
      parts.push(bytesOf(t.refs), bytesOf(t.z));
    }
  }
  const total = parts.reduce((s, p) => s + p.length, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", all));
  return `sha256:${Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
