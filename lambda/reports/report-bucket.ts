/**
 * Writes each run's HTML report to the report bucket (docs/deployment.md "Report bucket"):
 * `<prefix>runs/<runId>.html`, then `<prefix>latest.html`, both `text/html`, server-side encrypted
 * by the bucket's default. Returns where the run's report is, for the notification to link to: the
 * S3 console's object page (the bucket is private; whoever may read it opens the link signed in).
 * Bounded retries on transient errors on top of the SDK's own; never throws: a failed write is the
 * outcome, the results are already stored.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { partitionOfRegion } from '../core/arn';

export interface ReportLocation {
  bucket: string;
  key: string;
  /** `s3://bucket/key` */
  uri: string;
  /** The object's page in the S3 console. */
  consoleUrl: string;
}

export type ReportWriteOutcome =
  | { status: 'written'; run: ReportLocation; latest: ReportLocation; attempts: number }
  | { status: 'failed'; attempts: number; error: { code: string; message: string } };

export interface ReportBucketOptions {
  bucket: string;
  /** Key prefix, `''` or ending in `/` (default `irsa-audit/`). */
  prefix?: string;
  region: string;
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

const PERMANENT = new Set(['AccessDenied', 'NoSuchBucket', 'InvalidBucketName', 'KMS.DisabledException']);

function consoleHost(region: string): string {
  const partition = partitionOfRegion(region);
  if (partition === 'aws-cn') return 'console.amazonaws.cn';
  if (partition === 'aws-us-gov') return 'console.amazonaws-us-gov.com';
  return 's3.console.aws.amazon.com';
}

export function reportLocation(bucket: string, key: string, region: string): ReportLocation {
  return {
    bucket,
    key,
    uri: `s3://${bucket}/${key}`,
    // One query parameter: the link goes into Slack mrkdwn and e-mail as is (no `&` to escape).
    consoleUrl: `https://${consoleHost(region)}/s3/object/${encodeURIComponent(bucket)}?prefix=${encodeURIComponent(key)}`,
  };
}

function errorCode(error: unknown): string {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    $metadata?: unknown;
  };
  return shape.$metadata !== undefined && typeof shape.name === 'string' ? shape.name : 'ReportWriteFailed';
}

export class ReportBucket {
  private readonly prefix: string;

  constructor(
    private readonly client: S3Client,
    private readonly options: ReportBucketOptions,
  ) {
    const prefix = options.prefix ?? 'irsa-audit/';
    if (prefix !== '' && !prefix.endsWith('/')) throw new Error(`report prefix must end in "/": ${prefix}`);
    this.prefix = prefix;
  }

  async write(runId: string, html: string): Promise<ReportWriteOutcome> {
    if (!/^[A-Za-z0-9._-]+$/.test(runId)) throw new Error(`not a run id: ${runId}`);
    const runKey = `${this.prefix}runs/${runId}.html`;
    const latestKey = `${this.prefix}latest.html`;
    let attempts = 0;
    const maxAttempts = this.options.maxAttempts ?? 3;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    let lastError: unknown;
    for (const key of [runKey, latestKey]) {
      let written = false;
      for (let attempt = 1; attempt <= maxAttempts && !written; attempt++) {
        attempts += 1;
        try {
          await this.client.send(
            new PutObjectCommand({
              Bucket: this.options.bucket,
              Key: key,
              Body: html,
              ContentType: 'text/html; charset=utf-8',
              CacheControl: key === latestKey ? 'no-cache' : 'max-age=31536000, immutable',
            }),
          );
          written = true;
        } catch (error) {
          lastError = error;
          if (PERMANENT.has(errorCode(error))) break;
          if (attempt < maxAttempts) await sleep(200 * 2 ** (attempt - 1));
        }
      }
      if (!written) {
        const message = lastError instanceof Error ? lastError.message : String(lastError);
        return {
          status: 'failed',
          attempts,
          error: { code: errorCode(lastError), message: message.slice(0, 300) },
        };
      }
    }
    const region = this.options.region;
    return {
      status: 'written',
      run: reportLocation(this.options.bucket, runKey, region),
      latest: reportLocation(this.options.bucket, latestKey, region),
      attempts,
    };
  }
}
