/**
 * trust.sub-malformed — a `sub` value that is not `system:serviceaccount:<namespace>:<name>` with
 * valid Kubernetes names (doubled prefix, spaces, upper case, a missing part): no token ever carries it.
 */
import { subjectValueProblem } from '../policy/trust';
import { roleResource } from './helpers';
import type { RoleCheck } from './types';

export const check: RoleCheck = {
  id: 'trust.sub-malformed',
  runsOn: 'role',
  severity: 'high',
  title: 'sub value is not a service account subject',
  description:
    'A `:sub` condition value is not of the form system:serviceaccount:<namespace>:<name> with valid Kubernetes names, so it never matches a token.',
  remediation: 'Write the subject as system:serviceaccount:<namespace>:<service-account-name>.',
  guideStep: 'trust-policy',
  reads: ['iam-roles'],
  run(role) {
    if (role.trust.grants.length === 0) return [];
    return role.trust.grants.flatMap((grant) =>
      grant.subClauses
        .filter((clause) => clause.operator?.family === 'String' && !clause.operator.negated)
        .flatMap((clause) =>
          clause.values.flatMap((value) => {
            // `*`/`?` under StringEquals are trust.stringequals-wildcard's finding, not a second one here.
            if (!clause.operator?.like && /[*?]/.test(value.raw)) return [];
            const problem = subjectValueProblem(
              value.raw,
              Boolean(clause.operator?.like && value.hasWildcard),
              clause.operator?.ignoreCase,
            );
            if (!problem) return [];
            return [
              {
                message: `${role.role.arn}: statement ${grant.statement} ${clause.operatorRaw} "${clause.key}" value "${value.raw}" is not a service account subject: ${problem}.`,
                resource: roleResource(role, grant.statement, grant.providerArn),
                evidence: { key: clause.key, value: value.raw },
                discriminator: value.raw,
              },
            ];
          }),
        ),
    );
  },
};
