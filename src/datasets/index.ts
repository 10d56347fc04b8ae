/**
 * The example data sets, importable anywhere (Node, bundlers, browsers): `datasets.sitka` and
 * `datasets.sleepstudy` are frames as readCsv("examples/….csv") gives them (see examples/README.md for their
 * sources). Each access parses the CSV text afresh (a millisecond), so no module holds a frame that a caller could
 * change under another.
 */

import { parseCsv } from "../frame/csv.js";
import type { DataFrame } from "../frame/frame.js";
import { sitkaCsv } from "./sitka-csv.js";
import { sleepstudyCsv } from "./sleepstudy-csv.js";

export interface Datasets {
  /** MASS's Sitka: 395 rows, `size`, `time` (standardised), `tree` (1–79), `treat` (control/ozone). */
  readonly sitka: DataFrame;
  /** lme4's sleepstudy: 180 rows, `Reaction`, `Days`, `Subject`. */
  readonly sleepstudy: DataFrame;
}

export const datasets: Datasets = {
  get sitka(): DataFrame {
    return parseCsv(sitkaCsv, "sitka");
  },
  get sleepstudy(): DataFrame {
    return parseCsv(sleepstudyCsv, "sleepstudy");
  },
};

/** The CSV text of each data set (what examples/*.csv holds). */
export const datasetCsv: Readonly<Record<keyof Datasets, string>> = {
  sitka: sitkaCsv,
  sleepstudy: sleepstudyCsv,
};
