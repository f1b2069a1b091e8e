/**
 * The parts of a service account and a pod that the checks read: the variables the EKS Pod Identity
 * webhook injects, the webhook's annotation keys and opt-out label. The checks test these names, and
 * the inventory keeps only them (docs/collection.md "What is kept"): an environment value, an
 * annotation value or a label of any other name is never stored, so a `DB_PASSWORD` or a
 * `last-applied-configuration` does not reach a snapshot, the run's memory or a finding.
 */
import type { EditRows } from './context';
import { editDistance } from './edit-distance';
import {
  ANNOTATION_AUDIENCE,
  ANNOTATION_ROLE_ARN,
  ANNOTATION_STS_REGIONAL,
  ANNOTATION_TOKEN_EXPIRATION,
} from './model';

/** IRSA (docs/irsa-semantics.md §3.3). */
export const ENV_ROLE_ARN = 'AWS_ROLE_ARN';
export const ENV_WEB_IDENTITY_TOKEN_FILE = 'AWS_WEB_IDENTITY_TOKEN_FILE';
/** Pod Identity (docs/irsa-semantics.md §4.3). */
export const ENV_CONTAINER_CREDENTIALS_FULL_URI = 'AWS_CONTAINER_CREDENTIALS_FULL_URI';
export const ENV_CONTAINER_AUTHORIZATION_TOKEN_FILE = 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE';

/** Every container variable the inventory keeps (name and value); all others are dropped. */
export const CHECKED_ENV_VARS: readonly string[] = Object.freeze([
  ENV_ROLE_ARN,
  ENV_WEB_IDENTITY_TOKEN_FILE,
  ENV_CONTAINER_CREDENTIALS_FULL_URI,
  ENV_CONTAINER_AUTHORIZATION_TOKEN_FILE,
]);

export function isCheckedEnvVar(name: string): boolean {
  return CHECKED_ENV_VARS.includes(name);
}

/** Pod annotation: containers the webhook leaves alone. */
export const ANNOTATION_SKIP_CONTAINERS = 'eks.amazonaws.com/skip-containers';
/** Pod label: the webhook leaves the whole pod alone. */
export const LABEL_SKIP_POD_IDENTITY_WEBHOOK = 'eks.amazonaws.com/skip-pod-identity-webhook';

/** The webhook's own annotation keys (frozen: a constant, never a cache). */
export const WEBHOOK_ANNOTATION_KEYS: readonly string[] = Object.freeze([
  ANNOTATION_ROLE_ARN,
  ANNOTATION_AUDIENCE,
  ANNOTATION_STS_REGIONAL,
  ANNOTATION_TOKEN_EXPIRATION,
  ANNOTATION_SKIP_CONTAINERS,
]);

/** Pod labels the inventory keeps; the checks read no other. */
export const CHECKED_POD_LABELS: readonly string[] = Object.freeze([LABEL_SKIP_POD_IDENTITY_WEBHOOK]);

const ROLE_ARN_KEY_LETTERS = ANNOTATION_ROLE_ARN.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * True for keys that are almost, but not exactly, the role-arn annotation key (`eks.amazon.com/role-arn`,
 * `eks.amazonaws.com/role_arn`, `iam.amazonaws.com/role-arn`). `rows`: scratch rows for the distance.
 */
export function isRoleArnKeyTypo(key: string, rows?: EditRows): boolean {
  if (WEBHOOK_ANNOTATION_KEYS.includes(key)) return false;
  const lower = key.toLowerCase();
  if (lower.replace(/[^a-z0-9]/g, '') === ROLE_ARN_KEY_LETTERS) return true;
  if (editDistance(lower, ANNOTATION_ROLE_ARN, 4, rows) <= 4) return true;
  return /role[-_.]?arn$/.test(lower) && /(eks|amazon|aws)/.test(lower);
}

/** Whether an annotation's value is kept: the webhook's keys and near-typos of the role-arn key. */
export function keepsAnnotationValue(key: string, rows?: EditRows): boolean {
  return WEBHOOK_ANNOTATION_KEYS.includes(key) || isRoleArnKeyTypo(key, rows);
}
