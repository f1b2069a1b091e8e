/**
 * sa.role-arn-malformed — the role-arn annotation value is not a valid IAM role ARN (quotes, spaces,
 * a role name without `arn:`, `arn:aws:iam::::…`). The webhook only logs "arn is invalid" and injects
 * it anyway; STS answers `ValidationError: Request ARN is invalid`.
 * With a Pod Identity association it is reported only while running pods still carry the IRSA
 * variables: new pods get Pod Identity instead (docs/irsa-semantics.md §4.3; sa.irsa-and-pod-identity).
 */

import { shellQuote } from '../access-entry';
import { roleArnProblem } from '../arn';
import { ANNOTATION_ROLE_ARN } from '../model';
import {
  annotateAndRestart,
  podIdentityNote,
  saLabel,
  serviceAccountResource,
  supersededByPodIdentity,
} from './helpers';
import type { ServiceAccountCheck } from './types';

export const check: ServiceAccountCheck = {
  id: 'sa.role-arn-malformed',
  runsOn: 'serviceAccount',
  severity: 'high',
  title: 'role-arn annotation is not a valid role ARN',
  description:
    'The eks.amazonaws.com/role-arn value is not a valid IAM role ARN (arn:<partition>:iam::<12-digit account>:role/<path/name>). An empty value disables injection. Not reported for a service account with a Pod Identity association unless running pods still use IRSA.',
  remediation: 'Set the annotation to the role ARN exactly (no quotes or spaces), then re-create the pods.',
  commands: [
    'kubectl annotate serviceaccount -n <ns> <name> eks.amazonaws.com/role-arn=arn:aws:iam::<account>:role/<name> --overwrite',
  ],
  guideStep: 'service-account',
  reads: ['service-accounts', 'pods', 'pod-identity'],
  run(sa, ctx) {
    const value = sa.serviceAccount.annotations[ANNOTATION_ROLE_ARN];
    if (value === undefined) return [];
    const problem = ctx.roleArnParts(sa) ? undefined : roleArnProblem(value);
    if (!problem || supersededByPodIdentity(sa, ctx)) return [];
    const cleaned = value.trim().replace(/^["']|["']$/g, '');
    return [
      {
        message: `Service account ${saLabel(sa)} has ${ANNOTATION_ROLE_ARN}=${JSON.stringify(value)}: ${problem}${value === '' ? ' (the webhook does not inject anything: pods get the node role)' : ' (STS rejects it: "Request ARN is invalid")'}.${podIdentityNote(sa, ctx)}`,
        resource: serviceAccountResource(sa),
        evidence: { [ANNOTATION_ROLE_ARN]: value },
        ...(cleaned && !roleArnProblem(cleaned)
          ? annotateAndRestart(sa, ctx, `Set the annotation to ${cleaned}, without the stray characters.`, [
              `kubectl annotate serviceaccount -n ${shellQuote(sa.serviceAccount.namespace)} ${shellQuote(sa.serviceAccount.name)} ${shellQuote(`${ANNOTATION_ROLE_ARN}=${cleaned}`)} --overwrite`,
            ])
          : annotateAndRestart(sa, ctx, 'Set the annotation to the role ARN (replace the placeholders).', [
              `kubectl annotate serviceaccount -n ${shellQuote(sa.serviceAccount.namespace)} ${shellQuote(sa.serviceAccount.name)} ${ANNOTATION_ROLE_ARN}=arn:aws:iam::<account>:role/<name> --overwrite`,
            ])),
      },
    ];
  },
};
