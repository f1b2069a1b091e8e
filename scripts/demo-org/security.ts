/** security: the auditor's home; SAML, GitHub Actions OIDC and Lambda roles; no cluster. */
import type { Account } from '../../lambda/core/model';
import { GITHUB_ACTIONS_ISSUER, githubActionsTrust, serviceTrust } from '../shapes/trust-policies';
import { AccountBuilder } from './account-builder';
import { ACCOUNTS, customerPolicy } from './identities';

export function security(): Account {
  const sec = new AccountBuilder(ACCOUNTS.security, 'security');
  sec.provider(GITHUB_ACTIONS_ISSUER);
  sec.baseline();
  sec.role('irsa-auditor-function', serviceTrust('lambda.amazonaws.com'), {
    attached: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    inline: ['assume-member-roles', 'results-table', 'notify-topic'],
    lastUsed: '2026-11-29T03:00:04Z',
  });
  sec.role(
    'github-actions-irsa-auditor-deploy',
    githubActionsTrust(ACCOUNTS.security, 'acme-corp/irsa-auditor', 'ref:refs/heads/main'),
    { attached: [customerPolicy(ACCOUNTS.security, 'cdk-deploy')], lastUsed: '2026-11-27T16:02:33Z' },
  );
  sec.serviceLinkedRole(
    'AWSServiceRoleForAmazonGuardDuty',
    'guardduty.amazonaws.com',
    'AmazonGuardDutyServiceRolePolicy',
  );
  sec.identityCenterRole('SecurityAudit_3f1c2a9b8d7e6f50', 'SecurityAudit');
  return sec.account;
}
