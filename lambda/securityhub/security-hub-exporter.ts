/**
 * Sends a run's findings to AWS Security Hub (docs/deployment.md "Security Hub"), after the results
 * are stored, so nothing here can lose them:
 * - open findings (new and still open) are imported as ASFF, ACTIVE, `Workflow.Status` NEW on
 *   creation; a re-import of the same `Id` updates the finding;
 * - resolved findings are imported once more as ARCHIVED and their workflow set to RESOLVED;
 * - suppressed findings are imported (so they exist) and their workflow set to SUPPRESSED.
 *
 * Batches of 100 (the API's limit for both calls), bounded retries with jittered backoff on
 * throttling and transient faults (on top of the SDK's own), then the findings Security Hub refused
 * (`FailedFindings`, `UnprocessedFindings`, or a batch that kept failing) are returned by fingerprint
 * with their error, for the caller to retry on the next run. Never throws.
 */
import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  type SecurityHubClient,
  type WorkflowStatus,
} from '@aws-sdk/client-securityhub';
import { type AsffFinding, type AsffOptions, asffFinding, asffId, productArn } from './asff';

export const SECURITY_HUB_BATCH = 100;

export interface ExportRetry {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

const DEFAULT_RETRY: ExportRetry = {
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 4_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** Errors a later attempt in this run cannot fix. */
const PERMANENT = new Set([
  'AccessDeniedException',
  'InvalidAccessException',
  'InvalidInputException',
  'ResourceNotFoundException',
  'ValidationException',
]);

export interface SecurityHubSync {
  open: readonly AsffFinding[];
  resolved: readonly AsffFinding[];
  suppressed: readonly AsffFinding[];
}

export interface ExportFailure {
  fingerprint: string;
  /** What was being done: import, archive (import as ARCHIVED), resolve or suppress (workflow). */
  step: 'import' | 'archive' | 'resolve' | 'suppress';
  code: string;
  message: string;
}

export interface SecurityHubOutcome {
  imported: number;
  archived: number;
  resolved: number;
  suppressed: number;
  failed: ExportFailure[];
  /** Requests sent, retries included. */
  calls: number;
}

function errorCode(error: unknown): string {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    $metadata?: unknown;
  };
  if (shape.$metadata !== undefined && typeof shape.name === 'string') return shape.name;
  return 'SecurityHubFailed';
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, ' ').slice(0, 300);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class SecurityHubExporter {
  private readonly retry: ExportRetry;

  constructor(
    private readonly client: SecurityHubClient,
    private readonly options: Omit<AsffOptions, 'now'>,
    retry: Partial<ExportRetry> = {},
  ) {
    this.retry = { ...DEFAULT_RETRY, ...retry };
  }

  async sync(findings: SecurityHubSync, now: string): Promise<SecurityHubOutcome> {
    const outcome: SecurityHubOutcome = {
      imported: 0,
      archived: 0,
      resolved: 0,
      suppressed: 0,
      failed: [],
      calls: 0,
    };
    const asff = (finding: AsffFinding): AwsSecurityFinding => asffFinding(finding, { ...this.options, now });

    const opened = await this.importAll(
      [...findings.open, ...findings.suppressed].map(asff),
      'import',
      outcome,
    );
    outcome.imported = opened.size;

    const archived = await this.importAll(
      findings.resolved.map((finding) => ({ ...asff(finding), RecordState: 'ARCHIVED' as const })),
      'archive',
      outcome,
    );
    outcome.archived = archived.size;

    outcome.resolved = await this.setWorkflow(
      findings.resolved.filter((finding) => archived.has(asffId(finding.fingerprint))),
      'RESOLVED',
      'resolve',
      outcome,
    );
    outcome.suppressed = await this.setWorkflow(
      findings.suppressed.filter((finding) => opened.has(asffId(finding.fingerprint))),
      'SUPPRESSED',
      'suppress',
      outcome,
    );
    return outcome;
  }

  /** Imports in batches; returns the ids Security Hub accepted. */
  private async importAll(
    findings: AwsSecurityFinding[],
    step: ExportFailure['step'],
    outcome: SecurityHubOutcome,
  ): Promise<Set<string>> {
    const accepted = new Set<string>();
    for (const batch of chunks(findings, SECURITY_HUB_BATCH)) {
      const result = await this.send(
        () => this.client.send(new BatchImportFindingsCommand({ Findings: batch })),
        outcome,
      );
      if (!result.ok) {
        for (const finding of batch)
          outcome.failed.push(failure(finding.Id!, step, result.code, result.message));
        continue;
      }
      const refused = new Map((result.value.FailedFindings ?? []).map((f) => [f.Id ?? '', f]));
      for (const finding of batch) {
        const failed = refused.get(finding.Id!);
        if (failed) {
          outcome.failed.push(
            failure(finding.Id!, step, failed.ErrorCode ?? 'FailedFinding', failed.ErrorMessage ?? ''),
          );
        } else {
          accepted.add(finding.Id!);
        }
      }
    }
    return accepted;
  }

  private async setWorkflow(
    findings: readonly AsffFinding[],
    status: WorkflowStatus,
    step: ExportFailure['step'],
    outcome: SecurityHubOutcome,
  ): Promise<number> {
    let updated = 0;
    const product = productArn(this.options.target);
    for (const batch of chunks(findings, SECURITY_HUB_BATCH)) {
      const identifiers = batch.map((finding) => ({ Id: asffId(finding.fingerprint), ProductArn: product }));
      const result = await this.send(
        () =>
          this.client.send(
            new BatchUpdateFindingsCommand({
              FindingIdentifiers: identifiers,
              Workflow: { Status: status },
              Note: { Text: `Set by irsa-auditor: ${status.toLowerCase()}`, UpdatedBy: 'irsa-auditor' },
            }),
          ),
        outcome,
      );
      if (!result.ok) {
        for (const id of identifiers) outcome.failed.push(failure(id.Id, step, result.code, result.message));
        continue;
      }
      const unprocessed = result.value.UnprocessedFindings ?? [];
      for (const item of unprocessed) {
        outcome.failed.push(
          failure(
            item.FindingIdentifier?.Id ?? '',
            step,
            item.ErrorCode ?? 'Unprocessed',
            item.ErrorMessage ?? '',
          ),
        );
      }
      updated += identifiers.length - unprocessed.length;
    }
    return updated;
  }

  private async send<T>(
    call: () => Promise<T>,
    outcome: SecurityHubOutcome,
  ): Promise<{ ok: true; value: T } | { ok: false; code: string; message: string }> {
    let last: unknown;
    for (let attempt = 1; attempt <= this.retry.maxAttempts; attempt++) {
      outcome.calls += 1;
      try {
        return { ok: true, value: await call() };
      } catch (error) {
        last = error;
        if (PERMANENT.has(errorCode(error)) || attempt === this.retry.maxAttempts) break;
        const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
        await this.retry.sleep(ceiling / 2 + this.retry.random() * (ceiling / 2));
      }
    }
    return { ok: false, code: errorCode(last), message: errorText(last) };
  }
}

function failure(id: string, step: ExportFailure['step'], code: string, message: string): ExportFailure {
  return { fingerprint: id.replace(/^irsa-auditor\//, ''), step, code, message: message.slice(0, 300) };
}
