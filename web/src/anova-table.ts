/** lme4's likelihood-ratio table (`anova(m0, m1)`) as an HTML table; each cell carries its exact value. */
import type { AnovaRow } from "../../src/inference/anova.js";
import { formatP } from "./bootstrap-panel.js";
import { el } from "./dom.js";

export type { AnovaRow };

const columns: {
  key: string;
  label: string;
  value: (row: AnovaRow) => number | null;
  shown: (v: number) => string;
}[] = [
  { key: "npar", label: "npar", value: (r) => r.npar, shown: String },
  { key: "AIC", label: "AIC", value: (r) => r.AIC, shown: (v) => v.toFixed(2) },
  { key: "BIC", label: "BIC", value: (r) => r.BIC, shown: (v) => v.toFixed(2) },
  { key: "logLik", label: "logLik", value: (r) => r.logLik, shown: (v) => v.toFixed(3) },
  { key: "deviance", label: "deviance", value: (r) => r.deviance, shown: (v) => v.toFixed(2) },
  { key: "Chisq", label: "Chisq", value: (r) => r.Chisq, shown: (v) => v.toFixed(4) },
  { key: "Df", label: "Df", value: (r) => r.Df, shown: String },
  { key: "Pr(>Chisq)", label: "Pr(>Chisq)", value: (r) => r.p, shown: formatP },
];

export function renderAnova(rows: AnovaRow[]): HTMLTableElement {
  return el(
    "table",
    { class: "numbers anova" },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", { scope: "col" }, "Model"),
        ...columns.map((c) => el("th", { scope: "col" }, c.label)),
      ),
    ),
    el(
      "tbody",
      {},
      ...rows.map((row) =>
        el(
          "tr",
          {},
          el("th", { scope: "row" }, row.name),
          ...columns.map((c) => {
            const v = c.value(row);
            return v === null || !Number.isFinite(v)
              ? el("td", { "data-col": c.key, "data-value": "NaN" }, "")
              : el("td", { "data-col": c.key, "data-value": v }, c.shown(v));
          }),
        ),
      ),
    ),
  );
}
