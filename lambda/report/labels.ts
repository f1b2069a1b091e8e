/** How a finding's resource is named in reports: one full label and one short form for tables. */
import type { FindingResource } from '../core/findings';

/** A finding's resource in full: account, where, and what (scan reports, `explain`, `demo`). */
export function resourceLabel(resource: FindingResource): string {
  const parts: string[] = [];
  if (resource.cluster) parts.push(`${resource.cluster} (${resource.region ?? '?'})`);
  else if (resource.region) parts.push(resource.region);
  if (resource.namespace) {
    parts.push(
      resource.serviceAccount
        ? `${resource.namespace}/${resource.serviceAccount}`
        : `ns ${resource.namespace}`,
    );
  }
  if (resource.workload) parts.push(resource.workload);
  if (resource.roleArn && !resource.serviceAccount) parts.push(resource.roleArn);
  else if (resource.roleArn && resource.workload === undefined) parts.push(`→ ${resource.roleArn}`);
  if (resource.providerArn && !resource.roleArn) parts.push(resource.providerArn);
  if (resource.statement !== undefined) parts.push(`stmt ${resource.statement}`);
  return `${resource.accountId}${parts.length ? ` ${parts.join(' ')}` : ''}`;
}

/** Where a finding is: `region/cluster`, a region, or `-` for account-wide (IAM) findings. */
export function whereOf(resource: FindingResource): string {
  if (resource.cluster) return `${resource.region ?? '?'}/${resource.cluster}`;
  return resource.region ?? '-';
}

/** The most specific thing a finding is about, short (the RESOURCE column of `findings`). */
export function shortResourceLabel(resource: FindingResource): string {
  if (resource.workload) return `${resource.namespace ?? '?'}/${resource.workload}`;
  if (resource.serviceAccount) return `${resource.namespace ?? '?'}/${resource.serviceAccount}`;
  if (resource.roleArn) {
    const name = resource.roleArn.slice(resource.roleArn.lastIndexOf('/') + 1);
    return `role/${name}${resource.statement === undefined ? '' : ` #${resource.statement}`}`;
  }
  if (resource.providerArn)
    return `provider/${resource.providerArn.slice(resource.providerArn.lastIndexOf('/') + 1)}`;
  if (resource.namespace) return `ns/${resource.namespace}`;
  return '-';
}

/**
 * A finding's resource in a one-line row: `cluster/namespace/name` for Kubernetes objects, `role/name`
 * (with its statement) for IAM, else the account and region the finding is about.
 */
export function compactResourceLabel(resource: FindingResource): string {
  if (resource.namespace && (resource.workload || resource.serviceAccount)) {
    const name = resource.workload ?? resource.serviceAccount;
    return `${resource.cluster ? `${resource.cluster}/` : ''}${resource.namespace}/${name}`;
  }
  if (resource.roleArn || resource.providerArn) return shortResourceLabel(resource);
  if (resource.cluster) return `cluster/${resource.cluster}`;
  if (resource.namespace) return `${resource.cluster ?? '?'}/ns/${resource.namespace}`;
  return resource.region ? `${resource.accountId}/${resource.region}` : `account/${resource.accountId}`;
}
