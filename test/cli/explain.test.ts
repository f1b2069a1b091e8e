/** `irsa-audit explain --inventory`: renderings, exit codes, and targets that do not exist. */
import { join } from 'node:path';
import { runCli } from '../helpers/cli';

const SMALL = join(__dirname, '..', 'fixtures', 'cli', 'small.json');
const DEMO = join(__dirname, '..', '..', 'examples', 'demo-org.json');

/** `irsa-audit explain -i FILE -c CLUSTER -n NAMESPACE -s SERVICE_ACCOUNT [extra…]`. */
function explain(
  file: string,
  cluster: string,
  namespace: string,
  serviceAccount: string,
  ...extra: string[]
) {
  return runCli(['explain', '-i', file, '-c', cluster, '-n', namespace, '-s', serviceAccount, ...extra]);
}

describe('irsa-audit explain', () => {
  it('shows the failing step with the check finding that names the nearest subject', async () => {
    const { code, stdout } = await explain(SMALL, 'c1', 'staging', 'worker');
    expect(code).toBe(1);
    expect(stdout).toContain('Pods get: IRSA (new pods: IRSA; no running pod)');
    expect(stdout).toContain('Verdict: IRSA is broken');
    expect(stdout).toContain('✓ Verify that you have an IAM OIDC identity provider');
    expect(stdout).toMatch(
      /✗ Validate your IAM role policies and trust policy configuration \(trust\s+relationship\)/,
    );
    expect(stdout).toContain('[high] sa.role-untrusted');
    expect(stdout).toContain('(namespace prod, not staging)');
    expect(stdout).toMatch(/^Evaluated: \d+ roles?, /m);
  });

  it('reports a working service account whose running pods miss the injected environment as broken', async () => {
    const { code, stdout } = await explain(SMALL, 'c1', 'app', 'api', '--format', 'json');
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    const status = Object.fromEntries(
      report.steps.map((step: { id: string; status: string }) => [step.id, step.status]),
    );
    expect(status).toMatchObject({
      'oidc-provider': 'pass',
      'trust-policy': 'pass',
      'service-account': 'pass',
      'pod-identity': 'n/a',
      'test-pod': 'fail',
    });
    expect(report.mechanism.effective).toBe('irsa');
    const testPod = report.steps.find((step: { id: string }) => step.id === 'test-pod');
    expect(testPod.findings.map((f: { checkId: string }) => f.checkId)).toEqual(['pod.irsa-not-injected']);
  });

  it('does not call a Pod Identity service account "IRSA is broken" (demo: arc-runner-set, cluster not read)', async () => {
    const { code, stdout } = await explain(DEMO, 'ci-runners-usw2', 'arc-runners', 'arc-runner-set');
    expect(code).toBe(0);
    expect(stdout).not.toContain('IRSA is broken');
    expect(stdout).toContain('Pods get: Pod Identity (new pods: Pod Identity; running pods: not read)');
    expect(stdout).toContain('Verdict: Pod Identity: could not be fully checked');
    expect(stdout).toMatch(/^\? Confirm that your service account exists/m);
    expect(stdout).not.toMatch(/^✗/m);
  });

  it('does not call pods without credentials variables "✓" (demo: media/thumbnailer)', async () => {
    const { code, stdout } = await explain(DEMO, 'staging-use1', 'media', 'thumbnailer');
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /Pods get: neither IRSA nor Pod Identity \(new pods: neither; running pods: 2\s+neither\)/,
    );
    expect(stdout).toMatch(/^– Use a test pod/m);
    expect(stdout).toContain('no AWS credential variables: the node role');
    expect(stdout).toContain('[high] sa.annotation-key-typo');
    expect(stdout).toContain('[medium] trust.target-not-annotated');
  });

  it('exits 2 for a service account that does not exist, listing those of the namespace', async () => {
    const { code, stdout, stderr } = await explain(DEMO, 'staging-use1', 'media', 'nope');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('service account media/nope does not exist in cluster staging-use1');
    expect(stderr).toContain('service accounts of namespace media: default, thumbnailer');
  });

  it('exits 2 for a namespace that does not exist, listing the namespaces', async () => {
    const { code, stderr } = await explain(SMALL, 'c1', 'nope', 'api');
    expect(code).toBe(2);
    expect(stderr).toMatch(/namespace nope does not exist in cluster c1 .*; namespaces: app, /);
  });

  it('exits 2 for an unknown cluster, listing the known ones', async () => {
    const { code, stderr } = await explain(SMALL, 'nope', 'a', 'b');
    expect(code).toBe(2);
    expect(stderr).toContain('c1 (111122223333, us-west-2)');
  });

  it('renders markdown', async () => {
    const { code, stdout } = await explain(
      DEMO,
      'prod-use1',
      'kube-system',
      'aws-node',
      '--format',
      'markdown',
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/^## Service account kube-system\/aws-node in cluster prod-use1/);
    expect(stdout).toContain('**Verdict:** IRSA works');
    expect(stdout).toContain('### ✓ Verify that you have an IAM OIDC identity provider');
  });

  it('rejects an unknown format', async () => {
    const { code, stderr } = await explain(SMALL, 'c1', 'app', 'api', '--format', 'yaml');
    expect(code).toBe(2);
    expect(stderr).toContain('--format');
  });
});
