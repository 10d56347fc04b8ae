/**
 * A formula input with its error line: syntax is checked as the person types (parsing is cheap), and errors from
 * fitting (unknown column, bad term) land in the same place. The message is FormulaError's own: the reason, the
 * formula, and a caret under the position at fault.
 */
import { FormulaError } from "../../src/formula/errors.js";
import { parseFormula } from "../../src/formula/parser.js";
import { messageOf } from "./dom.js";

export class FormulaField {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly input: HTMLInputElement,
    private readonly errorLine: HTMLElement,
  ) {
    // Check after a short pause in typing, not on every key: a half-typed formula is always wrong.
    input.addEventListener("input", () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.check(), 400);
    });
    input.addEventListener("change", () => this.check());
  }

  get value(): string {
    return this.input.value.trim();
  }

  /** Parse the formula; show the syntax error if any. Returns whether it parsed. */
  check(): boolean {
    clearTimeout(this.timer);
    if (this.value === "") {
      this.showError(undefined);
      return false;
    }
    try {
      parseFormula(this.value);
      this.showError(undefined);
      return true;
    } catch (error) {
      if (error instanceof FormulaError) this.showError(error.reason, error.position);
      else this.showError(messageOf(error));
      return false;
    }
  }

  /**
   * Show an error under the input; with a position, the formula is repeated with a caret under that character (a
   * syntax error, or the name of a column the data lacks).
   */
  showError(message: string | undefined, position?: number): void {
    const caret =
      message && position !== undefined
        ? `\n  ${this.value}\n  ${" ".repeat(Math.max(0, Math.min(position, this.value.length)))}^`
        : "";
    this.errorLine.textContent = message ? message + caret : "";
    if (position !== undefined) this.errorLine.dataset.position = String(position);
    else delete this.errorLine.dataset.position;
    this.errorLine.hidden = !message;
    if (message) this.input.setAttribute("aria-invalid", "true");
    else this.input.removeAttribute("aria-invalid");
  }
}
