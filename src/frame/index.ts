// Data in: CSV files, records, columns; factors as R makes them.
export { parseCsv, readCsv } from "./csv.js";
export { evaluateGroupingVariable, evaluateVariable, type Variable } from "./evaluate.js";
export { compareCodePoints, compareLevels, type Factor, interactFactors, makeFactor } from "./factor.js";
export {
  type CellValue,
  type Column,
  type DataFrame,
  type DataInput,
  fromColumns,
  fromRecords,
  isDataFrame,
  toDataFrame,
} from "./frame.js";
