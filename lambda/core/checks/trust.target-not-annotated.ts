/**
 * trust.target-not-annotated — the role trusts exactly a service account that exists, but that
 * service account is not annotated with this role and has no Pod Identity association: the annotation
 * was stripped by a Helm or eksctl update, or never added, and its pods fall back to the node role.
 */

import { shellQuote } from '../access-entry';
import type { FindingDraft } from '../findings';
import { ANNOTATION_ROLE_ARN } from '../model';
import { policyAllows } from './grant-probe';
import { annotateAndRestart, clusterLabel, roleResource } from './helpers';
import type { RoleCheck } from './types';

function describeAnnotation(annotation: string | undefined, roleArn: string): string {
  if (!annotation) return 'not annotated and has no Pod Identity association; its pods get the node role';
  if (annotation.trim().replace(/^["']|["']$/g, '') === roleArn) {
    return `annotated with a malformed form of this role's ARN (${JSON.stringify(annotation)}), which STS rejects`;
  }
  return `annotated with another role (${annotation}) and has no Pod Identity association; its pods use that role, not this one`;
}

export const check: RoleCheck = {
  id: 'trust.target-not-annotated',
  runsOn: 'role',
  severity: 'medium',
  title: 'Trusted service account is not annotated with the role',
  description:
    'The role trusts a service account by name, the service account exists, but it is not annotated with this role and has no Pod Identity association, so its pods use the node role.',
  remediation:
    'Annotate the service account with the role, then re-create the pods of the workloads that use it.',
  commands: [
    'kubectl annotate serviceaccount -n <ns> <name> eks.amazonaws.com/role-arn=<role arn> --overwrite',
  ],
  guideStep: 'service-account',
  reads: ['iam-roles', 'describe', 'service-accounts', 'pods', 'pod-identity'],
  run(role, ctx) {
    const drafts: FindingDraft[] = [];
    for (const grant of role.trust.grants) {
      for (const subject of grant.subjects.exact) {
        const sa = ctx.serviceAccountBySubject(grant.issuer, subject);
        if (!sa?.cluster.readable || sa.roleArn === role.role.arn || sa.association) continue;
        if (!policyAllows(role, grant, subject)) continue;
        const { namespace, name } = sa.serviceAccount;
        drafts.push({
          message: `${role.role.arn} trusts ${namespace}/${name} in cluster ${clusterLabel(sa.cluster)}, but the service account is ${describeAnnotation(sa.roleArn, role.role.arn)}.`,
          resource: {
            ...roleResource(role, grant.statement, grant.providerArn),
            region: sa.cluster.cluster.region,
            cluster: sa.cluster.cluster.name,
            namespace,
            serviceAccount: name,
          },
          evidence: { subject, annotations: sa.serviceAccount.annotations },
          discriminator: subject,
          ...annotateAndRestart(
            sa,
            ctx,
            `Annotate the service account with ${role.role.arn} if it is meant to use the role.`,
            [
              `kubectl annotate serviceaccount -n ${shellQuote(namespace)} ${shellQuote(name)} ${shellQuote(`${ANNOTATION_ROLE_ARN}=${role.role.arn}`)} --overwrite`,
            ],
          ),
        });
      }
    }
    return drafts;
  },
};
