/**
 * The threads build of the kernels, made from the plain one: the same bytes with the module's own memory replaced
 * by an imported shared memory (`env.memory`, the same initial size, maximum `maximumPages`). A kernel team's
 * helper thread can then instantiate the module on the caller's memory (./kernel-team.ts). Deriving it at load
 * time rather than shipping a second .wasm keeps one binary in the package (and in a bundle's embedded copy), and
 * the code of both is the same by construction, so is every number they compute.
 *
 * Only the import and memory sections change: a memory import takes memory index 0 exactly as the defined memory
 * did, and memory imports do not shift the indices of functions, tables or globals. The kernels' atomic
 * instructions (assembly/linalg/team.ts) are valid on either memory.
 */

const SECTION_IMPORT = 2;
const SECTION_MEMORY = 5;
const KIND_MEMORY = 2;
const LIMITS_MIN_MAX_SHARED = 3;

function readU32(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const b = bytes[i++];
    if (b === undefined) throw new Error("spruce kernels: truncated wasm module");
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return { value, next: i };
    shift += 7;
  }
}

function writeU32(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    out.push(b);
  } while (v > 0);
  return out;
}

function name(text: string): number[] {
  const utf8 = Array.from(new TextEncoder().encode(text));
  return [...writeU32(utf8.length), ...utf8];
}

/** The module's sections: id, and the payload's [start, end) in `bytes`. */
function sections(bytes: Uint8Array): { id: number; start: number; end: number }[] {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d)
    throw new Error("spruce kernels: not a wasm module");
  const out: { id: number; start: number; end: number }[] = [];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at] as number;
    const size = readU32(bytes, at + 1);
    out.push({ id, start: size.next, end: size.next + size.value });
    at = size.next + size.value;
  }
  return out;
}

/**
 * `bytes` (a module defining one memory) with that memory turned into an import `env.memory` of a shared memory
 * with the same initial pages and `maximumPages`. Throws when the module does not define exactly one memory.
 */
export function withSharedMemory(bytes: Uint8Array, maximumPages: number): Uint8Array<ArrayBuffer> {
  const all = sections(bytes);
  const memory = all.filter((s) => s.id === SECTION_MEMORY);
  const first = memory[0];
  if (memory.length !== 1 || !first) throw new Error("spruce kernels: expected a module with its own memory");
  const count = readU32(bytes, first.start);
  if (count.value !== 1) throw new Error("spruce kernels: expected a module with one memory");
  const flags = bytes[count.next] as number;
  const initial = readU32(bytes, count.next + 1).value;
  if (flags > 1) throw new Error("spruce kernels: the module's memory is already shared or 64-bit");
  const entry = [...name("env"), ...name("memory"), KIND_MEMORY, LIMITS_MIN_MAX_SHARED];
  entry.push(...writeU32(initial), ...writeU32(maximumPages));

  const out: number[] = Array.from(bytes.subarray(0, 8));
  const emit = (id: number, payload: ArrayLike<number>) => {
    out.push(id, ...writeU32(payload.length));
    for (let i = 0; i < payload.length; i++) out.push(payload[i] as number);
  };
  let imported = false;
  for (const s of all) {
    if (s.id === SECTION_MEMORY) continue;
    if (s.id === SECTION_IMPORT) {
      // The import vector with one more entry at its end.
      const n = readU32(bytes, s.start);
      emit(SECTION_IMPORT, [...writeU32(n.value + 1), ...bytes.subarray(n.next, s.end), ...entry]);
      imported = true;
      continue;
    }
    // Sections are ordered by id (custom sections, id 0, anywhere): an import section goes before the first
    // section with a larger id.
    if (!imported && s.id > SECTION_IMPORT) {
      emit(SECTION_IMPORT, [...writeU32(1), ...entry]);
      imported = true;
    }
    emit(s.id, bytes.subarray(s.start, s.end));
  }
  if (!imported) emit(SECTION_IMPORT, [...writeU32(1), ...entry]);
  return Uint8Array.from(out);
}
