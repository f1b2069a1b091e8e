/**
 * scan.account-unreachable — the audit role could not be assumed (or the account was cut by the
 * deadline), so nothing in the account was seen. "Not scanned" must never read as "no findings".
 */
import { partLabel } from '../coverage';
import type { ErrorCode } from '../errors';
import type { CoverageCheck } from './types';

const ASSUME_ROLE_FAILED: ErrorCode = 'AssumeRoleFailed';

export const check: CoverageCheck = {
  id: 'scan.account-unreachable',
  runsOn: 'coverage',
  severity: 'medium',
  title: 'Account could not be audited',
  description:
    'The audit role could not be assumed in the account, or the run reached its deadline before the account was started: nothing in the account was evaluated, and its open findings stay open. Or one account-wide part (IAM roles, OIDC providers, the region list) could not be read: the message names it, the checks that do not read it still ran, and only the findings that depend on it stay open.',
  remediation:
    'Deploy the irsa-auditor member role to the account (the StackSet does this for every account of the organization) and check that it trusts the audit function role.',
  guideStep: 'coverage',
  reads: [],
  run(error, account) {
    if (error.scope !== 'account') return [];
    const notScanned = error.code === 'NotScanned';
    // The member role could not be assumed at all, or it was assumed and one of the account-wide
    // reads failed (IAM roles or providers, region listing): say which, and what to grant. The code
    // decides: a denied read's message names the assumed-role session too (docs/collection.md).
    const assume = error.code === ASSUME_ROLE_FAILED;
    let remediation: string | undefined;
    if (notScanned) {
      remediation =
        'Raise the Lambda timeout or concurrency, or split the organization (run one account at a time with Step Functions).';
    } else if (!assume) {
      remediation =
        'Grant the member role the read permission named in the message (the StackSet template has all of them) and check that no SCP denies it.';
    }
    let message: string;
    if (notScanned)
      message = `Account ${account.accountId} was not scanned: the run reached its deadline first (${error.message}).`;
    else if (assume)
      message = `Account ${account.accountId} could not be audited: ${error.code}: ${error.message}`;
    else {
      // The parts it left unread (collector records name them): only findings that read those stay open.
      const parts = (error.parts ?? []).filter((part) => part !== 'account');
      const unread = parts.length > 0 ? ` (not read: ${parts.map(partLabel).join('; ')})` : '';
      message = `Account ${account.accountId} was only partly audited${unread}, so the findings that depend on it stay open: ${error.code}: ${error.message}`;
    }
    return [
      {
        message,
        resource: { accountId: account.accountId },
        evidence: { code: error.code, message: error.message },
        discriminator: error.code,
        remediation,
      },
    ];
  },
};
