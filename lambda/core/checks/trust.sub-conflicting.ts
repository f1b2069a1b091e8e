/**
 * trust.sub-conflicting — several operators constrain `sub` and no service account satisfies all of
 * them (StringEquals one SA AND StringLike another namespace; a StringNotEquals that excludes the only
 * allowed SA): the statement can never be used.
 */
import { annotatedSubjects, roleResource, statementEvidence, trustFix } from './helpers';
import type { RoleCheck } from './types';

export const check: RoleCheck = {
  id: 'trust.sub-conflicting',
  runsOn: 'role',
  severity: 'high',
  title: 'sub conditions contradict each other',
  description:
    'Several conditions constrain `:sub` and no service account can satisfy all of them, so the statement never matches.',
  remediation: 'Keep one condition on :sub that names the intended service account(s).',
  guideStep: 'trust-policy',
  reads: ['iam-roles'],
  run(role, ctx) {
    if (role.trust.grants.length === 0) return [];
    return role.trust.grants
      .filter((grant) => grant.subjects.kind === 'none' && grant.subjects.conflicting)
      .map((grant) => ({
        message: `${role.role.arn}: statement ${grant.statement}: ${grant.subjects.why}; the statement never matches a token.`,
        resource: roleResource(role, grant.statement, grant.providerArn),
        evidence: statementEvidence(role.trust.policy.statements[grant.statement]),
        discriminator: grant.providerArn,
        ...(annotatedSubjects(role, grant, ctx.serviceAccountsByRole).length > 0
          ? trustFix(
              role.role.arn,
              `Replace the conflicting :sub conditions of statement ${grant.statement} with one that names the service accounts annotated with the role.`,
            )
          : {}),
      }));
  },
};
