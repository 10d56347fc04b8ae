/** What the data preview shows of a frame (computed in the analysis worker; plain data, no DOM). */
import type { Column, DataFrame } from "../../src/frame/frame.js";
import { type ColumnPreview, type DataPreview, PREVIEW_ROWS } from "./preview-types.js";

export function describeColumn(name: string, column: Column): ColumnPreview {
  if (column.kind === "numeric") {
    let missing = 0;
    for (const v of column.values) if (Number.isNaN(v)) missing++;
    return {
      name,
      type: "numeric",
      missing,
      head: Array.from(column.values.subarray(0, PREVIEW_ROWS), (v) => (Number.isNaN(v) ? null : v)),
    };
  }
  let missing = 0;
  const levels = new Set<string>();
  for (const v of column.values) {
    if (v === null) missing++;
    else levels.add(String(v));
  }
  // Text and TRUE/FALSE columns enter a model as factors (treatment contrasts, levels sorted).
  return {
    name,
    type: "factor",
    missing,
    levels: levels.size,
    head: column.values.slice(0, PREVIEW_ROWS).map((v) => (v === null ? null : String(v))),
  };
}

export function describeFrame(source: string, frame: DataFrame): DataPreview {
  return {
    source,
    rows: frame.nrow,
    columns: frame.names.map((name) => describeColumn(name, frame.columns.get(name)!)),
  };
}
