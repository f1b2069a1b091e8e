/**
 * sa.annotation-key-typo — an annotation key close to `eks.amazonaws.com/role-arn`
 * (`eks.amazon.com/role-arn`, `eks.amazonaws.com/role_arn`, …). The webhook ignores it, so pods get
 * the node role while the service account "looks annotated".
 */

import { shellQuote } from '../access-entry';
import { ANNOTATION_ROLE_ARN } from '../model';
import { isRoleArnKeyTypo } from '../workload-fields';
import { annotateAndRestart, saLabel, serviceAccountResource } from './helpers';
import type { ServiceAccountCheck } from './types';

export const check: ServiceAccountCheck = {
  id: 'sa.annotation-key-typo',
  runsOn: 'serviceAccount',
  severity: 'high',
  title: 'Annotation key is a typo of eks.amazonaws.com/role-arn',
  description:
    'The service account has an annotation key close to eks.amazonaws.com/role-arn. The webhook only reads the exact key, so its pods get the node role.',
  remediation:
    'Rename the annotation key to eks.amazonaws.com/role-arn and re-create the pods of the workloads that use the service account.',
  guideStep: 'service-account',
  reads: ['service-accounts'],
  run(sa, ctx) {
    if (sa.roleArn) return [];
    return Object.entries(sa.serviceAccount.annotations)
      .filter(([key]) => isRoleArnKeyTypo(key, ctx.cache.editRows))
      .map(([key, value]) => ({
        message: `Service account ${saLabel(sa)} has annotation "${key}", not "${ANNOTATION_ROLE_ARN}"; the webhook ignores it and pods get the node role.`,
        resource: serviceAccountResource(sa),
        evidence: { [key]: value },
        discriminator: key,
        ...annotateAndRestart(sa, ctx, `Rename the annotation key "${key}" to ${ANNOTATION_ROLE_ARN}.`, [
          `kubectl annotate serviceaccount -n ${shellQuote(sa.serviceAccount.namespace)} ${shellQuote(sa.serviceAccount.name)} ${shellQuote(`${key}-`)} ${shellQuote(`${ANNOTATION_ROLE_ARN}=${value}`)}`,
        ]),
      }));
  },
};
