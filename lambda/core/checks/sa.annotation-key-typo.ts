/**
 * sa.annotation-key-typo — an annotation key close to `eks.amazonaws.com/role-arn`
 * (`eks.amazon.com/role-arn`, `eks.amazonaws.com/role_arn`, …). The webhook ignores it, so pods get
 * the node role while the service account "looks annotated".
 */

import type { EditRows } from '../context';
import {
  ANNOTATION_AUDIENCE,
  ANNOTATION_ROLE_ARN,
  ANNOTATION_STS_REGIONAL,
  ANNOTATION_TOKEN_EXPIRATION,
} from '../model';
import { editDistance, saLabel, serviceAccountResource } from './helpers';
import type { ServiceAccountCheck } from './types';

/** The webhook's own keys (frozen: a constant, never a cache). */
const KNOWN: readonly string[] = Object.freeze([
  ANNOTATION_ROLE_ARN,
  ANNOTATION_AUDIENCE,
  ANNOTATION_STS_REGIONAL,
  ANNOTATION_TOKEN_EXPIRATION,
]);
const TARGET = ANNOTATION_ROLE_ARN.toLowerCase().replace(/[^a-z0-9]/g, '');

/** True for keys that are almost, but not exactly, the role-arn annotation key. */
function isRoleArnKeyTypo(key: string, rows: EditRows): boolean {
  if (KNOWN.includes(key)) return false;
  const lower = key.toLowerCase();
  if (lower.replace(/[^a-z0-9]/g, '') === TARGET) return true;
  if (editDistance(lower, ANNOTATION_ROLE_ARN, 4, rows) <= 4) return true;
  // e.g. `iam.amazonaws.com/role-arn`, `eks.amazon.com/rolearn`
  return /role[-_.]?arn$/.test(lower) && /(eks|amazon|aws)/.test(lower);
}

export const check: ServiceAccountCheck = {
  id: 'sa.annotation-key-typo',
  runsOn: 'serviceAccount',
  severity: 'high',
  title: 'Annotation key is a typo of eks.amazonaws.com/role-arn',
  description:
    'The service account has an annotation key close to eks.amazonaws.com/role-arn. The webhook only reads the exact key, so its pods get the node role.',
  remediation: 'Rename the annotation key to eks.amazonaws.com/role-arn and restart the pods.',
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
        remediation: `kubectl annotate serviceaccount -n ${sa.serviceAccount.namespace} ${sa.serviceAccount.name} ${key}- ${ANNOTATION_ROLE_ARN}=${value} && kubectl rollout restart -n ${sa.serviceAccount.namespace} deployment  # restart the workloads using it`,
      }));
  },
};
