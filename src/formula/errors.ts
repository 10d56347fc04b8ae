import { SpruceError } from "../errors.js";

/**
 * A formula that cannot be read or expanded. The message shows the formula with a caret under the offending
 * position, so the person can see where it went wrong without counting characters.
 */
export class FormulaError extends SpruceError {
  /** The formula text as given. */
  readonly formula: string;
  /** 0-based character offset of the problem in `formula`. */
  readonly position: number;
  /** The explanation alone, without the caret display. */
  readonly reason: string;

  constructor(reason: string, formula: string, position: number) {
    const at = Math.max(0, Math.min(position, formula.length));
    super(`${reason} (at position ${at + 1})\n  ${formula}\n  ${" ".repeat(at)}^`);
    this.formula = formula;
    this.position = at;
    this.reason = reason;
  }
}
