/** The data preview: the first rows of the loaded table, each column headed by its type and its missing count. */
import { el } from "./dom.js";

import { type DataPreview, PREVIEW_ROWS } from "./preview-types.js";

export type { ColumnPreview, DataPreview } from "./preview-types.js";
export { PREVIEW_ROWS };

export function renderPreview(preview: DataPreview): HTMLTableElement {
  const shownRows = Math.min(PREVIEW_ROWS, preview.rows);
  const header = el(
    "tr",
    {},
    ...preview.columns.map((column) =>
      el(
        "th",
        {
          scope: "col",
          "data-column": column.name,
          "data-type": column.type,
          "data-missing": column.missing,
        },
        column.name,
      ),
    ),
  );
  const types = el(
    "tr",
    { class: "col-type" },
    ...preview.columns.map((column) => {
      const kind =
        column.type === "factor" && column.levels !== undefined
          ? `factor (${column.levels} levels)`
          : column.type;
      return el("th", { scope: "col" }, `${kind} · ${column.missing} missing`);
    }),
  );
  const body = el("tbody", {});
  for (let i = 0; i < shownRows; i++) {
    body.append(
      el(
        "tr",
        {},
        ...preview.columns.map((column) => {
          const value = column.head[i];
          const shown = value === null || value === undefined ? "NA" : formatCell(value);
          return el("td", column.type === "numeric" ? { class: "num" } : {}, shown);
        }),
      ),
    );
  }
  return el(
    "table",
    { class: "preview" },
    el("caption", {}, `First ${shownRows} of ${preview.rows} rows`),
    el("thead", {}, header, types),
    body,
  );
}

/** Numbers to 6 significant digits, as R prints a data frame; text as it is. */
function formatCell(value: number | string): string {
  return typeof value === "number" ? String(Number(value.toPrecision(6))) : value;
}
