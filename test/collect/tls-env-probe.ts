/**
 * Run by kubernetes.test.ts in a child process whose real environment has
 * NODE_TLS_REJECT_UNAUTHORIZED=0 (Jest's `process.env` is a sandbox copy that Node's TLS never reads):
 * reads the loopback API server, whose certificate comes from the fixture CA, while trusting another
 * CA. Prints the result and how many requests reached the server.
 */
import { createKubernetesReader } from '../../lambda/collect/kubernetes';
import { resolveCollectOptions } from '../../lambda/collect/options';
import { OTHER_CA_DATA, serviceAccount, startKubeServer } from './kube-server';

async function probe(): Promise<void> {
  const server = await startKubeServer({ serviceAccounts: [serviceAccount('ns', 'sa')], pods: [] });
  try {
    const result = await createKubernetesReader(resolveCollectOptions({}).kubernetes).read(
      {
        accountId: '111122223333',
        region: 'eu-west-1',
        name: 'prod',
        endpoint: server.url,
        caData: OTHER_CA_DATA,
      },
      'k8s-aws-v1.secret-token',
      { principalArn: 'arn:aws:iam::111122223333:role/IrsaAuditor' },
    );
    process.stdout.write(`${JSON.stringify({ result, requests: server.requests.length })}\n`);
  } finally {
    await server.close();
  }
}

probe().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
