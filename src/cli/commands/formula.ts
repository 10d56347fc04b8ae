import type { Command } from "commander";
import { buildDesign } from "../../design/build.js";
import { type DesignDescription, describeDesign } from "../../design/describe.js";
import { readCsv } from "../../frame/csv.js";
import { maxOf } from "../../util/extremes.js";

/**
 * `spruce formula DATA.csv "FORMULA" [--json]`: read the data and the formula as lme4 would and show what the
 * model is made of (fixed-effect columns, random-effects terms, groups, observations) without fitting anything.
 */
export function registerFormula(program: Command): void {
  program
    .command("formula")
    .description("show how a formula reads on the data: fixed-effect columns, random-effects terms, groups")
    .argument("<data>", "CSV file with a header row (NA or empty cells are missing)")
    .argument("<formula>", 'lme4 formula, e.g. "Reaction ~ Days + (Days | Subject)"')
    .option("--json", "print JSON instead of text")
    .action((dataPath: string, formula: string, options: { json?: boolean }) => {
      const design = buildDesign(formula, readCsv(dataPath));
      if (design.droppedFixed.length > 0) {
        const k = design.droppedFixed.length;
        process.stderr.write(
          `fixed-effect model matrix is rank deficient so dropping ${k} column${k > 1 ? "s" : ""} / ` +
            `coefficient${k > 1 ? "s" : ""} (${design.droppedFixed.join(", ")})\n`,
        );
      }
      const description = describeDesign(design);
      process.stdout.write(
        options.json ? `${JSON.stringify(description, null, 2)}\n` : formatDescription(formula, description),
      );
    });
}

/** The description for a person: aligned like lme4's summary tables. */
export function formatDescription(formula: string, d: DesignDescription): string {
  const lines: string[] = [];
  lines.push(`Formula: ${formula}`);
  lines.push(`Response: ${d.response}`);
  lines.push(
    `Observations: ${d.nobs}` +
      (d.dropped > 0 ? ` (${d.dropped} row${d.dropped > 1 ? "s" : ""} with missing values dropped)` : ""),
  );
  lines.push(`Fixed effects (${d.fixed.length}): ${d.fixed.join(", ") || "(none)"}`);
  if (d.random.length === 0) lines.push("Random effects: none");
  else {
    lines.push("Random effects:");
    const rows = [
      ["Groups", "Terms", "Levels", "Correlated"],
      ...d.random.map((r) => [
        r.group,
        r.terms.join(", "),
        String(r.levels),
        r.terms.length < 2 ? "-" : r.correlated ? "yes" : "no",
      ]),
    ];
    const widths = rows[0].map((_, j) => maxOf(rows.map((row) => row[j].length)));
    for (const row of rows) lines.push(`  ${row.map((c, j) => c.padEnd(widths[j])).join("  ")}`.trimEnd());
  }
  lines.push(
    `Number of groups: ${
      Object.entries(d.ngrps)
        .map(([g, k]) => `${g} ${k}`)
        .join("; ") || "(none)"
    }`,
  );
  return `${lines.join("\n")}\n`;
}
