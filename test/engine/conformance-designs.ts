/**
 * Hand-built designs for every conformance fixture: test/support/hand-design.ts covers most, the rest are
 * written out here (no dependency on the formula layer, so these also check it independently).
 */
import type { Design } from "../../src/design/types.js";
import { type HandColumn, handDesign, handDesigns } from "../support/hand-design.js";

type Row = Record<string, string | number | null>;
const one: HandColumn = { name: "(Intercept)", value: () => 1 };
const time: HandColumn = { name: "time", value: (r) => r.time as number };
const time2: HandColumn = { name: "I(time^2)", value: (r) => (r.time as number) ** 2 };
const days: HandColumn = { name: "Days", value: (r) => r.Days as number };
const tree = (r: Row) => String(r.tree);

export const conformanceDesigns: Record<string, () => Design> = {
  ...handDesigns,
  cake_reml: () =>
    handDesign(
      "angle ~ recipe + temp + (1|recipe:replicate)",
      "cake.csv",
      "angle",
      [
        one,
        { name: "recipeB", value: (r) => (r.recipe === "B" ? 1 : 0) },
        { name: "recipeC", value: (r) => (r.recipe === "C" ? 1 : 0) },
        { name: "temp", value: (r) => r.temp as number },
      ],
      [{ group: "recipe:replicate", key: (r) => `${r.recipe}:${r.replicate}`, columns: [one] }],
    ),
  sitka_intercept_reml: () =>
    handDesign(
      "size ~ treat + time + (1|tree)",
      "sitka.csv",
      "size",
      [one, { name: "treatozone", value: (r) => (r.treat === "ozone" ? 1 : 0) }, time],
      [{ group: "tree", key: tree, columns: [one] }],
    ),
  sitka_mm0_ml: () =>
    handDesign(
      "size ~ time+I(time^2) + (time+I(time^2)|tree)",
      "sitka.csv",
      "size",
      [one, time, time2],
      [{ group: "tree", key: tree, columns: [one, time, time2] }],
    ),
  sleepstudy_slope_only_reml: () =>
    handDesign(
      "Reaction ~ Days + (0+Days|Subject)",
      "sleepstudy.csv",
      "Reaction",
      [one, days],
      [{ group: "Subject", key: (r) => String(r.Subject), columns: [days] }],
    ),
};
