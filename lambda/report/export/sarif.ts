/**
 * SARIF 2.1.0 (OASIS), for tools that gate on or aggregate static-analysis results (docs/output.md).
 * One rule per check of the catalogue, one result per finding. Findings are about cloud resources,
 * not source files, so results carry logical locations (role ARN, cluster, service account) and no
 * physical location; the fingerprint is the result's partial fingerprint, so a consumer matches a
 * finding across runs exactly as the results table does. Validated against the official schema
 * (schema/vendor/sarif-schema-2.1.0.json) in test/report/export/sarif.test.ts.
 */
import { CHECKS } from '../../core/checks/index';
import type { Check } from '../../core/checks/types';
import type { FindingResource } from '../../core/findings';
import type { Severity } from '../../core/model';
import type { ExportFinding, ExportInput } from './export-input';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** The key of our fingerprint in `partialFingerprints`; versioned as SARIF recommends. */
export const SARIF_FINGERPRINT_KEY = 'irsaAuditorFingerprint/v1';

type SarifLevel = 'error' | 'warning' | 'note' | 'none';

const LEVEL: Record<Severity, SarifLevel> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/**
 * The `security-severity` property code-scanning dashboards sort by (0.1–3.9 low, 4–6.9 medium,
 * 7–8.9 high, 9+ critical); info findings carry none.
 */
const SECURITY_SEVERITY: Record<Severity, string | undefined> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: undefined,
};

export interface SarifOptions {
  /** Base URL of the check catalogue (docs/checks.md); each rule links to its check's section. */
  checksDocUrl?: string;
}

