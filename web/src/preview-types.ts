/** The data preview's plain description (made in the analysis worker, drawn by data-preview.ts). */
export interface ColumnPreview {
  name: string;
  /** How the model will read the column: numbers, or a factor (levels sorted as lme4 does). */
  type: "numeric" | "factor";
  missing: number;
  /** Number of distinct levels, for factors. */
  levels?: number;
  /** Values of the first rows (null = missing). */
  head: (number | string | null)[];
}

export interface DataPreview {
  /** Where the data came from: a file name or an example's name. */
  source: string;
  rows: number;
  columns: ColumnPreview[];
}

export const PREVIEW_ROWS = 8;
