/**
 * The one base of the project's errors: a stable `code` from one closed union, in PascalCase like AWS
 * error codes, so callers decide on the code (or the class), never on the message. Messages are for
 * people. Codes AWS or Kubernetes return (AccessDenied in a coverage record) are data, not these.
 */

export const ERROR_CODES = [
  // Inventory documents (docs/inventory.md)
  'InventoryUnreadable',
  'InventoryNotJson',
  'InventoryInvalid',
  // explain
  'ExplainTargetNotFound',
  // settings from any source (docs/deployment.md)
  'InvalidConfiguration',
  // results store (docs/results-table.md)
  'RunLocked',
  'LockLost',
  'UnprocessedItems',
  'WriteFailed',
  'ReadFailed',
  'BadCursor',
  'BadFilter',
  'TableNotFound',
  // pipeline stages
  'CollectFailed',
  'EvaluateFailed',
  'StoreFailed',
  'RunTimedOut',
  'RunAbandoned',
  // collection (docs/collection.md)
  'MissingCredentials',
  'OrganizationsAccessDenied',
  'AccountListFailed',
  'AssumeRoleFailed',
  'PaginationError',
  'ClusterNotFound',
  'ClusterBudgetExceeded',
  'ListExpired',
  // the CLI
  'UsageError',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class AuditorError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AuditorError';
  }
}

export function isAuditorError(error: unknown): error is AuditorError {
  return error instanceof AuditorError;
}
