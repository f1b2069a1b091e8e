/**
 * The report bucket against a real S3 protocol server on loopback (s3rver, in-process), and the error
 * paths with aws-sdk-client-mock.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
// s3rver ships no types; the part used here is typed in test/types/s3rver.d.ts.
import { ReportBucket, reportLocation } from '../../lambda/reports/report-bucket';
import { startS3rver, type TestS3 } from '../helpers/s3rver';

describe('ReportBucket on an S3 server (s3rver)', () => {
  let s3: TestS3;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startS3rver(['audit-reports']);
    client = s3.client;
  });
  afterAll(() => s3.stop());

  async function read(key: string): Promise<{ body: string; type?: string }> {
    const out = await client.send(new GetObjectCommand({ Bucket: 'audit-reports', Key: key }));
    return { body: await out.Body!.transformToString(), type: out.ContentType };
  }

  it('writes the run report and latest.html, and says where', async () => {
    const bucket = new ReportBucket(client, { bucket: 'audit-reports', region: 'eu-west-1' });
    const outcome = await bucket.write('20261206T020000Z-1a2b3c4d', '<!doctype html><p>run 1</p>');
    expect(outcome).toEqual({
      status: 'written',
      attempts: 2,
      run: reportLocation('audit-reports', 'irsa-audit/runs/20261206T020000Z-1a2b3c4d.html', 'eu-west-1'),
      latest: reportLocation('audit-reports', 'irsa-audit/latest.html', 'eu-west-1'),
    });
    expect(await read('irsa-audit/runs/20261206T020000Z-1a2b3c4d.html')).toEqual({
      body: '<!doctype html><p>run 1</p>',
      type: 'text/html; charset=utf-8',
    });
    await bucket.write('20261207T020000Z-5e6f7a8b', '<!doctype html><p>run 2</p>');
    expect((await read('irsa-audit/latest.html')).body).toBe('<!doctype html><p>run 2</p>');
    expect((await read('irsa-audit/runs/20261206T020000Z-1a2b3c4d.html')).body).toContain('run 1');
  });

  it('reports a missing bucket as a failed write, without throwing', async () => {
    const bucket = new ReportBucket(client, {
      bucket: 'no-such-bucket',
      region: 'eu-west-1',
      sleep: async () => {},
    });
    const outcome = await bucket.write('20261206T020000Z-1a2b3c4d', 'x');
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'NoSuchBucket' } });
  });
});

describe('ReportBucket errors', () => {
  // Mocked here only: mockClient replaces every S3Client's send until restored.
  let s3: ReturnType<typeof mockClient>;
  beforeAll(() => {
    s3 = mockClient(S3Client);
  });
  afterEach(() => s3.reset());
  afterAll(() => s3.restore());
  const error = (name: string, status: number) =>
    Object.assign(new Error(`${name}: no`), { name, $metadata: { httpStatusCode: status } });

  it('retries a transient error, then writes', async () => {
    s3.on(PutObjectCommand).rejectsOnce(error('SlowDown', 503)).resolves({});
    const delays: number[] = [];
    const bucket = new ReportBucket(new S3Client({ region: 'us-east-1' }), {
      bucket: 'b',
      region: 'us-east-1',
      sleep: async (ms) => void delays.push(ms),
    });
    const outcome = await bucket.write('r1', '<p>x</p>');
    expect(outcome).toMatchObject({ status: 'written', attempts: 3 });
    expect(delays).toEqual([200]);
  });

  it('gives up at once on AccessDenied', async () => {
    s3.on(PutObjectCommand).rejects(error('AccessDenied', 403));
    const bucket = new ReportBucket(new S3Client({ region: 'us-east-1' }), {
      bucket: 'b',
      region: 'us-east-1',
    });
    expect(await bucket.write('r1', 'x')).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'AccessDenied' },
    });
    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 1);
  });

  it('refuses a run id that would escape the prefix, and a prefix without a slash', () => {
    const client = new S3Client({ region: 'us-east-1' });
    expect(() => new ReportBucket(client, { bucket: 'b', region: 'us-east-1', prefix: 'reports' })).toThrow(
      /must end in/,
    );
    return expect(
      new ReportBucket(client, { bucket: 'b', region: 'us-east-1' }).write('../x', 'x'),
    ).rejects.toThrow(/not a run id/);
  });

  it('links to the console of the bucket’s partition, with one query parameter', () => {
    expect(reportLocation('b', 'irsa-audit/runs/r1.html', 'eu-west-1').consoleUrl).toBe(
      'https://s3.console.aws.amazon.com/s3/object/b?prefix=irsa-audit%2Fruns%2Fr1.html',
    );
    expect(reportLocation('b', 'irsa-audit/latest.html', 'cn-north-1').consoleUrl).toBe(
      'https://console.amazonaws.cn/s3/object/b?prefix=irsa-audit%2Flatest.html',
    );
  });
});
