/**
 * Designs with more (or fewer) groups, for power curves (simr's `extend(model, along = "g", n = s)`): the data
 * with `size` levels of the grouping factor `group`. Level j (0-based, in lme4's level order) copies the rows of
 * original level j mod L (L levels observed): its covariates, its design; its label is the original one for
 * j < L and "<label>#<copy>" for later copies, so every copy is a new level and gets a fresh random effect when
 * the response is simulated. For size < L, the first `size` levels are kept. Only the rows the model used
 * (complete rows) are copied.
 */
import type { Design } from "../design/types.js";
import { DataError } from "../errors.js";
import type { Column, DataFrame } from "../frame/frame.js";

/** The levels of `group` as the model's random-effects term has them, and which used rows hold each level. */
function levelRows(design: Design, group: string): { levels: string[]; rows: number[][] } {
  const term = design.terms.find((t) => t.group === group);
  if (!term) {
    const groups = [...new Set(design.terms.map((t) => t.group))].join(", ");
    throw new DataError(
      `--along ${group}: not a grouping factor of the model's random effects (its grouping factors: ${groups || "none"})`,
    );
  }
  const rows: number[][] = term.levels.map(() => []);
  for (let i = 0; i < design.n; i++)
    (rows[term.refs[i] as number] as number[]).push(design.rows[i] as number);
  return { levels: term.levels, rows };
}

function pick(column: Column, rows: number[]): Column {
  if (column.kind === "numeric")
    return {
      kind: "numeric",
      values: Float64Array.from(rows, (r) => column.values[r] as number),
      ...(column.integer ? { integer: true } : {}),
    };
  if (column.kind === "string") return { kind: "string", values: rows.map((r) => column.values[r] ?? null) };
  return { kind: "logical", values: rows.map((r) => column.values[r] ?? null) };
}

/** The frame with `size` levels of `group` (see the module comment); `frame` is the data `design` was built on. */
export function extendAlong(frame: DataFrame, design: Design, group: string, size: number): DataFrame {
  if (!Number.isSafeInteger(size) || size < 1)
    throw new DataError(`--sizes: a size must be a positive integer, got ${size}`);
  if (!frame.columns.has(group))
    throw new DataError(
      `--along ${group}: the data has no column "${group}" (it has: ${frame.names.join(", ")})`,
    );
  const { levels, rows } = levelRows(design, group);
  const L = levels.length;
  const sourceRows: number[] = [];
  const labels: string[] = [];
  for (let j = 0; j < size; j++) {
    const copy = Math.floor(j / L);
    const level = levels[j % L] as string;
    for (const r of rows[j % L] as number[]) {
      sourceRows.push(r);
      labels.push(copy === 0 ? level : `${level}#${copy}`);
    }
  }
  const columns = new Map<string, Column>();
  for (const name of frame.names) {
    const column = frame.columns.get(name) as Column;
    // Copies get new labels, so the grouping column becomes text (a factor either way: it groups random effects);
    // without copies it keeps its type, and size = L gives back the model's own design.
    columns.set(
      name,
      name === group && size > L ? { kind: "string", values: labels } : pick(column, sourceRows),
    );
  }
  return { kind: "spruce.frame", names: [...frame.names], columns, nrow: sourceRows.length };
}
