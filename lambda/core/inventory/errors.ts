/**
 * Inventory errors: one typed class with a stable `code`, so the CLI can map every bad input to exit
 * code 2 with a clear message (docs/inventory.md) and never show a stack trace.
 */

import { AuditorError, type ErrorCode } from '../errors';

export type InventoryErrorCode = Extract<
  ErrorCode,
  'InventoryUnreadable' | 'InventoryNotJson' | 'InventoryInvalid'
>;

/** One thing wrong with the document: where (a JSON path such as `$.accounts[0].accountId`) and what. */
export interface InventoryProblem {
  path: string;
  message: string;
}

export class InventoryError extends AuditorError {
  declare readonly code: InventoryErrorCode;
  /** The file name (or other label) the document came from. */
  readonly source: string;
  /** For `InventoryInvalid`: the problems found, at most `MAX_INVENTORY_PROBLEMS`. */
  readonly problems: readonly InventoryProblem[];
  /** True when validation stopped at the problem limit and more may exist. */
  readonly truncated: boolean;

  constructor(
    code: InventoryErrorCode,
    message: string,
    options: { source: string; problems?: readonly InventoryProblem[]; truncated?: boolean; cause?: unknown },
  ) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'InventoryError';
    this.source = options.source;
    this.problems = options.problems ?? [];
    this.truncated = options.truncated ?? false;
  }
}

export function isInventoryError(error: unknown): error is InventoryError {
  return error instanceof InventoryError;
}
