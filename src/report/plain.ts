/**
 * JSON-safe results. spruce returns typed arrays (Float64Array) for speed, and JSON.stringify writes a typed array
 * as an object with keys "0", "1", …; NaN and Infinity become null only by accident of the number writer. The
 * helpers here give results a JSON form of plain arrays without changing what JavaScript callers see:
 *
 * - `toPlain(x)`: a deep copy with every typed array turned into an array, non-finite numbers into null (as R's
 *   jsonlite writes NA), Maps into objects; the copy is also structuredClone-able (no functions, no classes).
 * - `withPlainJson(x)`: the same object, with a non-enumerable `toJSON` returning `toPlain(x)`. Non-enumerable, so
 *   structuredClone and postMessage (which copy own enumerable properties) still work on the result.
 */

export type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

export function toPlain(value: unknown): Plain {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value !== "object") return null;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return Array.from(value as unknown as ArrayLike<number>, (v) => toPlain(v));
  if (Array.isArray(value)) return value.map((v) => toPlain(v));
  if (value instanceof Map) {
    const out: { [key: string]: Plain } = {};
    for (const [k, v] of value) out[String(k)] = toPlain(v);
    return out;
  }
  // A class with its own JSON form (a fitted model's toJSON) is written as that form.
  const custom = (value as { toJSON?: unknown }).toJSON;
  if (typeof custom === "function" && !Object.hasOwn(value, "toJSON"))
    return toPlain((custom as () => unknown).call(value));
  return plainFields(value);
}

/** `value` itself, with a non-enumerable toJSON giving `toPlain(value)` (see the module comment). */
export function withPlainJson<T extends object>(value: T): T {
  Object.defineProperty(value, "toJSON", {
    value: () => plainFields(value),
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return value;
}

/** toPlain of an object's own enumerable fields (or a typed array's values), ignoring its own toJSON. */
function plainFields(value: object): Plain {
  if (ArrayBuffer.isView(value)) return toPlain(Array.from(value as unknown as ArrayLike<number>));
  const out: { [key: string]: Plain } = {};
  for (const [k, v] of Object.entries(value)) if (typeof v !== "function") out[k] = toPlain(v);
  return out;
}
