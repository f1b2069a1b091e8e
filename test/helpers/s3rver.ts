/**
 * s3rver (an implementation of the S3 protocol) started in-process on a random loopback port, with its
 * buckets, in a temporary folder, and an S3 client to it. One per test file; `stop` removes the folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

export interface TestS3 {
  client: S3Client;
  stop(): Promise<void>;
}

export async function startS3rver(buckets: readonly string[], region = 'eu-west-1'): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'irsa-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  const { port } = (await server.run()) as AddressInfo;
  const client = new S3Client({
    region,
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  return {
    client,
    stop: async () => {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
