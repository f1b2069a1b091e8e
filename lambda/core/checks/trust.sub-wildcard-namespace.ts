/**
 * trust.sub-wildcard-namespace — a StringLike `sub` pattern confined to one namespace
 * (`system:serviceaccount:<ns>:*`, the AWS docs' namespace-wide variant). Legitimate, but every
 * service account created in that namespace later gets the role: a hardening finding. An Allow without
 * a `sub` condition that a Deny (`StringNotLike sub system:serviceaccount:<ns>:*`) confines to one
 * namespace is the same exposure and is reported the same way.
 */

import { issuerClusters } from './grant-probe';
import { roleResource, statementEvidence } from './helpers';
import type { RoleCheck } from './types';

/** Names the Deny statements that confine an Allow to the namespace (Allow minus Deny). */
function narrowing(denies: readonly number[]): string {
  if (denies.length === 0) return '';
  return ` (the Deny of statement ${denies.join(', ')} excludes every other subject)`;
}

export const check: RoleCheck = {
  id: 'trust.sub-wildcard-namespace',
  runsOn: 'role',
  severity: 'low',
  title: 'sub pattern admits service accounts of a whole namespace',
  description:
    'A StringLike pattern on `:sub` admits every service account (or every one matching a name pattern) of one namespace — also when a Deny statement (StringNotLike `:sub` on the namespace) confines an otherwise unrestricted Allow to it. Valid, but any new service account there gets the role.',
  remediation: 'List the exact service accounts under StringEquals if the namespace is shared.',
  guideStep: 'trust-policy',
  reads: ['iam-roles'],
  run(role, ctx) {
    if (role.trust.grants.length === 0) return [];
    return role.trust.grants
      .filter((grant) => grant.subjects.kind === 'namespace')
      .flatMap((grant) =>
        grant.subjects.namespaces.map((ns) => ({
          message: `${role.role.arn}: statement ${grant.statement} admits ${ns.everyServiceAccount ? 'every service account' : `every service account matching "${ns.pattern}"`} of namespace ${ns.namespace} in ${issuerClusters(grant, ctx)}${narrowing(grant.narrowedBy)}.`,
          resource: roleResource(role, grant.statement, grant.providerArn),
          evidence: {
            pattern: ns.pattern,
            statement: statementEvidence(role.trust.policy.statements[grant.statement]),
          },
          discriminator: `${grant.providerArn}|${ns.pattern}`,
        })),
      );
  },
};
