/**
 * A small deterministic data set with the kinds of variables formulas use: numeric covariates, two-level and
 * three-level text factors, numeric and text grouping factors, nested (site/block) and crossed (g1, g2) groups.
 */
export interface SyntheticRow {
  y: number;
  x: number;
  x1: number;
  x2: number;
  time: number;
  treat: string;
  f: string;
  g: string;
  g1: number;
  g2: string;
  site: string;
  block: number;
  a: string;
  b: string;
  c: string;
}

export function syntheticRows(n = 60): SyntheticRow[] {
  const rows: SyntheticRow[] = [];
  for (let i = 0; i < n; i++) {
    const x = Math.round((Math.sin(i * 1.7) * 3 + i / 10) * 1000) / 1000;
    rows.push({
      y: Math.round((10 + 2 * x + Math.cos(i * 0.9) * 4) * 1000) / 1000,
      x,
      x1: Math.round(Math.cos(i * 2.3) * 1000) / 100,
      x2: Math.round(Math.sin(i * 0.37 + 1) * 1000) / 100,
      time: (i % 5) - 2,
      treat: i % 2 === 0 ? "ctrl" : "ozone",
      f: ["a", "b", "c"][i % 3],
      g: `g${(i % 6) + 1}`,
      g1: (i % 5) * 10 + 2,
      g2: ["w", "x", "y", "z"][Math.floor((i * 4) / n)],
      site: ["A", "B", "C"][Math.floor((i * 3) / n)],
      block: (i % 4) + 1,
      a: ["a1", "a2"][i % 2],
      b: ["b1", "b2"][Math.floor(i / 2) % 2],
      c: ["c1", "c2"][Math.floor(i / 4) % 2],
    });
  }
  return rows;
}
