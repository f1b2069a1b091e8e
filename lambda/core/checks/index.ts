/**
 * The check registry: every check of the catalogue (docs/checks.md), in catalogue order. docs/checks.md is
 * generated from this list (npm run docs:checks) and a test fails when it is stale.
 */

import type { CheckDependencies } from '../drift';
import { check as clusterNoOidcProvider } from './cluster.no-oidc-provider';
import { check as podIrsaNotInjected } from './pod.irsa-not-injected';
import { check as podIrsaOrphanEnv } from './pod.irsa-orphan-env';
import { check as podIrsaStaleRole } from './pod.irsa-stale-role';
import { check as podidentityRoleMissing } from './podidentity.role-missing';
import { check as podidentitySaMissing } from './podidentity.sa-missing';
import { check as podidentityTrustMissing } from './podidentity.trust-missing';
import { check as providerMissingAudience } from './provider.missing-audience';
import { check as providerOrphaned } from './provider.orphaned';
import { check as roleNoPermissions } from './role.no-permissions';
import { check as saAnnotationKeyTypo } from './sa.annotation-key-typo';
import { check as saAudienceNotRegistered } from './sa.audience-not-registered';
import { check as saIrsaAndPodIdentity } from './sa.irsa-and-pod-identity';
import { check as saOptionalAnnotationInvalid } from './sa.optional-annotation-invalid';
import { check as saRoleArnMalformed } from './sa.role-arn-malformed';
import { check as saRoleMissing } from './sa.role-missing';
import { check as saRoleNotAudited } from './sa.role-not-audited';
import { check as saRoleUntrusted } from './sa.role-untrusted';
import { check as scanAccountUnreachable } from './scan.account-unreachable';
import { check as scanClusterUnreachable } from './scan.cluster-unreachable';
import { check as scanRegionFailed } from './scan.region-failed';
import { check as trustActionMismatch } from './trust.action-mismatch';
import { check as trustAudMismatch } from './trust.aud-mismatch';
import { check as trustAudMissing } from './trust.aud-missing';
import { check as trustConditionKeyForeign } from './trust.condition-key-foreign';
import { check as trustIndeterminate } from './trust.indeterminate';
import { check as trustPrincipalMalformed } from './trust.principal-malformed';
import { check as trustPrincipalOtherAccount } from './trust.principal-other-account';
import { check as trustProviderMissing } from './trust.provider-missing';
import { check as trustProviderNoCluster } from './trust.provider-no-cluster';
import { check as trustStringequalsWildcard } from './trust.stringequals-wildcard';
import { check as trustSubConflicting } from './trust.sub-conflicting';
import { check as trustSubMalformed } from './trust.sub-malformed';
import { check as trustSubTargetMissing } from './trust.sub-target-missing';
import { check as trustSubUnrestricted } from './trust.sub-unrestricted';
import { check as trustSubWildcardBroad } from './trust.sub-wildcard-broad';
import { check as trustSubWildcardNamespace } from './trust.sub-wildcard-namespace';
import { check as trustTargetNotAnnotated } from './trust.target-not-annotated';
import type { Check } from './types';

export const CHECKS: readonly Check[] = [
  clusterNoOidcProvider,
  providerMissingAudience,
  providerOrphaned,
  trustPrincipalMalformed,
  trustPrincipalOtherAccount,
  trustProviderMissing,
  trustProviderNoCluster,
  trustActionMismatch,
  trustSubUnrestricted,
  trustSubWildcardBroad,
  trustSubWildcardNamespace,
  trustStringequalsWildcard,
  trustConditionKeyForeign,
  trustSubMalformed,
  trustSubConflicting,
  trustAudMissing,
  trustAudMismatch,
  trustSubTargetMissing,
  trustTargetNotAnnotated,
  trustIndeterminate,
  roleNoPermissions,
  saAnnotationKeyTypo,
  saRoleArnMalformed,
  saRoleMissing,
  saRoleNotAudited,
  saRoleUntrusted,
  saAudienceNotRegistered,
  saOptionalAnnotationInvalid,
  saIrsaAndPodIdentity,
  podIrsaNotInjected,
  podIrsaStaleRole,
  podIrsaOrphanEnv,
  podidentityRoleMissing,
  podidentityTrustMissing,
  podidentitySaMissing,
  scanAccountUnreachable,
  scanRegionFailed,
  scanClusterUnreachable,
];

/** Frozen, so the registry can never turn into a cache (test/core/module-state.test.ts). */
const CHECKS_BY_ID: Readonly<Record<string, Check>> = Object.freeze(
  Object.fromEntries(CHECKS.map((check) => [check.id, check])),
);

/** The check with this id, or undefined for an unknown id. */
export function checkById(id: string): Check | undefined {
  return Object.hasOwn(CHECKS_BY_ID, id) ? CHECKS_BY_ID[id] : undefined;
}

/**
 * What drift needs to know of a check (drift.ts `CheckDependencies`): the parts it reads, and whether
 * the cluster its findings name may be in another account (role checks name any account's cluster).
 * Undefined for an unknown id: drift then assumes every part.
 */
export function dependenciesOf(checkId: string): CheckDependencies | undefined {
  const check = checkById(checkId);
  return check ? { reads: check.reads, clusterInAnyAccount: check.runsOn === 'role' } : undefined;
}
