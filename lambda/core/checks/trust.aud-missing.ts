/**
 * trust.aud-missing — no `:aud` condition. STS already rejects audiences missing from the provider's
 * client ids, so this is hardening (docs/irsa-semantics.md §2.2.11): it matters when the provider lists other
 * audiences than sts.amazonaws.com.
 */
import { DEFAULT_AUDIENCE } from '../model';
import { grantRestrictsAudience } from '../policy/trust';
import { roleResource, statementEvidence, trustFix } from './helpers';
import type { RoleCheck } from './types';

export const check: RoleCheck = {
  id: 'trust.aud-missing',
  runsOn: 'role',
  severity: 'low',
  title: 'No aud condition',
  description:
    'The statement does not restrict `:aud`. STS still requires the audience to be one of the provider client ids; adding the condition keeps tokens minted for other audiences out.',
  remediation: `Add "<issuer>:aud": "${DEFAULT_AUDIENCE}" under StringEquals.`,
  guideStep: 'trust-policy',
  reads: ['iam-roles'],
  run(role) {
    if (role.trust.grants.length === 0) return [];
    return role.trust.grants
      .filter((grant) => grant.subjects.kind !== 'none' && !grantRestrictsAudience(grant))
      .map((grant) => ({
        message: `${role.role.arn}: statement ${grant.statement} has no condition on "${grant.issuer}:aud".`,
        resource: roleResource(role, grant.statement, grant.providerArn),
        evidence: statementEvidence(role.trust.policy.statements[grant.statement]),
        discriminator: grant.providerArn,
        ...trustFix(
          role.role.arn,
          `Add "${grant.issuer}:aud" (${DEFAULT_AUDIENCE}, or the audience the service accounts request) under StringEquals in statement ${grant.statement}.`,
        ),
      }));
  },
};
