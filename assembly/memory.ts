// Flat buffers live in the wasm heap; TypeScript owns them through these pointers.
// Allocate once per fit (never per evaluation): growing memory detaches every view on the JS side.

export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

export function free(ptr: usize): void {
  heap.free(ptr);
}
