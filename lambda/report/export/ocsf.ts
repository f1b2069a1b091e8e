/**
 * OCSF 1.3.0 Detection Finding events (class 2004), one per finding, as a JSON array — the shape
 * security data lakes and SIEMs that speak OCSF ingest (docs/output.md). 1.3.0: Detection Finding
 * exists since 1.1.0; 1.3.0 is the version whose class and objects we checked attribute by
 * attribute (schema/vendor/ocsf-1.3.0-detection-finding.json lists the required ones and the test
 * holds every event to it).
 *
 * Lifecycle: an open finding is a Create activity with status New, a suppressed one status
 * Suppressed, a resolved one a Close activity with status Resolved. `finding_info.uid` is the
 * fingerprint, so a consumer correlates the events of one finding across runs.
 */
import type { FindingResource } from '../../core/findings';
import type { Severity } from '../../core/model';
import type { ExportFinding, ExportInput, ExportStatus } from './export-input';

export const OCSF_VERSION = '1.3.0';
const DETECTION_FINDING = 2004;
const FINDINGS_CATEGORY = 2;

const SEVERITY_ID: Record<Severity, { id: number; name: string }> = {
  info: { id: 1, name: 'Informational' },
  low: { id: 2, name: 'Low' },
  medium: { id: 3, name: 'Medium' },
  high: { id: 4, name: 'High' },
  critical: { id: 5, name: 'Critical' },
};

const ACTIVITY: Record<ExportStatus, { id: number; name: string }> = {
  open: { id: 1, name: 'Create' },
  suppressed: { id: 1, name: 'Create' },
  resolved: { id: 3, name: 'Close' },
};

const STATUS: Record<ExportStatus, { id: number; name: string }> = {
  open: { id: 1, name: 'New' },
  suppressed: { id: 3, name: 'Suppressed' },
  resolved: { id: 4, name: 'Resolved' },
};

/** The affected resources, most specific first: service account or workload, role, cluster, provider. */
function resourcesOf(resource: FindingResource): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const region = resource.region === undefined ? {} : { region: resource.region };
  const owner = { owner: { account: { uid: resource.accountId } } };
  const clusterUid =
    resource.cluster === undefined
      ? undefined
      : `${resource.accountId}/${resource.region ?? '?'}/${resource.cluster}`;
  if (clusterUid !== undefined && resource.serviceAccount !== undefined) {
    out.push({
      type: 'Kubernetes ServiceAccount',
      uid: `${clusterUid}/${resource.namespace ?? '?'}/${resource.serviceAccount}`,
      name: resource.serviceAccount,
      namespace: resource.namespace,
      ...region,
      ...owner,
    });
  } else if (clusterUid !== undefined && resource.workload !== undefined) {
    out.push({
      type: 'Kubernetes Workload',
      uid: `${clusterUid}/${resource.namespace ?? '?'}/${resource.workload}`,
      name: resource.workload,
      namespace: resource.namespace,
      ...region,
      ...owner,
    });
  }
  if (resource.roleArn !== undefined) {
    out.push({
      type: 'AWS::IAM::Role',
      uid: resource.roleArn,
      name: resource.roleArn.slice(resource.roleArn.lastIndexOf('/') + 1),
      ...owner,
    });
  }
  if (clusterUid !== undefined) {
    out.push({ type: 'AWS::EKS::Cluster', uid: clusterUid, name: resource.cluster, ...region, ...owner });
  }
  if (resource.providerArn !== undefined) {
    out.push({
      type: 'AWS::IAM::OIDCProvider',
      uid: resource.providerArn,
      name: resource.providerArn.slice(resource.providerArn.indexOf('/') + 1),
      ...owner,
    });
  }
  if (out.length === 0) out.push({ type: 'AWS::Account', uid: resource.accountId, ...region, ...owner });
  return out;
}

function epochMs(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

export function ocsfEvent(finding: ExportFinding, input: ExportInput): Record<string, unknown> {
  const activity = ACTIVITY[finding.status];
  const status = STATUS[finding.status];
  const severity = SEVERITY_ID[finding.severity];
  const time =
    epochMs(finding.status === 'resolved' ? finding.resolvedAt : undefined) ??
    epochMs(input.generatedAt) ??
    0;
  const firstSeen = epochMs(finding.firstSeen);
  const lastSeen = epochMs(finding.lastSeen);
  const remediation = [finding.remediation, ...(finding.commands ?? [])].join('\n');
  return {
    activity_id: activity.id,
    activity_name: activity.name,
    category_uid: FINDINGS_CATEGORY,
    category_name: 'Findings',
    class_uid: DETECTION_FINDING,
    class_name: 'Detection Finding',
    type_uid: DETECTION_FINDING * 100 + activity.id,
    type_name: `Detection Finding: ${activity.name}`,
    time,
    severity_id: severity.id,
    severity: severity.name,
    status_id: status.id,
    status: status.name,
    message: finding.message,
    metadata: {
      version: OCSF_VERSION,
      product: { name: 'irsa-auditor', vendor_name: 'irsa-auditor', version: input.toolVersion },
      log_name: 'irsa-audit',
    },
    finding_info: {
      uid: finding.fingerprint,
      title: finding.title,
      desc: finding.message,
      types: [finding.checkId],
      analytic: { uid: finding.checkId, name: finding.title, type_id: 1, type: 'Rule' },
      ...(firstSeen === undefined ? {} : { first_seen_time: firstSeen }),
      ...(lastSeen === undefined ? {} : { last_seen_time: lastSeen }),
    },
    remediation: { desc: remediation },
    resources: resourcesOf(finding.resource),
    cloud: {
      provider: 'AWS',
      account: { uid: finding.resource.accountId, type_id: 10, type: 'AWS Account' },
      ...(finding.resource.region === undefined ? {} : { region: finding.resource.region }),
    },
    unmapped: {
      check_id: finding.checkId,
      fingerprint: finding.fingerprint,
      resource: finding.resource,
      ...(finding.guideStep ? { guide_step: finding.guideStep } : {}),
      ...(finding.commands?.length ? { commands: finding.commands } : {}),
    },
  };
}

export function renderOcsf(input: ExportInput): string {
  return `${JSON.stringify(
    input.findings.map((finding) => ocsfEvent(finding, input)),
    null,
    2,
  )}\n`;
}
