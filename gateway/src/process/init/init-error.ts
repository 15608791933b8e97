// The one error `gateway init` throws on purpose: what to print and which exit code to return.
// Exit 2 is a bad command line (docs/contract.md "Commands"); exit 1 is everything else that stops init.

export class InitError extends Error {
  readonly exitCode: 1 | 2;
  /** Extra lines printed under the message (one refused path each, for instance). */
  readonly details: readonly string[];

  constructor(exitCode: 1 | 2, message: string, details: readonly string[] = []) {
    super(message);
    this.name = 'InitError';
    this.exitCode = exitCode;
    this.details = details;
  }
}

/** A bad command line: exit 2. */
export const usageError = (message: string, details: readonly string[] = []): InitError => new InitError(2, message, details);

/** The document, the network or the file system stopped us: exit 1. */
export const refusal = (message: string, details: readonly string[] = []): InitError => new InitError(1, message, details);
