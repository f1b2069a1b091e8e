/**
 * The errors of the results store port, with stable codes: every adapter of `ResultsStore` throws
 * these, so the pipeline and the CLI can tell a held lock from a failed write. Messages never carry
 * credentials or policies.
 */

import { AuditorError, type ErrorCode } from '../core/errors';

export type StoreErrorCode = Extract<
  ErrorCode,
  | 'RunLocked'
  | 'LockLost'
  | 'UnprocessedItems'
  | 'WriteFailed'
  | 'ReadFailed'
  | 'BadCursor'
  | 'BadFilter'
  | 'TableNotFound'
>;

export class StoreError extends AuditorError {
  constructor(
    override readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'StoreError';
  }
}

/** Another run holds the lock: the caller should exit cleanly, naming the holder. */
export class RunLockedError extends StoreError {
  constructor(
    readonly holder: string,
    /** Epoch seconds when the holder's lock expires if it is never released. */
    readonly expiresAt: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      'RunLocked',
      `another audit run holds the run lock: ${holder}${
        expiresAt === undefined ? '' : ` (until ${new Date(expiresAt * 1000).toISOString()} at the latest)`
      }`,
      options,
    );
    this.name = 'RunLockedError';
  }
}

/** The lock expired and another run took it: this run must stop writing. */
export class LockLostError extends StoreError {
  constructor(
    readonly holder: string,
    options?: { cause?: unknown },
  ) {
    super('LockLost', `run lock of ${holder} was lost (expired and taken over, or deleted)`, options);
    this.name = 'LockLostError';
  }
}
