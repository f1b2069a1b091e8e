/**
 * trust.sub-wildcard-broad — a StringLike `sub` pattern that matches across namespaces
 * (`system:serviceaccount:*`, `system:serviceaccount:team*` — `*` also matches `:`): whoever can
 * create a namespace or service account that fits the pattern gets the role.
 */

import { admittedAudience, issuerClusters } from './grant-probe';
import { annotatedSubjects, roleResource, scopedStatementText, statementEvidence } from './helpers';
import type { RoleCheck } from './types';

export const check: RoleCheck = {
  id: 'trust.sub-wildcard-broad',
  runsOn: 'role',
  severity: 'high',
  title: 'sub pattern matches service accounts across namespaces',
  description:
    'A StringLike pattern on `:sub` matches service accounts in more than one namespace (`*` also matches `:`), so anyone who can create a matching namespace or service account can assume the role.',
  remediation:
    'Replace the pattern with the exact subjects, or at least confine it to one namespace (system:serviceaccount:<ns>:<name>).',
  guideStep: 'trust-policy',
  reads: ['iam-roles'],
  run(role, ctx) {
    if (role.trust.grants.length === 0) return [];
    return role.trust.grants
      .filter((grant) => grant.subjects.kind === 'cross-namespace')
      .map((grant) => {
        const subjects = annotatedSubjects(role, grant, ctx.serviceAccountsByRole);
        return {
          message: `${role.role.arn}: statement ${grant.statement} admits every service account matching ${grant.subjects.broad.map((p) => `"${p}"`).join(', ')} in ${issuerClusters(grant, ctx)}, across namespaces.`,
          resource: roleResource(role, grant.statement, grant.providerArn),
          evidence: {
            patterns: grant.subjects.broad,
            statement: statementEvidence(role.trust.policy.statements[grant.statement]),
          },
          discriminator: `${grant.providerArn}|${grant.subjects.broad.join(',')}`,
          remediation:
            subjects.length > 0
              ? `Use StringEquals with the annotated service accounts:\n${scopedStatementText(grant.providerArn, grant.issuer, subjects, admittedAudience(grant))}`
              : undefined,
        };
      });
  },
};
