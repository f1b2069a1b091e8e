/**
 * trust.provider-missing — the trust names a provider (in the role's account) that does not exist:
 * the cluster was re-created with a new issuer or the provider was deleted. STS answers
 * `InvalidIdentityToken: No OpenIDConnect provider found in your account`.
 */
import { sameClusterOtherHostFamily } from '../arn';
import { clusterLabel, createProviderCommand, repointFix, roleResource, statementEvidence } from './helpers';
import type { RoleCheck } from './types';

export const check: RoleCheck = {
  id: 'trust.provider-missing',
  runsOn: 'role',
  severity: 'high',
  title: 'Trust names an OIDC provider that does not exist',
  description:
    "The Federated provider ARN is in the role's account but no such provider exists there (deleted, or the cluster was re-created with a new issuer).",
  remediation: 'Create the provider for the current cluster issuer and update the trust policy to name it.',
  guideStep: 'oidc-provider',
  reads: ['iam-roles', 'oidc-providers'],
  run(role, ctx) {
    if (role.trust.oidcStatements.length === 0) return [];
    if (!ctx.partRead(role.accountId, 'oidc-providers')) return [];
    const providers = ctx.providersByAccount.get(role.accountId);
    return role.trust.oidcStatements.flatMap(({ statement, providers: refs }) =>
      refs
        .filter(
          (ref) =>
            ref.parsed &&
            !ref.problem &&
            ref.parsed.accountId === role.accountId &&
            !providers?.has(ref.parsed.issuer),
        )
        .map((ref) => {
          const issuer = ref.parsed!.issuer;
          const clusters = ctx.clustersByIssuer.get(issuer) ?? [];
          const sibling = [...(providers?.keys() ?? [])].find((url) =>
            sameClusterOtherHostFamily(url, issuer),
          );
          let context: string;
          if (clusters.length > 0) {
            context = `cluster ${clusterLabel(clusters[0])} still has this issuer: create the provider`;
          } else if (sibling) {
            context = `a provider exists under the other EKS host family (${sibling}); the names must match exactly`;
          } else {
            context = 'no audited cluster has this issuer either (deleted or re-created cluster?)';
          }
          return {
            message: `${role.role.arn}: statement ${statement.index} trusts ${ref.value}, but account ${role.accountId} has no such OIDC provider; ${context}.`,
            resource: roleResource(role, statement.index, ref.value),
            evidence: statementEvidence(statement),
            discriminator: ref.value,
            ...(clusters.length > 0
              ? {
                  remediation: `Create the OIDC provider for https://${issuer} in account ${role.accountId}.`,
                  commands: [createProviderCommand(issuer)],
                }
              : repointFix(role, statement.index, ctx)),
          };
        }),
    );
  },
};
