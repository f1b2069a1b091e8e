/**
 * The check registry: every check of SPEC §4, in catalogue order. docs/checks.md is generated from
 * this list (npm run docs:checks) and a test fails when it is stale.
 */
import { check as c1 } from './cluster.no-oidc-provider';
import { check as c30 } from './pod.irsa-not-injected';
import { check as c32 } from './pod.irsa-orphan-env';
import { check as c31 } from './pod.irsa-stale-role';
import { check as c33 } from './podidentity.role-missing';
import { check as c35 } from './podidentity.sa-missing';
import { check as c34 } from './podidentity.trust-missing';
import { check as c2 } from './provider.missing-audience';
import { check as c3 } from './provider.orphaned';
import { check as c21 } from './role.no-permissions';
import { check as c22 } from './sa.annotation-key-typo';
import { check as c27 } from './sa.audience-not-registered';
import { check as c29 } from './sa.irsa-and-pod-identity';
import { check as c28 } from './sa.optional-annotation-invalid';
import { check as c23 } from './sa.role-arn-malformed';
import { check as c24 } from './sa.role-missing';
import { check as c25 } from './sa.role-not-audited';
import { check as c26 } from './sa.role-untrusted';
import { check as c36 } from './scan.account-unreachable';
import { check as c38 } from './scan.cluster-unreachable';
import { check as c37 } from './scan.region-failed';
import { check as c8 } from './trust.action-mismatch';
import { check as c17 } from './trust.aud-mismatch';
import { check as c16 } from './trust.aud-missing';
import { check as c13 } from './trust.condition-key-foreign';
import { check as c20 } from './trust.indeterminate';
import { check as c4 } from './trust.principal-malformed';
import { check as c5 } from './trust.principal-other-account';
import { check as c6 } from './trust.provider-missing';
import { check as c7 } from './trust.provider-no-cluster';
import { check as c12 } from './trust.stringequals-wildcard';
import { check as c15 } from './trust.sub-conflicting';
import { check as c14 } from './trust.sub-malformed';
import { check as c18 } from './trust.sub-target-missing';
import { check as c9 } from './trust.sub-unrestricted';
import { check as c10 } from './trust.sub-wildcard-broad';
import { check as c11 } from './trust.sub-wildcard-namespace';
import { check as c19 } from './trust.target-not-annotated';
import type { Check } from './types';

export const CHECKS: readonly Check[] = [
  c1,
  c2,
  c3,
  c4,
  c5,
  c6,
  c7,
  c8,
  c9,
  c10,
  c11,
  c12,
  c13,
  c14,
  c15,
  c16,
  c17,
  c18,
  c19,
  c20,
  c21,
  c22,
  c23,
  c24,
  c25,
  c26,
  c27,
  c28,
  c29,
  c30,
  c31,
  c32,
  c33,
  c34,
  c35,
  c36,
  c37,
  c38,
];

export const CHECKS_BY_ID: ReadonlyMap<string, Check> = new Map(CHECKS.map((check) => [check.id, check]));

/** Whether findings of this check depend on Kubernetes data (drift keeps them open for unread clusters). */
export function needsKubernetes(checkId: string): boolean {
  return CHECKS_BY_ID.get(checkId)?.needsKubernetes ?? false;
}
