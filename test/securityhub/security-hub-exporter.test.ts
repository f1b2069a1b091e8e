import {
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { AsffFinding } from '../../lambda/securityhub/asff';
import { SecurityHubExporter } from '../../lambda/securityhub/security-hub-exporter';

const hub = mockClient(SecurityHubClient);
afterEach(() => hub.reset());

const target = { accountId: '999988887777', region: 'eu-west-1' };
const PRODUCT = 'arn:aws:securityhub:eu-west-1:999988887777:product/999988887777/default';
const now = '2026-12-06T02:00:00.000Z';
const noWait = { sleep: async () => {}, random: () => 0 };
const error = (name: string, status = 400) =>
  Object.assign(new Error(`${name}: refused`), { name, $metadata: { httpStatusCode: status } });

function finding(n: number): AsffFinding {
  return {
    checkId: 'trust.sub-unrestricted',
    severity: 'high',
    title: 'Trust policy has no sub condition',
    message: `finding ${n}`,
    resource: { accountId: '111122223333', roleArn: `arn:aws:iam::111122223333:role/r${n}` },
    remediation: 'Restrict it.',
    fingerprint: `fp${n}`,
  };
}
const many = (from: number, count: number) => Array.from({ length: count }, (_, i) => finding(from + i));
const exporter = () =>
  new SecurityHubExporter(new SecurityHubClient({ region: 'eu-west-1' }), { target }, noWait);

describe('SecurityHubExporter', () => {
  it('imports open findings in batches of 100', async () => {
    hub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 100, FailedFindings: [] });
    const outcome = await exporter().sync({ open: many(0, 250), resolved: [], suppressed: [] }, now);

    expect(hub).toHaveReceivedCommandTimes(BatchImportFindingsCommand, 3);
    const sizes = hub.commandCalls(BatchImportFindingsCommand).map((c) => c.args[0].input.Findings!.length);
    expect(sizes).toEqual([100, 100, 50]);
    expect(hub).not.toHaveReceivedCommand(BatchUpdateFindingsCommand);
    expect(outcome).toMatchObject({ imported: 250, archived: 0, resolved: 0, failed: [] });
  });

  it('archives a resolved finding and sets its workflow to RESOLVED', async () => {
    hub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
    hub.on(BatchUpdateFindingsCommand).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
    const outcome = await exporter().sync({ open: [], resolved: [finding(7)], suppressed: [] }, now);

    const imported = hub.commandCalls(BatchImportFindingsCommand)[0]!.args[0].input.Findings![0]!;
    expect(imported).toMatchObject({ Id: 'irsa-auditor/fp7', RecordState: 'ARCHIVED', ProductArn: PRODUCT });
    expect(hub).toHaveReceivedCommandWith(BatchUpdateFindingsCommand, {
      FindingIdentifiers: [{ Id: 'irsa-auditor/fp7', ProductArn: PRODUCT }],
      Workflow: { Status: 'RESOLVED' },
    });
    expect(outcome).toMatchObject({ archived: 1, resolved: 1, failed: [] });
  });

  it('imports a suppressed finding, then sets its workflow to SUPPRESSED', async () => {
    hub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
    hub.on(BatchUpdateFindingsCommand).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
    const outcome = await exporter().sync({ open: [], resolved: [], suppressed: [finding(3)] }, now);
    expect(hub).toHaveReceivedCommandWith(BatchUpdateFindingsCommand, {
      FindingIdentifiers: [{ Id: 'irsa-auditor/fp3', ProductArn: PRODUCT }],
      Workflow: { Status: 'SUPPRESSED' },
    });
    expect(outcome).toMatchObject({ imported: 1, suppressed: 1, failed: [] });
  });

  it('reports FailedFindings by fingerprint and does not resolve a finding whose archive failed', async () => {
    hub.on(BatchImportFindingsCommand).resolves({
      FailedCount: 1,
      SuccessCount: 1,
      FailedFindings: [
        { Id: 'irsa-auditor/fp2', ErrorCode: 'InvalidInput', ErrorMessage: 'Finding does not adhere' },
      ],
    });
    hub.on(BatchUpdateFindingsCommand).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
    const outcome = await exporter().sync(
      { open: [], resolved: [finding(1), finding(2)], suppressed: [] },
      now,
    );

    expect(outcome.failed).toEqual([
      { fingerprint: 'fp2', step: 'archive', code: 'InvalidInput', message: 'Finding does not adhere' },
    ]);
    expect(hub).toHaveReceivedCommandWith(BatchUpdateFindingsCommand, {
      FindingIdentifiers: [{ Id: 'irsa-auditor/fp1', ProductArn: PRODUCT }],
    });
    expect(outcome).toMatchObject({ archived: 1, resolved: 1 });
  });

  it('retries throttling with backoff, then succeeds', async () => {
    hub
      .on(BatchImportFindingsCommand)
      .rejectsOnce(error('TooManyRequestsException', 429))
      .rejectsOnce(error('ThrottlingException', 400))
      .resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
    const delays: number[] = [];
    const outcome = await new SecurityHubExporter(
      new SecurityHubClient({ region: 'eu-west-1' }),
      { target },
      { sleep: async (ms) => void delays.push(ms), random: () => 1 },
    ).sync({ open: [finding(1)], resolved: [], suppressed: [] }, now);
    expect(outcome).toMatchObject({ imported: 1, failed: [], calls: 3 });
    expect(delays).toEqual([250, 500]);
  });

  it('gives up at once on AccessDenied and reports every finding of the batch, never throwing', async () => {
    hub.on(BatchImportFindingsCommand).rejects(error('AccessDeniedException', 403));
    const outcome = await exporter().sync({ open: many(0, 3), resolved: [], suppressed: [] }, now);
    expect(hub).toHaveReceivedCommandTimes(BatchImportFindingsCommand, 1);
    expect(outcome.imported).toBe(0);
    expect(outcome.failed.map((f) => [f.fingerprint, f.step, f.code])).toEqual([
      ['fp0', 'import', 'AccessDeniedException'],
      ['fp1', 'import', 'AccessDeniedException'],
      ['fp2', 'import', 'AccessDeniedException'],
    ]);
  });

  it('reports UnprocessedFindings of a workflow update', async () => {
    hub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
    hub.on(BatchUpdateFindingsCommand).resolves({
      ProcessedFindings: [],
      UnprocessedFindings: [
        {
          FindingIdentifier: { Id: 'irsa-auditor/fp4', ProductArn: PRODUCT },
          ErrorCode: 'FindingNotFound',
          ErrorMessage: 'not found',
        },
      ],
    });
    const outcome = await exporter().sync({ open: [], resolved: [finding(4)], suppressed: [] }, now);
    expect(outcome.resolved).toBe(0);
    expect(outcome.failed).toEqual([
      { fingerprint: 'fp4', step: 'resolve', code: 'FindingNotFound', message: 'not found' },
    ]);
  });
});
