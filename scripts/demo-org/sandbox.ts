/** sandbox: the auditor's member role is not deployed there (AssumeRole denied). */
import type { Account } from '../../lambda/core/model';
import { AccountBuilder } from './account-builder';
import { ACCOUNTS } from './identities';

export function sandbox(): Account {
  const account = new AccountBuilder(ACCOUNTS.sandbox, 'sandbox');
  account.error({
    scope: 'account',
    code: 'AssumeRoleFailed',
    message: `could not assume arn:aws:iam::${ACCOUNTS.sandbox}:role/irsa-auditor-member: AccessDenied: User: arn:aws:sts::${ACCOUNTS.security}:assumed-role/irsa-auditor-function/irsa-auditor is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${ACCOUNTS.sandbox}:role/irsa-auditor-member (the member-role StackSet is not deployed to the Sandbox OU)`,
  });
  return account.account;
}
