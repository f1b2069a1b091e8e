/**
 * trust.aud-mismatch — the `:aud` condition excludes the audience the tokens carry
 * (`sts.amazonaws.com` unless the service account annotation `eks.amazonaws.com/audience` says
 * otherwise; `sts.amazonaws.com.cn` is a classic China-partition mistake): AccessDenied.
 */
import { ANNOTATION_AUDIENCE, DEFAULT_AUDIENCE } from '../model';
import { grantAdmitsAudience } from '../policy/trust';
import { roleResource, statementEvidence, trustFix } from './helpers';
import type { RoleCheck } from './types';

export const check: RoleCheck = {
  id: 'trust.aud-mismatch',
  runsOn: 'role',
  severity: 'high',
  title: 'aud condition excludes the audience tokens carry',
  description:
    'The `:aud` condition does not admit the audience of the tokens (sts.amazonaws.com by default, in every partition, or the service account audience annotation).',
  remediation: `Set "<issuer>:aud" to "${DEFAULT_AUDIENCE}" (or to the audience the service account annotation requests).`,
  guideStep: 'trust-policy',
  reads: ['iam-roles', 'describe', 'service-accounts'],
  run(role, ctx) {
    if (role.trust.grants.length === 0) return [];
    const annotated = ctx.serviceAccountsByRole.get(role.role.arn) ?? [];
    return role.trust.grants
      .filter((grant) => grant.subjects.kind !== 'none' && grant.audClauses.length > 0)
      .flatMap((grant) => {
        const users = annotated.filter((sa) => sa.cluster.issuer === grant.issuer);
        const audiences = new Set(
          users.length > 0
            ? users.map((sa) => sa.serviceAccount.annotations[ANNOTATION_AUDIENCE] || DEFAULT_AUDIENCE)
            : [DEFAULT_AUDIENCE],
        );
        return [...audiences]
          .filter((audience) => grantAdmitsAudience(grant, audience) === false)
          .map((audience) => ({
            message: `${role.role.arn}: statement ${grant.statement} requires ${grant.audClauses.map((c) => `${c.operatorRaw} "${c.key}" ${JSON.stringify(c.values.map((v) => v.raw))}`).join(' and ')}, but tokens carry aud "${audience}"; pods get AccessDenied.`,
            resource: roleResource(role, grant.statement, grant.providerArn),
            evidence: statementEvidence(role.trust.policy.statements[grant.statement]),
            discriminator: `${grant.providerArn}|${audience}`,
            ...trustFix(
              role.role.arn,
              `Set "${grant.issuer}:aud" to "${audience}" under StringEquals in statement ${grant.statement}.`,
            ),
          }));
      });
  },
};
