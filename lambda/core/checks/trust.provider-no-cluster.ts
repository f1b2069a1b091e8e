/**
 * trust.provider-no-cluster — the trust names an existing provider whose issuer no live cluster has:
 * a dead trust left by a deleted or re-created cluster. Harmless until someone brings up a cluster with
 * that issuer (they cannot), but it hides which cluster the role is really for. Skipped when part of
 * the scope could not be listed.
 */
import { eksIssuerParts } from '../arn';
import { roleResource, statementEvidence } from './helpers';
import type { RoleCheck } from './types';

export const check: RoleCheck = {
  id: 'trust.provider-no-cluster',
  runsOn: 'role',
  severity: 'low',
  title: 'Trust names a provider whose issuer no cluster has',
  description:
    'The trusted OIDC provider exists but no audited cluster has its issuer: the statement is dead (cluster deleted or re-created).',
  remediation: 'Remove the statement, or point it at the issuer of the cluster that now runs the workload.',
  guideStep: 'trust-policy',
  reads: ['iam-roles', 'oidc-providers', 'region-list', 'cluster-list', 'describe'],
  run(role, ctx) {
    if (role.trust.oidcStatements.length === 0) return [];
    const providers = ctx.providersByAccount.get(role.accountId);
    return role.trust.oidcStatements.flatMap(({ statement, providers: refs }) =>
      refs
        .filter((ref) => {
          if (!ref.parsed || ref.problem || ref.parsed.accountId !== role.accountId) return false;
          const issuer = ref.parsed.issuer;
          const parts = eksIssuerParts(issuer);
          return (
            parts !== undefined &&
            providers?.has(issuer) === true &&
            !ctx.clustersByIssuer.has(issuer) &&
            ctx.clusterCoverage(role.accountId, parts.region).kind !== 'missing'
          );
        })
        .map((ref) => {
          // As provider.orphaned: a gap in another account's cluster list is named, never hidden.
          const region = eksIssuerParts(ref.parsed!.issuer)!.region;
          const coverage = ctx.clusterCoverage(role.accountId, region);
          const caveat =
            coverage.kind === 'partial'
              ? ` (not seen in this run: ${coverage.notSeen.join(', ')}; a cross-account cluster could be there)`
              : '';
          return {
            message: `${role.role.arn}: statement ${statement.index} trusts ${ref.value}, whose issuer no audited cluster has; the statement can no longer be used${caveat}.`,
            resource: roleResource(role, statement.index, ref.value),
            evidence: statementEvidence(statement),
            discriminator: ref.value,
          };
        }),
    );
  },
};
