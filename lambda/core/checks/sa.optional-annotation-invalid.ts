/**
 * sa.optional-annotation-invalid — `eks.amazonaws.com/token-expiration` or
 * `eks.amazonaws.com/sts-regional-endpoints` values the webhook ignores (not an integer; not a Go
 * ParseBool value) or silently raises (token expiration below 600 s). The intended setting is not applied.
 */
import type { FindingDraft } from '../findings';
import { ANNOTATION_STS_REGIONAL, ANNOTATION_TOKEN_EXPIRATION } from '../model';
import { saLabel, serviceAccountResource } from './helpers';
import type { ServiceAccountCheck } from './types';

/** What Go's strconv.ParseBool accepts, as the webhook parses the annotation (frozen constant). */
const PARSE_BOOL: readonly string[] = Object.freeze([
  '1',
  't',
  'T',
  'TRUE',
  'true',
  'True',
  '0',
  'f',
  'F',
  'FALSE',
  'false',
  'False',
]);
const MIN_TOKEN_EXPIRATION = 600;

export const check: ServiceAccountCheck = {
  id: 'sa.optional-annotation-invalid',
  runsOn: 'serviceAccount',
  severity: 'low',
  title: 'Optional IRSA annotation has a value the webhook ignores',
  description:
    'token-expiration must be an integer number of seconds (values below 600 are raised to 600); sts-regional-endpoints must be a Go boolean (true/false/1/0/t/f). Other values are ignored and the default applies.',
  remediation: 'Fix the annotation value, then restart the pods (annotations apply at pod creation).',
  guideStep: 'service-account',
  reads: ['service-accounts'],
  run(sa) {
    const annotations = sa.serviceAccount.annotations;
    const drafts: FindingDraft[] = [];
    const expiration = annotations[ANNOTATION_TOKEN_EXPIRATION];
    if (expiration !== undefined) {
      const numeric = /^[+-]?\d{1,18}$/.test(expiration);
      if (!numeric || Number(expiration) < MIN_TOKEN_EXPIRATION) {
        drafts.push({
          message: `Service account ${saLabel(sa)} has ${ANNOTATION_TOKEN_EXPIRATION}=${JSON.stringify(expiration)}: ${numeric ? `below ${MIN_TOKEN_EXPIRATION}, the webhook raises it to ${MIN_TOKEN_EXPIRATION} seconds` : 'not an integer, the webhook ignores it and uses the default (86400 s)'}. It does not change the AWS session duration either.`,
          resource: serviceAccountResource(sa),
          evidence: { [ANNOTATION_TOKEN_EXPIRATION]: expiration },
          discriminator: ANNOTATION_TOKEN_EXPIRATION,
        });
      }
    }
    const regional = annotations[ANNOTATION_STS_REGIONAL];
    if (regional !== undefined && !PARSE_BOOL.includes(regional)) {
      drafts.push({
        message: `Service account ${saLabel(sa)} has ${ANNOTATION_STS_REGIONAL}=${JSON.stringify(regional)}, not a boolean the webhook parses (true/false/1/0); it is ignored.`,
        resource: serviceAccountResource(sa),
        evidence: { [ANNOTATION_STS_REGIONAL]: regional },
        discriminator: ANNOTATION_STS_REGIONAL,
      });
    }
    return drafts;
  },
};
