/**
 * A tenant who can create pods must not be able to push the organization-wide run out of memory: what a
 * live read keeps per pod is bounded by what the checks read (docs/collection.md "What is kept"), not by
 * the size of the pod's annotations or environment.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createKubernetesReader, type KubernetesReadResult } from '../../lambda/collect/kubernetes';
import { resolveCollectOptions } from '../../lambda/collect/options';
import { CA_DATA, type KubeServer, pod, startKubeServer } from './kube-server';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const PODS = 200;
const ANNOTATION_BYTES = 200 * 1024;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('memory held by a live read', () => {
  let server: KubeServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('does not hold the 40 MB of 200 pods with 200 KB annotations (and 200 KB secrets)', async () => {
    const payload = 'x'.repeat(ANNOTATION_BYTES);
    const pods = Array.from({ length: PODS }, (_, i) => {
      const object = pod('tenant', `flood-${i}`, {
        env: [
          { name: 'AWS_ROLE_ARN', value: 'arn:aws:iam::111122223333:role/app' },
          { name: 'DB_PASSWORD', value: payload },
        ],
      });
      return {
        ...object,
        metadata: {
          ...object.metadata,
          annotations: { 'kubectl.kubernetes.io/last-applied-configuration': payload },
        },
      };
    });
    server = await startKubeServer({ serviceAccounts: [], pods });
    const reader = createKubernetesReader({
      ...resolveCollectOptions({}).kubernetes,
      clusterTimeoutMs: 60_000,
    });
    const endpoint = {
      accountId: '111122223333',
      region: 'eu-west-1',
      name: 'prod',
      endpoint: server.url,
      caData: CA_DATA,
    };
    const before = heapAfterGc();

    const result = await reader.read(endpoint, 'k8s-aws-v1.token', { principalArn: 'arn:aws:iam::1:role/a' });
    const held = heapAfterGc() - before;

    expect(result.status).toBe('ok');
    // 40 MB of annotations (and as much again of variables) were read; a few hundred bytes per pod remain.
    expect(held).toBeLessThan(4 * 2 ** 20);
    const ok = result as Extract<KubernetesReadResult, { status: 'ok' }>;
    expect(ok.pods).toHaveLength(PODS);
    expect(ok.pods[0].annotations).toEqual({ 'kubectl.kubernetes.io/last-applied-configuration': '' });
    expect(ok.pods[0].containers[0].env).toEqual([
      { name: 'AWS_ROLE_ARN', value: 'arn:aws:iam::111122223333:role/app' },
    ]);
  }, 60_000);
});
