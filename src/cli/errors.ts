/**
 * Turning an error into what the person at the terminal reads. Our own errors (FormulaError, DataError,
 * ModelError, ...) carry a message written for them; anything else is a bug and is reported as one.
 */
export function reportError(error: unknown): number {
  if (error instanceof Error && (error as { userFacing?: boolean }).userFacing) {
    process.stderr.write(`spruce: ${error.message}\n`);
    return 2;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`spruce: internal error (please report): ${text}\n`);
  return 70;
}
