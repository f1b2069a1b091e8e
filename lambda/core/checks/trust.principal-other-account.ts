/**
 * trust.principal-other-account — the Federated provider ARN is in another account than the role.
 * STS resolves the provider in the role's own account, so cross-account IRSA needs a provider for
 * the cluster's issuer in the role's account (docs/irsa-semantics.md §2.2.10); this statement never matches.
 */
import { providerArnFor } from '../arn';
import { roleResource, statementEvidence, trustFix, withProvider } from './helpers';
import type { RoleCheck } from './types';

export const check: RoleCheck = {
  id: 'trust.principal-other-account',
  runsOn: 'role',
  severity: 'high',
  title: 'Federated provider is in another account than the role',
  description:
    "The trust names an OIDC provider in another account. STS looks the provider up in the role's account, so the statement never matches; cross-account IRSA needs a provider for the cluster issuer in the role's own account.",
  remediation:
    "Create an OIDC provider for the cluster's issuer in the role's account and name that provider in the trust policy.",
  guideStep: 'trust-policy',
  reads: ['iam-roles'],
  run(role) {
    if (role.trust.oidcStatements.length === 0) return [];
    return role.trust.oidcStatements.flatMap(({ statement, providers }) =>
      providers
        .filter(
          (provider) => provider.parsed && !provider.problem && provider.parsed.accountId !== role.accountId,
        )
        .map((provider) => {
          const issuer = provider.parsed!.issuer;
          const ownArn = providerArnFor(role.partition, role.accountId, issuer);
          return {
            message: `${role.role.arn} (account ${role.accountId}): statement ${statement.index} trusts ${provider.value}, a provider in account ${provider.parsed!.accountId}; STS only uses providers in the role's account, so pods get AccessDenied.`,
            resource: roleResource(role, statement.index, provider.value),
            evidence: statementEvidence(statement),
            discriminator: provider.value,
            ...withProvider(
              trustFix(
                role.role.arn,
                `Create an OIDC provider for https://${issuer} in account ${role.accountId} (first command, with credentials for that account), then set Principal.Federated of statement ${statement.index} to ${ownArn}.`,
              ),
              issuer,
            ),
          };
        }),
    );
  },
};
