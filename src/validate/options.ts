/**
 * Checking what callers pass to the public functions: every argument and option is checked before any work starts,
 * and the error names the function, the argument and the value as given (a string quoted, so `nsim: "10"` reads
 * as the string it is). An option a function does not know is an error, never silently ignored.
 *
 * To add an option to a function, add its name and checker to that function's table in ./known-options.ts.
 */
import { ArgumentError } from "../errors.js";

/** Checks one option's value; returns a description of what was expected when the value is wrong. */
export type Checker = (value: unknown) => string | null;

/** A value as the caller wrote it: strings quoted, arrays and objects summarised. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === "bigint") return `${value}n`;
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === "function") return "a function";
  if (typeof value === "object") return "an object";
  return String(value);
}

export const isBoolean: Checker = (v) => (typeof v === "boolean" ? null : "true or false");
export const isFunction: Checker = (v) => (typeof v === "function" ? null : "a function");
export const isObject: Checker = (v) => (typeof v === "object" && v !== null ? null : "an object");
export const isAnything: Checker = () => null;
export const isAbortSignal: Checker = (v) =>
  typeof v === "object" && v !== null && typeof (v as AbortSignal).aborted === "boolean"
    ? null
    : "an AbortSignal";

export function isInteger(min: number, max = Number.MAX_SAFE_INTEGER): Checker {
  return (v) =>
    typeof v === "number" && Number.isSafeInteger(v) && v >= min && v <= max
      ? null
      : max === Number.MAX_SAFE_INTEGER
        ? `an integer ≥ ${min}`
        : `an integer from ${min} to ${max}`;
}

export function isNumberBetween(lo: number, hi: number, open = true): Checker {
  return (v) =>
    typeof v === "number" && (open ? v > lo && v < hi : v >= lo && v <= hi)
      ? null
      : `a number ${open ? "strictly " : ""}between ${lo} and ${hi}`;
}

export function isFiniteNumber(): Checker {
  return (v) => (typeof v === "number" && Number.isFinite(v) ? null : "a finite number");
}

export function isOneOf(...values: readonly string[]): Checker {
  return (v) =>
    typeof v === "string" && values.includes(v) ? null : `one of ${values.map((x) => `"${x}"`).join(", ")}`;
}

export function isNumberArray(): Checker {
  return (v) =>
    (Array.isArray(v) || ArrayBuffer.isView(v)) &&
    Array.from(v as ArrayLike<unknown>).every((x) => typeof x === "number")
      ? null
      : "an array of numbers";
}

export function isStringArray(): Checker {
  return (v) => (Array.isArray(v) && v.every((x) => typeof x === "string") ? null : "an array of strings");
}

/** Options of lme4 that spruce spells otherwise or does not have: what to do instead. */
const NOT_YET: Record<string, string> = {
  offset:
    "spruce does not support an offset option yet (option 'offset'); put offset(x) in the formula when supported",
};

/**
 * Check an options object against a table of known options. `undefined` values are treated as absent (so callers
 * can spread optional settings). Throws ArgumentError naming the function, the option and the value.
 */
export function checkOptions(what: string, options: unknown, known: Readonly<Record<string, Checker>>): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options))
    throw new ArgumentError(`${what}: options must be an object, got ${show(options)}`);
  for (const key of Object.keys(options)) {
    const value = (options as Record<string, unknown>)[key];
    const checker = Object.hasOwn(known, key) ? known[key] : undefined;
    if (!checker) {
      const notYet = Object.hasOwn(NOT_YET, key) ? NOT_YET[key] : undefined;
      if (notYet) throw new ArgumentError(`${what}: ${notYet}`);
      throw new ArgumentError(
        `${what}: unknown option '${key}' (known options: ${Object.keys(known).sort().join(", ")})`,
      );
    }
    if (value === undefined) continue;
    const expected = checker(value);
    if (expected !== null)
      throw new ArgumentError(`${what}: option '${key}' must be ${expected}, got ${show(value)}`);
  }
}

/** Check one positional argument. */
export function checkArgument(what: string, name: string, value: unknown, checker: Checker): void {
  const expected = checker(value);
  if (expected !== null) throw new ArgumentError(`${what}: ${name} must be ${expected}, got ${show(value)}`);
}

/** A formula argument: a non-empty string. */
export const isFormula: Checker = (v) =>
  typeof v === "string" && v.trim() !== "" ? null : 'a formula string such as "y ~ x + (1|g)"';

/** A data argument: a frame, an array of records or an object of columns. */
export const isData: Checker = (v) =>
  typeof v === "object" && v !== null
    ? null
    : "data: a frame from readCsv/parseCsv, an array of records or an object of columns";

/** A fitted model (anything with a design, an engine and θ̂). */
export const isFittedModel: Checker = (v) =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as { design?: unknown }).design === "object" &&
  typeof (v as { engine?: unknown }).engine === "object" &&
  (v as { theta?: unknown }).theta !== undefined
    ? null
    : "a fitted model (from fit())";
