/**
 * trust.sub-unrestricted — no effective `sub` restriction (no conditions, `aud` only, or only
 * negated / IfExists conditions on keys the token does not carry): any pod in the cluster can create
 * a token for its own service account and assume the role. The exposure the product exists to catch.
 */
import type { RoleView } from '../context';
import { admittedAudience, issuerClusters, policyAllows } from './grant-probe';
import { annotatedSubjects, roleResource, scopedStatementText, statementEvidence, trustFix } from './helpers';
import type { RoleCheck } from './types';

const PROBE_SUBJECT = 'system:serviceaccount:irsa-auditor-probe:any-service-account';

export const check: RoleCheck = {
  id: 'trust.sub-unrestricted',
  runsOn: 'role',
  severity: 'critical',
  title: 'Any service account in the cluster can assume the role',
  description:
    "The statement has no effective condition on the issuer's `:sub` key, so every service account of the cluster (any pod that can mount a projected token) can assume the role.",
  remediation:
    'Add a StringEquals condition on "<issuer>:sub" naming the service account(s) that need the role.',
  guideStep: 'trust-policy',
  reads: ['iam-roles'],
  run(role: RoleView, ctx) {
    if (role.trust.grants.length === 0) return [];
    return role.trust.grants
      .filter((grant) => grant.subjects.kind === 'unrestricted' && policyAllows(role, grant, PROBE_SUBJECT))
      .map((grant) => {
        const statement = role.trust.policy.statements[grant.statement];
        const subjects = annotatedSubjects(role, grant, ctx.serviceAccountsByRole);
        const target =
          subjects.length > 0 ? subjects : ['system:serviceaccount:<namespace>:<service-account>'];
        return {
          message: `${role.role.arn}: statement ${grant.statement} lets ANY service account of ${issuerClusters(grant, ctx)} assume the role (${grant.subjects.why}).`,
          resource: roleResource(role, grant.statement, grant.providerArn),
          evidence: statementEvidence(statement),
          discriminator: grant.providerArn,
          ...(subjects.length > 0
            ? trustFix(
                role.role.arn,
                `Restrict statement ${grant.statement} to the service accounts annotated with the role (StringEquals on "${grant.issuer}:sub").`,
              )
            : {
                remediation: `No service account is annotated with the role: name the ones that need it under StringEquals in statement ${grant.statement}, for example:\n${scopedStatementText(grant.providerArn, grant.issuer, target, admittedAudience(grant))}`,
              }),
        };
      });
  },
};
