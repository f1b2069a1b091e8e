import type { AuditContext, ClusterView, RoleView, ServiceAccountView, WorkloadView } from '../context';
import type { FindingDraft } from '../findings';
import type { Account, CoverageError, OidcProvider, Part, PodIdentityAssociation, Severity } from '../model';

/**
 * Which step of the AWS troubleshooting guide (https://repost.aws/knowledge-center/eks-pods-iam-role-service-accounts) a check
 * automates.
 */
export type GuideStep =
  | 'oidc-provider'
  | 'trust-policy'
  | 'role-permissions'
  | 'service-account'
  | 'test-pod'
  | 'pod-identity'
  | 'coverage';

export const GUIDE_STEPS: Record<GuideStep, string> = {
  'oidc-provider': 'Verify that you have an IAM OIDC identity provider for your Amazon EKS cluster',
  'trust-policy': 'Validate your IAM role policies and trust policy configuration (trust relationship)',
  'role-permissions': 'Validate your IAM role policies and trust policy configuration (permissions)',
  'service-account':
    'Confirm that your service account exists and has a properly formatted annotation for the IAM role ARN',
  'test-pod': 'Use a test pod to verify that the service account works (injected environment)',
  'pod-identity': 'EKS Pod Identity association (not in the IRSA guide; EKS user guide, Pod Identity)',
  coverage: 'Not a guide step: what the audit could not see',
};

/** The resource kind a check runs on; the engine iterates each kind once and calls every check of it. */
export type ResourceKind =
  | 'account'
  | 'provider'
  | 'cluster'
  | 'role'
  | 'serviceAccount'
  | 'workload'
  | 'association'
  | 'coverage';

export interface CheckMeta {
  id: string;
  /** Default severity; where docs/checks.md makes it depend on the case, `severityNote` says how. */
  severity: Severity;
  severityNote?: string;
  title: string;
  description: string;
  /** Generic remediation, prose only; findings usually carry a concrete one. */
  remediation: string;
  /** Generic commands (with `<placeholders>`), for findings that carry no remediation of their own. */
  commands?: string[];
  guideStep?: GuideStep;
  /**
   * The parts its findings depend on (model.ts `Part`): the engine runs it on a cluster only when that
   * cluster's parts among these were read (else it is reported as skipped), the check itself asks the
   * context for other accounts' parts, and drift resolves its findings only when every one of these
   * was read in every account the finding depends on (docs/architecture.md, "Coverage").
   */
  reads: readonly Part[];
}

interface CheckBase extends CheckMeta {
  runsOn: ResourceKind;
}

export interface AccountCheck extends CheckBase {
  runsOn: 'account';
  run(account: Account, ctx: AuditContext): FindingDraft[];
}
export interface ProviderCheck extends CheckBase {
  runsOn: 'provider';
  run(provider: OidcProvider, account: Account, ctx: AuditContext): FindingDraft[];
}
export interface ClusterCheck extends CheckBase {
  runsOn: 'cluster';
  run(cluster: ClusterView, ctx: AuditContext): FindingDraft[];
}
export interface RoleCheck extends CheckBase {
  runsOn: 'role';
  run(role: RoleView, ctx: AuditContext): FindingDraft[];
}
export interface ServiceAccountCheck extends CheckBase {
  runsOn: 'serviceAccount';
  run(serviceAccount: ServiceAccountView, ctx: AuditContext): FindingDraft[];
}
export interface WorkloadCheck extends CheckBase {
  runsOn: 'workload';
  run(workload: WorkloadView, ctx: AuditContext): FindingDraft[];
}
export interface AssociationCheck extends CheckBase {
  runsOn: 'association';
  run(association: PodIdentityAssociation, cluster: ClusterView, ctx: AuditContext): FindingDraft[];
}
export interface CoverageCheck extends CheckBase {
  runsOn: 'coverage';
  run(error: CoverageError, account: Account, ctx: AuditContext): FindingDraft[];
}

export type Check =
  | AccountCheck
  | ProviderCheck
  | ClusterCheck
  | RoleCheck
  | ServiceAccountCheck
  | WorkloadCheck
  | AssociationCheck
  | CoverageCheck;
