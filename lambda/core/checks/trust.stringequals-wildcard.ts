/**
 * trust.stringequals-wildcard — `*` or `?` in a value under StringEquals (or its IgnoreCase /
 * IfExists / set forms): they are literal characters there, so `system:serviceaccount:ns:*` only
 * matches a service account literally named `*` and the role is never assumable (AccessDenied).
 */
import { roleResource, statementEvidence, trustFix } from './helpers';
import type { RoleCheck } from './types';

export const check: RoleCheck = {
  id: 'trust.stringequals-wildcard',
  runsOn: 'role',
  severity: 'high',
  title: 'Wildcard under StringEquals is literal and never matches',
  description:
    'A value under StringEquals contains `*` or `?`. StringEquals compares literally, so the condition only matches a value containing that character; use StringLike for patterns.',
  remediation:
    'Use StringLike for the pattern, or better, list the exact service accounts under StringEquals.',
  guideStep: 'trust-policy',
  reads: ['iam-roles'],
  run(role) {
    if (role.trust.oidcStatements.length === 0) return [];
    return role.trust.oidcStatements.flatMap(({ statement }) =>
      statement.conditions
        .filter(
          (clause) =>
            clause.operator?.family === 'String' &&
            !clause.operator.like &&
            !clause.operator.negated &&
            clause.values.some((value) => /[*?]/.test(value.raw) && !/\$\{[*?]\}/.test(value.raw)),
        )
        .map((clause) => {
          const values = clause.values.filter((value) => /[*?]/.test(value.raw)).map((value) => value.raw);
          return {
            message: `${role.role.arn}: statement ${statement.index} has ${clause.operatorRaw} "${clause.key}" = ${JSON.stringify(values)}; under StringEquals \`*\`/\`?\` are literal, so this never matches a real token.`,
            resource: roleResource(role, statement.index),
            evidence: statementEvidence(statement),
            discriminator: clause.keyLower,
            ...trustFix(
              role.role.arn,
              `Name the service accounts annotated with the role under StringEquals "${clause.key}" in statement ${statement.index} instead of the pattern (which never matched, so nothing loses access); without any, the pattern moves under StringLike.`,
            ),
          };
        }),
    );
  },
};
