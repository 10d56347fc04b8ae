/**
 * Flags every command that fits models shares: what to do with rows a transform turns into NaN, and the size limits
 * of a model (src/validate/limits.ts). Parsed strictly: a value that is not a positive integer is an error.
 */
import type { Command } from "commander";
import { DataError } from "../errors.js";
import type { FitOptions } from "../fit/fit.js";
import { MAX_DENSE_BLOCK_DEFAULT, MAX_FILE_BYTES_DEFAULT, MAX_THETA_DEFAULT } from "../validate/limits.js";

export interface FitFlags {
  dropNan?: boolean;
  maxFileMb?: string;
  maxDenseBlock?: string;
  maxTheta?: string;
}

export function addFitFlags(command: Command): Command {
  return command
    .option(
      "--drop-nan",
      "drop rows where a transform such as log(x) gives NaN (default: an error naming the term)",
    )
    .option(
      "--max-dense-block <n>",
      `refuse models whose dense block is larger than this order (default ${MAX_DENSE_BLOCK_DEFAULT})`,
    )
    .option(
      "--max-theta <n>",
      `refuse models with more covariance parameters than this (default ${MAX_THETA_DEFAULT})`,
    )
    .option(...MAX_FILE_FLAG);
}

/** The --max-file-mb flag (commander's option arguments), for every command that reads a CSV file. */
export const MAX_FILE_FLAG = [
  "--max-file-mb <n>",
  `largest CSV file read, in MiB (default ${MAX_FILE_BYTES_DEFAULT / 2 ** 20})`,
] as const;

/** readCsv's options from --max-file-mb. */
export function readOptions(flags: { maxFileMb?: string | undefined }): { maxBytes?: number } {
  const mb = positiveIntegerFlag("max-file-mb", flags.maxFileMb);
  return mb === undefined ? {} : { maxBytes: mb * 2 ** 20 };
}

/** A flag's value as a positive integer (the whole string, not a prefix: "10x" is an error). */
export function positiveIntegerFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const x = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(x) || x < 1)
    throw new DataError(`--${name} must be a positive integer, got "${value}"`);
  return x;
}

export function fitFlagOptions(flags: FitFlags): Pick<FitOptions, "dropNaN" | "maxDenseBlock" | "maxTheta"> {
  const maxDenseBlock = positiveIntegerFlag("max-dense-block", flags.maxDenseBlock);
  const maxTheta = positiveIntegerFlag("max-theta", flags.maxTheta);
  return {
    ...(flags.dropNan ? { dropNaN: true } : {}),
    ...(maxDenseBlock !== undefined ? { maxDenseBlock } : {}),
    ...(maxTheta !== undefined ? { maxTheta } : {}),
  };
}
