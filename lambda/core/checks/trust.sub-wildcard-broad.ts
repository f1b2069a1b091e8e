/**
 * trust.sub-wildcard-broad — a StringLike `sub` pattern that matches across namespaces
 * (`system:serviceaccount:*`, `system:serviceaccount:team*` — `*` also matches `:`): whoever can
 * create a namespace or service account that fits the pattern gets the role.
 */

import { issuerClusters } from './grant-probe';
import { annotatedSubjects, roleResource, statementEvidence, trustFix } from './helpers';
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
          ...(subjects.length > 0
            ? trustFix(
                role.role.arn,
                `Replace the pattern in statement ${grant.statement} with the service accounts annotated with the role (StringEquals).`,
              )
            : {}),
        };
      });
  },
};
