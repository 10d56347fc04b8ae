/**
 * The folder a command writes into (`plot --out DIR`), made ready before any work is written: created one level at
 * a time (Node's recursive mkdir never returns under /proc), checked to be a writable folder, and every failure a
 * DataError that names the path, never a stack trace.
 */
import { accessSync, constants, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DataError } from "../errors.js";

/** Create `out` (and missing parents) if needed and check it can be written; returns its absolute path. */
export function prepareOutputDir(out: string, flag = "--out"): string {
  if (typeof out !== "string" || out.trim() === "")
    throw new DataError(`${flag} needs a folder name (got an empty one)`);
  const dir = resolve(out);
  const missing: string[] = [];
  let at = dir;
  for (;;) {
    const kind = statKind(at);
    if (kind === "dir") break;
    if (kind === "other")
      throw new DataError(`cannot use the output folder ${dir}: ${at} exists and is not a folder`);
    missing.push(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (error) {
      throw new DataError(`cannot create the output folder ${dir}: ${describe(error)}`);
    }
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new DataError(`cannot write into the output folder ${dir}: ${describe(error)}`);
  }
  return dir;
}

/** Write one file, with a DataError naming it when that fails. */
export function writeOutputFile(path: string, content: string): void {
  try {
    writeFileSync(path, content);
  } catch (error) {
    throw new DataError(`cannot write ${path}: ${describe(error)}`);
  }
}

function statKind(path: string): "dir" | "other" | "none" {
  try {
    return statSync(path).isDirectory() ? "dir" : "other";
  } catch {
    return "none";
  }
}

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string };
  const reasons: Record<string, string> = {
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EROFS: "read-only file system",
    ENOSPC: "no space left on the device",
    ENOENT: "no such folder (cannot be created here)",
    ENOTDIR: "a part of the path is not a folder",
  };
  return (e.code && reasons[e.code]) ?? e.message ?? String(error);
}