/** `trust.sub-unrestricted` → `TrustSubUnrestricted`: SARIF's rule `name` is an identifier-like label. */
function ruleName(id: string): string {
  return id
    .split(/[.-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function ruleOf(check: Check, options: SarifOptions): Record<string, unknown> {
  const severityText = check.severityNote
    ? `Severity: ${check.severity} (${check.severityNote}).`
    : `Severity: ${check.severity}.`;
  const help = `${check.description}\n\n${severityText}\n\nFix: ${check.remediation}`;
  const securitySeverity = SECURITY_SEVERITY[check.severity];
  return {
    id: check.id,
    name: ruleName(check.id),
    shortDescription: { text: check.title },
    fullDescription: { text: check.description },
    help: { text: help },
    ...(options.checksDocUrl ? { helpUri: `${options.checksDocUrl}#${check.id.replace(/\./g, '')}` } : {}),
    defaultConfiguration: { level: LEVEL[check.severity] },
    properties: {
      tags: ['security', 'aws-iam', 'eks', ...(check.guideStep ? [check.guideStep] : [])],
      precision: 'high',
      ...(securitySeverity ? { 'security-severity': securitySeverity } : {}),
    },
  };
}

/** Where a finding is, as SARIF logical locations: the most specific first. */
function logicalLocations(resource: FindingResource): Record<string, unknown>[] {
  const locations: Record<string, unknown>[] = [];
  const clusterPath =
    resource.cluster === undefined
      ? undefined
      : `${resource.accountId}/${resource.region ?? '?'}/${resource.cluster}`;
  if (resource.serviceAccount !== undefined && clusterPath !== undefined) {
    locations.push({
      name: `${resource.namespace ?? '?'}/${resource.serviceAccount}`,
      fullyQualifiedName: `${clusterPath}/${resource.namespace ?? '?'}/${resource.serviceAccount}`,
      kind: 'object',
    });
  } else if (resource.workload !== undefined && clusterPath !== undefined) {
    locations.push({
      name: `${resource.namespace ?? '?'}/${resource.workload}`,
      fullyQualifiedName: `${clusterPath}/${resource.namespace ?? '?'}/${resource.workload}`,
      kind: 'object',
    });
  }
  if (resource.roleArn !== undefined) {
    locations.push({
      name: resource.roleArn.slice(resource.roleArn.lastIndexOf('/') + 1),
      fullyQualifiedName:
        resource.statement === undefined
          ? resource.roleArn
          : `${resource.roleArn}#Statement[${resource.statement}]`,
      kind: 'resource',
    });
  }
  if (clusterPath !== undefined) {
    locations.push({ name: resource.cluster, fullyQualifiedName: clusterPath, kind: 'resource' });
  }
  if (resource.providerArn !== undefined) {
    locations.push({
      name: resource.providerArn.slice(resource.providerArn.indexOf('/') + 1),
      fullyQualifiedName: resource.providerArn,
      kind: 'resource',
    });
  }
  if (locations.length === 0) {
    locations.push({
      name: resource.region ?? resource.accountId,
      fullyQualifiedName:
        resource.region === undefined ? resource.accountId : `${resource.accountId}/${resource.region}`,
      kind: 'resource',
    });
  }
  return locations;
}

function resultOf(finding: ExportFinding, ruleIndex: number): Record<string, unknown> {
  const open = finding.status === 'open';
  const fixText = [finding.remediation, ...(finding.commands ?? [])].join('\n');
  return {
    ruleId: finding.checkId,
    ...(ruleIndex >= 0 ? { ruleIndex } : {}),
    // A resolved finding is a rule that now passes on that resource; a suppressed one still fails.
    kind: finding.status === 'resolved' ? 'pass' : 'fail',
    level: finding.status === 'resolved' ? 'none' : LEVEL[finding.severity],
    message: { text: finding.message },
    locations: [{ logicalLocations: logicalLocations(finding.resource) }],
    partialFingerprints: { [SARIF_FINGERPRINT_KEY]: finding.fingerprint },
    ...(finding.status === 'suppressed' ? { suppressions: [{ kind: 'external', status: 'accepted' }] } : {}),
    ...(open || finding.status === 'suppressed' ? {} : { baselineState: 'absent' }),
    properties: {
      severity: finding.severity,
      status: finding.status,
      title: finding.title,
      resource: finding.resource,
      remediation: fixText,
      ...(finding.commands?.length ? { commands: finding.commands } : {}),
      ...(finding.guideStep ? { guideStep: finding.guideStep } : {}),
      ...(finding.firstSeen ? { firstSeen: finding.firstSeen } : {}),
      ...(finding.lastSeen ? { lastSeen: finding.lastSeen } : {}),
      ...(finding.resolvedAt ? { resolvedAt: finding.resolvedAt } : {}),
    },
  };
}

/** The SARIF log object (one run). */
export function sarifLog(input: ExportInput, options: SarifOptions = {}): Record<string, unknown> {
  const ruleIndex = new Map(CHECKS.map((check, index) => [check.id, index]));
  const notifications: Record<string, unknown>[] = input.checkErrors.map((error) => ({
    level: 'error',
    message: { text: `${error.checkId} failed on ${error.resource}: ${error.message}` },
    associatedRule: { id: error.checkId, ...indexOf(ruleIndex, error.checkId) },
  }));
  if (input.coverageErrors > 0) {
    notifications.push({
      level: 'warning',
      message: {
        text: `${input.coverageErrors} coverage error(s): parts of the organization were not read (scan.* results).`,
      },
    });
  }
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'irsa-auditor',
            semanticVersion: input.toolVersion,
            version: input.toolVersion,
            rules: CHECKS.map((check) => ruleOf(check, options)),
          },
        },
        invocations: [
          {
            executionSuccessful: input.checkErrors.length === 0,
            endTimeUtc: input.generatedAt,
            ...(notifications.length ? { toolExecutionNotifications: notifications } : {}),
          },
        ],
        results: input.findings.map((finding) => resultOf(finding, ruleIndex.get(finding.checkId) ?? -1)),
        properties: { coverageErrors: input.coverageErrors },
      },
    ],
  };
}

function indexOf(ruleIndex: ReadonlyMap<string, number>, id: string): { index?: number } {
  const index = ruleIndex.get(id);
  return index === undefined ? {} : { index };
}

export function renderSarif(input: ExportInput, options: SarifOptions = {}): string {
  return `${JSON.stringify(sarifLog(input, options), null, 2)}\n`;
}
