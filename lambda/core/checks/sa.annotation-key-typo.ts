/**
 * sa.annotation-key-typo — an annotation key close to `eks.amazonaws.com/role-arn`
 * (`eks.amazon.com/role-arn`, `eks.amazonaws.com/role_arn`, …). The webhook ignores it, so pods get
 * the node role while the service account "looks annotated".
 */

import { ANNOTATION_ROLE_ARN } from '../model';
import { isRoleArnKeyTypo } from '../workload-fields';
import { saLabel, serviceAccountResource } from './helpers';
import type { ServiceAccountCheck } from './types';

export const check: ServiceAccountCheck = {
  id: 'sa.annotation-key-typo',
  runsOn: 'serviceAccount',
  severity: 'high',
  title: 'Annotation key is a typo of eks.amazonaws.com/role-arn',
  description:
    'The service account has an annotation key close to eks.amazonaws.com/role-arn. The webhook only reads the exact key, so its pods get the node role.',
  remediation: 'Rename the annotation key to eks.amazonaws.com/role-arn and restart the pods.',
  guideStep: 'service-account',
  needsKubernetes: true,
  run(sa, ctx) {
    if (sa.roleArn) return [];
    return Object.entries(sa.serviceAccount.annotations)
      .filter(([key]) => isRoleArnKeyTypo(key, ctx.cache.editRows))
      .map(([key, value]) => ({
        message: `Service account ${saLabel(sa)} has annotation "${key}", not "${ANNOTATION_ROLE_ARN}"; the webhook ignores it and pods get the node role.`,
        resource: serviceAccountResource(sa),
        evidence: { [key]: value },
        discriminator: key,
        remediation: `kubectl annotate serviceaccount -n ${sa.serviceAccount.namespace} ${sa.serviceAccount.name} ${key}- ${ANNOTATION_ROLE_ARN}=${value} && kubectl rollout restart -n ${sa.serviceAccount.namespace} deployment  # restart the workloads using it`,
      }));
  },
};
