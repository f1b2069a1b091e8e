/**
 * Findings in the AWS Security Finding Format (ASFF), exactly what Security Hub's
 * `BatchImportFindings` takes (docs/output.md, docs/deployment.md "Security Hub"). Typed against the
 * SDK's own `AwsSecurityFinding`, so a field Security Hub does not know fails the type check.
 *
 * - `ProductArn` is the account's default custom-integration product:
 *   `arn:<partition>:securityhub:<region>:<account>:product/<account>/default`.
 * - `Id` comes from the fingerprint, so a re-import updates the finding instead of adding one.
 * - `GeneratorId` is the check id; `Types` one namespace/category/classifier.
 * - `AwsAccountId` is the importing (audit) account: with the default product ARN, Security Hub takes
 *   findings only from the account they name. The account the finding is about is in the resources
 *   (their ARNs and details) and in `ProductFields` (`irsa-auditor/accountId`).
 * - Severity and types also go in `FindingProviderFields`, the fields through which a provider may
 *   change them on a re-import (the top-level ones are the customer's after creation).
 * - Length limits of the API are honoured (Title 256, Description 1,024, Recommendation text 512,
 *   32 resources, 50 product fields); text is cut with an ellipsis, never rejected.
 */
import type { AwsSecurityFinding, Resource, SeverityLabel } from '@aws-sdk/client-securityhub';
import { partitionOfArn, partitionOfRegion } from '../core/arn';
import type { Finding, FindingResource } from '../core/findings';
import type { Severity } from '../core/model';

export const ASFF_SCHEMA_VERSION = '2018-10-08';
export const ASFF_TYPE =
  'Software and Configuration Checks/AWS Security Best Practices/EKS IAM Roles for Service Accounts';
const TITLE_MAX = 256;
const DESCRIPTION_MAX = 1024;
const RECOMMENDATION_MAX = 512;

const LABEL: Record<Severity, SeverityLabel> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  info: 'INFORMATIONAL',
};

export interface AsffTarget {
  /** The Security Hub account and Region the findings are imported into (the audit account). */
  accountId: string;
  region: string;
}

export interface AsffFinding extends Finding {
  commands?: string[];
  firstSeen?: string;
  lastSeen?: string;
}

export interface AsffOptions {
  target: AsffTarget;
  /** ISO time of the run: UpdatedAt, and CreatedAt when the finding has no first-seen time. */
  now: string;
  /** Base URL of docs/checks.md; each finding links to its check's section. */
  checksDocUrl?: string;
}

export function productArn(target: AsffTarget): string {
  const partition = partitionOfRegion(target.region);
  return `arn:${partition}:securityhub:${target.region}:${target.accountId}:product/${target.accountId}/default`;
}

/** The Security Hub finding id of a fingerprint: stable, so re-imports update. */
export function asffId(fingerprint: string): string {
  return `irsa-auditor/${fingerprint}`;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function partitionOf(resource: FindingResource, target: AsffTarget): string {
  return (
    (resource.roleArn && partitionOfArn(resource.roleArn)) ||
    (resource.providerArn && partitionOfArn(resource.providerArn)) ||
    (resource.region && partitionOfRegion(resource.region)) ||
    partitionOfRegion(target.region)
  );
}

type Partition = NonNullable<Resource['Partition']>;

function resourcesOf(resource: FindingResource, target: AsffTarget): Resource[] {
  const partition = partitionOf(resource, target) as Partition;
  const out: Resource[] = [];
  if (
    resource.cluster !== undefined &&
    (resource.serviceAccount !== undefined || resource.workload !== undefined)
  ) {
    const other: Record<string, string> = { accountId: resource.accountId, cluster: resource.cluster };
    if (resource.region) other.region = resource.region;
    if (resource.namespace) other.namespace = resource.namespace;
    if (resource.serviceAccount) other.serviceAccount = resource.serviceAccount;
    if (resource.workload) other.workload = resource.workload;
    out.push({
      Type: 'Other',
      Id: `${resource.accountId}/${resource.region ?? '?'}/${resource.cluster}/${resource.namespace ?? '?'}/${resource.serviceAccount ?? resource.workload}`,
      Partition: partition,
      ...(resource.region ? { Region: resource.region } : {}),
      Details: { Other: other },
    });
  }
  if (resource.roleArn !== undefined) {
    out.push({
      Type: 'AwsIamRole',
      Id: resource.roleArn,
      Partition: partition,
      Region: target.region,
      Details: { AwsIamRole: { RoleName: resource.roleArn.slice(resource.roleArn.lastIndexOf('/') + 1) } },
    });
  }
  if (resource.cluster !== undefined && resource.region !== undefined) {
    const arn = `arn:${partition}:eks:${resource.region}:${resource.accountId}:cluster/${resource.cluster}`;
    out.push({
      Type: 'AwsEksCluster',
      Id: arn,
      Partition: partition,
      Region: resource.region,
      Details: { AwsEksCluster: { Name: resource.cluster, Arn: arn } },
    });
  }
  if (resource.providerArn !== undefined) {
    out.push({
      Type: 'Other',
      Id: resource.providerArn,
      Partition: partition,
      Region: target.region,
      Details: { Other: { kind: 'IAM OIDC provider', arn: resource.providerArn } },
    });
  }
  if (out.length === 0) {
    out.push({
      Type: 'AwsAccount',
      Id: `AWS::::Account:${resource.accountId}`,
      Partition: partition,
      Region: resource.region ?? target.region,
    });
  }
  return out;
}

/** One finding as ASFF, for import (`Workflow.Status` NEW, `RecordState` ACTIVE). */
export function asffFinding(finding: AsffFinding, options: AsffOptions): AwsSecurityFinding {
  const { target, now } = options;
  const recommendation = [finding.remediation, ...(finding.commands ?? [])].join('\n');
  const productFields: Record<string, string> = {
    'irsa-auditor/checkId': finding.checkId,
    'irsa-auditor/fingerprint': finding.fingerprint,
    'irsa-auditor/severity': finding.severity,
    'irsa-auditor/accountId': finding.resource.accountId,
  };
  if (finding.guideStep) productFields['irsa-auditor/guideStep'] = finding.guideStep;
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: asffId(finding.fingerprint),
    ProductArn: productArn(target),
    GeneratorId: finding.checkId,
    AwsAccountId: target.accountId,
    Types: [ASFF_TYPE],
    CreatedAt: finding.firstSeen ?? now,
    UpdatedAt: now,
    ...(finding.firstSeen ? { FirstObservedAt: finding.firstSeen } : {}),
    LastObservedAt: finding.lastSeen ?? now,
    Severity: { Label: LABEL[finding.severity], Original: finding.severity },
    FindingProviderFields: {
      Severity: { Label: LABEL[finding.severity], Original: finding.severity },
      Types: [ASFF_TYPE],
    },
    Title: cut(`${finding.checkId}: ${finding.title}`, TITLE_MAX),
    Description: cut(finding.message, DESCRIPTION_MAX),
    Remediation: {
      Recommendation: {
        Text: cut(recommendation, RECOMMENDATION_MAX),
        ...(options.checksDocUrl
          ? { Url: `${options.checksDocUrl}#${finding.checkId.replace(/\./g, '')}` }
          : {}),
      },
    },
    ProductFields: productFields,
    Resources: resourcesOf(finding.resource, target).slice(0, 32),
    Workflow: { Status: 'NEW' },
    RecordState: 'ACTIVE',
  };
}
