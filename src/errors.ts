/**
 * Errors the user can act on. Each carries `userFacing = true` so the CLI prints the message alone.
 * Messages name the column, term or position at fault.
 */
export class SpruceError extends Error {
  readonly userFacing = true;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The data cannot be used as asked: unknown column, non-numeric response, nothing left after dropping rows. */
export class DataError extends SpruceError {}

/** The model cannot be fitted: too many levels, no observations, numerical failure. */
export class ModelError extends SpruceError {}

/** A function was called with an argument or option it cannot take: the message names the argument and the value. */
export class ArgumentError extends SpruceError {}
