/**
 * Collection errors: a small typed hierarchy with stable `code` strings and messages written for the
 * person running the audit. Causes are kept; credentials and policy documents never appear in messages.
 */

import { AuditorError, type ErrorCode } from '../core/errors';

export class CollectError extends AuditorError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'CollectError';
  }
}

/** No usable AWS credentials for the caller (no profile, no environment, no SSO session). */
export class MissingCredentialsError extends CollectError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      'MissingCredentials',
      `No usable AWS credentials: ${detail}. Set AWS_PROFILE (or --profile), run \`aws sso login\`, ` +
        'or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.',
      options,
    );
    this.name = 'MissingCredentialsError';
  }
}

/** The caller cannot enumerate the organization: the run cannot know which accounts to audit. */
export class OrganizationsAccessError extends CollectError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      'OrganizationsAccessDenied',
      `Cannot list the accounts of the AWS Organization: ${detail}. Run from the management account or a ` +
        'delegated administrator with organizations:ListAccounts (and ListAccountsForParent, ' +
        'ListOrganizationalUnitsForParent for --ous), or name the accounts with --accounts.',
      options,
    );
    this.name = 'OrganizationsAccessError';
  }
}

/** Pagination that does not terminate (a token repeated, or truncated without a token). */
export class PaginationError extends CollectError {
  constructor(api: string, detail: string) {
    super('PaginationError', `${api}: ${detail}`);
    this.name = 'PaginationError';
  }
}

/** Bounded length for messages built from service errors (they can quote request details). */
export function trimMessage(text: string, max = 300): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
