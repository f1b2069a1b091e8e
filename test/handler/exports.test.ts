/**
 * The audit Lambda's exporters end to end (docs/deployment.md §9): the simulated organization, the
 * results table on dynalite, the report bucket on an S3 protocol server (s3rver, in-process), Security
 * Hub and SNS through aws-sdk-client-mock. Run 1 imports every finding; run 2, with a trust fixed,
 * archives and resolves that finding; a Security Hub refusal is carried to the next run.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  BatchImportFindingsCommand,
  type BatchImportFindingsCommandInput,
  BatchUpdateFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { SimOrganization } from '../../bench/collect-sim';
import { SimulatedAws } from '../../bench/collect-sim';
import { type HandlerResult, runScheduledAudit } from '../../lambda/handler';
import { ENV } from '../../lambda/settings/settings';
import { listRuns } from '../../lambda/store/queries';
import { startDynalite, type TestDynamo } from '../helpers/dynalite';
import { startS3rver, type TestS3 } from '../helpers/s3rver';
import { PROD, REGION, roleArn, testOrganization } from './org';

const AUDIT_ACCOUNT = '999999999999';
const TOPIC = `arn:aws:sns:${REGION}:${AUDIT_ACCOUNT}:irsa-audit`;
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${AUDIT_ACCOUNT}:function:IrsaAuditor-AuditFunction`;
const PRODUCT = `arn:aws:securityhub:${REGION}:${AUDIT_ACCOUNT}:product/${AUDIT_ACCOUNT}/default`;
const BUCKET = 'irsa-reports';

let sns: ReturnType<typeof mockClient>;
let hub: ReturnType<typeof mockClient>;
let dynamo: TestDynamo;
let s3server: TestS3;
let s3: S3Client;
let nextStart = Date.now();

beforeAll(async () => {
  sns = mockClient(SNSClient);
  hub = mockClient(SecurityHubClient);
  s3server = await startS3rver([BUCKET], REGION);
  s3 = s3server.client;
});
afterAll(async () => {
  sns.restore();
  hub.restore();
  await s3server.stop();
});
beforeEach(async () => {
  dynamo = await startDynalite();
  sns.reset();
  hub.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  hub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
  hub.on(BatchUpdateFindingsCommand).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
});
afterEach(async () => {
  await dynamo.stop();
});

function quietMetrics(): Metrics {
  return new Metrics({ namespace: 'test', serviceName: 'test' });
}

async function audit(
  org: SimOrganization = testOrganization(),
  metrics: Metrics = quietMetrics(),
): Promise<HandlerResult> {
  const sim = new SimulatedAws(org);
  let now = nextStart;
  nextStart += 60_000;
  return runScheduledAudit(
    {
      getRemainingTimeInMillis: () => 15 * 60_000,
      awsRequestId: `req-${now}`,
      invokedFunctionArn: FUNCTION_ARN,
    },
    {
      env: {
        [ENV.table]: dynamo.tableName,
        [ENV.topic]: TOPIC,
        [ENV.regions]: REGION,
        [ENV.securityHub]: 'true',
        [ENV.reportBucket]: BUCKET,
        [ENV.checksDocUrl]: 'https://docs.example/irsa/checks.md',
        AWS_REGION: REGION,
      },
      store: dynamo.store(),
      sns: new SNSClient({ region: REGION }),
      exporterClients: { s3, securityHub: new SecurityHubClient({ region: REGION }) },
      collectDeps: {
        clients: sim.clientFactory(),
        credentials: sim.callerCredentials,
        kubernetes: sim.kubernetesReader(),
        clock: { now: Date.now, sleep: async () => {} },
      },
      logger: new Logger({ serviceName: 'irsa-auditor-test', logLevel: 'SILENT' }),
      metrics,
      clock: () => new Date(now++),
    },
  );
}

function imported(): NonNullable<BatchImportFindingsCommandInput['Findings']> {
  return hub.commandCalls(BatchImportFindingsCommand).flatMap((call) => call.args[0].input.Findings ?? []);
}

async function object(key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return out.Body!.transformToString();
}

const BATCH = roleArn(PROD, 'batch');

describe('the Lambda with Security Hub and the report bucket', () => {
  it('imports every open finding, then archives and resolves the one a fixed trust removes', async () => {
    const first = await audit();
    expect(first).toMatchObject({ status: 'completed', exports: ['reportBucket: ok', 'securityHub: ok'] });
    const run1 = imported();
    expect(run1).toHaveLength(first.findings!);
    for (const finding of run1) {
      expect(finding).toMatchObject({
        ProductArn: PRODUCT,
        AwsAccountId: AUDIT_ACCOUNT,
        RecordState: 'ACTIVE',
        Workflow: { Status: 'NEW' },
        SchemaVersion: '2018-10-08',
      });
      expect(finding.Remediation?.Recommendation?.Url).toMatch(/^https:\/\/docs\.example\/irsa\/checks\.md#/);
    }
    const batch = run1.find((f) => f.Resources?.some((r) => r.Id === BATCH));
    expect(batch).toMatchObject({ GeneratorId: 'trust.sub-unrestricted', Severity: { Label: 'CRITICAL' } });

    // The report of the run, and latest.html, with the notification linking to it.
    const report = await object(`irsa-audit/runs/${first.runId}.html`);
    expect(report).toContain('<!doctype html>');
    expect(report).toContain(batch!.ProductFields!['irsa-auditor/fingerprint']);
    expect(await object('irsa-audit/latest.html')).toBe(report);
    const message = JSON.parse(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message as string);
    const link = `https://s3.console.aws.amazon.com/s3/object/${BUCKET}?prefix=${encodeURIComponent(`irsa-audit/runs/${first.runId}.html`)}`;
    expect(message.email).toContain(`Report: ${link}`);
    expect(JSON.parse(message.default).content.description).toContain(`<${link}|HTML report of this run>`);

    hub.resetHistory();
    const second = await audit(testOrganization({ fixedBatchTrust: true }));
    expect(second).toMatchObject({
      drift: { resolved: 1 },
      exports: ['reportBucket: ok', 'securityHub: ok'],
    });
    const archived = imported().filter((f) => f.RecordState === 'ARCHIVED');
    expect(archived.map((f) => f.Id)).toEqual([batch!.Id]);
    expect(hub).toHaveReceivedCommandWith(BatchUpdateFindingsCommand, {
      FindingIdentifiers: [{ Id: batch!.Id!, ProductArn: PRODUCT }],
      Workflow: { Status: 'RESOLVED' },
    });
    expect(
      imported()
        .filter((f) => f.RecordState === 'ACTIVE')
        .map((f) => f.Id),
    ).not.toContain(batch!.Id);
  });

  it('carries an archive Security Hub refused to the next run, and never loses the stored results', async () => {
    await audit();
    hub.reset();
    hub.on(BatchImportFindingsCommand).callsFake((input: BatchImportFindingsCommandInput) => {
      const failed = (input.Findings ?? []).filter((f) => f.RecordState === 'ARCHIVED');
      return {
        FailedCount: failed.length,
        SuccessCount: (input.Findings?.length ?? 0) - failed.length,
        FailedFindings: failed.map((f) => ({
          Id: f.Id,
          ErrorCode: 'LimitExceeded',
          ErrorMessage: 'slow down',
        })),
      };
    });
    hub.on(BatchUpdateFindingsCommand).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
    const metrics = quietMetrics();
    const added = jest.spyOn(metrics, 'addMetric');
    const refused = await audit(testOrganization({ fixedBatchTrust: true }), metrics);
    expect(refused).toMatchObject({
      drift: { resolved: 1 },
      exports: ['reportBucket: ok', 'securityHub: partial'],
    });
    const [record] = (await listRuns(dynamo.store(), { limit: 1 }, new Date(nextStart))).runs;
    const exported = record!.exports!.find((e) => e.name === 'securityHub')!;
    expect(exported.carry?.map((f) => f.resource.roleArn)).toEqual([BATCH]);
    expect(exported.detail).toContain('LimitExceeded');
    // The count the ExportFindingsRefused metric sums: the one archive refused.
    expect(exported.refused).toBe(1);
    // The metrics the "exports failed" alarm watches (infra/audit-stack.ts).
    expect(added).toHaveBeenCalledWith('ExportsFailed', 'Count', 1);
    expect(added).toHaveBeenCalledWith('ExportFindingsRefused', 'Count', 1);

    // Next night: no drift, but the carried finding is archived and resolved now.
    hub.reset();
    hub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
    hub.on(BatchUpdateFindingsCommand).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
    const next = await audit(testOrganization({ fixedBatchTrust: true }));
    expect(next).toMatchObject({
      drift: { new: 0, resolved: 0 },
      exports: ['reportBucket: ok', 'securityHub: ok'],
    });
    const archived = imported().filter((f) => f.RecordState === 'ARCHIVED');
    expect(archived).toHaveLength(1);
    expect(archived[0]!.Resources!.some((r) => r.Id === BATCH)).toBe(true);
    const [latest] = (await listRuns(dynamo.store(), { limit: 1 }, new Date(nextStart))).runs;
    expect(latest!.exports!.find((e) => e.name === 'securityHub')).toMatchObject({
      status: 'ok',
      refused: 0,
    });
    expect(latest!.exports!.find((e) => e.name === 'securityHub')!.carry).toBeUndefined();
  });
});
