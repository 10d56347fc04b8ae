/**
 * The data section: a CSV from the person's disk (read in the page, never uploaded) or a bundled example, parsed by
 * the library's own parseCsv (so the preview shows the types the model will see), and previewed.
 */
import { DataError } from "../../src/errors.js";
import { parseCsv } from "../../src/frame/csv.js";
import type { Column, DataFrame } from "../../src/frame/frame.js";
import { type ColumnPreview, type DataPreview, PREVIEW_ROWS, renderPreview } from "./data-preview.js";
import { byId, messageOf, showError } from "./dom.js";
import { type Example, examples } from "./examples.js";

export interface LoadedData {
  source: string;
  frame: DataFrame;
  /** Formulas suggested with the data (the examples have some). */
  example?: Example;
}

/** Larger files work but would make the page sluggish to parse and fit on the main thread. */
const MAX_FILE_BYTES = 50 * 1024 * 1024;

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

export class DataSection {
  private readonly fileInput = byId<HTMLInputElement>("csv-file");
  private readonly status = byId("data-status");
  private readonly error = byId("data-error");
  private readonly preview = byId("data-preview");

  constructor(private readonly onLoad: (data: LoadedData) => void) {
    this.fileInput.addEventListener("change", () => {
      const file = this.fileInput.files?.[0];
      if (file) void this.loadFile(file);
    });
    for (const [key, example] of Object.entries(examples)) {
      byId(`example-${key}`).addEventListener("click", () => this.load(example.file, example.text, example));
    }
  }

  private async loadFile(file: File): Promise<void> {
    if (file.size > MAX_FILE_BYTES) {
      showError(
        this.error,
        `${file.name} is ${(file.size / 1e6).toFixed(0)} MB; this page reads files up to 50 MB.`,
      );
      return;
    }
    try {
      this.load(file.name, await file.text());
    } catch (error) {
      showError(this.error, `Cannot read ${file.name}: ${messageOf(error)}`);
    }
  }

  private load(source: string, text: string, example?: Example): void {
    let frame: DataFrame;
    try {
      frame = parseCsv(text, source);
      if (frame.nrow === 0) throw new DataError(`${source} has a header but no rows`);
    } catch (error) {
      showError(this.error, messageOf(error));
      return;
    }
    showError(this.error, undefined);
    const description = describeFrame(source, frame);
    const table = renderPreview(description);
    table.dataset.source = source;
    this.preview.replaceChildren(table);
    const missingCells = totalMissing(description);
    this.status.textContent =
      `${source}: ${frame.nrow} rows, ${frame.names.length} columns` +
      (missingCells > 0
        ? ` (${missingCells} cells missing: rows missing a variable a model uses are dropped, as lme4 does)`
        : "");
    this.onLoad({ source, frame, ...(example ? { example } : {}) });
  }
}

function totalMissing(description: DataPreview): number {
  return description.columns.reduce((sum, column) => sum + column.missing, 0);
}
