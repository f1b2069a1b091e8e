import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { CHECKS } from '../../lambda/core/checks/index';
import { runChecks } from '../../lambda/core/engine';
import { planTrustFix } from '../../lambda/core/fix/trust-fix';
import { runCli } from '../helpers/cli';
import { loadInventory } from '../helpers/inventory';

const DEMO = join(__dirname, '..', '..', 'examples', 'demo-org.json');
const inventory = loadInventory(JSON.parse(readFileSync(DEMO, 'utf8')), DEMO);
const findings = runChecks(inventory, CHECKS).findings;

describe('irsa-audit fix', () => {
  let out: string;
  beforeEach(() => {
    out = mkdtempSync(join(tmpdir(), 'irsa-fix-'));
  });
  afterEach(() => rmSync(out, { recursive: true, force: true }));

  it('writes the complete new trust policy, pretty-printed, and only that file', async () => {
    const finding = findings.find(
      (f) =>
        f.checkId === 'trust.principal-other-account' &&
        f.resource.roleArn?.endsWith('/external-dns-staging'),
    );
    expect(finding).toBeDefined();
    const { code, stdout, stderr } = await runCli([
      'fix',
      finding!.fingerprint,
      '--inventory',
      DEMO,
      '--out',
      out,
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(readdirSync(out)).toEqual(['external-dns-staging.trust.json']);
    const text = readFileSync(join(out, 'external-dns-staging.trust.json'), 'utf8');
    const document = JSON.parse(text);
    expect(text).toBe(`${JSON.stringify(document, null, 2)}\n`);
    expect(document).toEqual(planTrustFix(finding!, inventory).document);

    const file = relative(process.cwd(), join(out, 'external-dns-staging.trust.json'));
    const lines = stdout.split('\n');
    // The provider the fixed statement names is created first, in the role's account.
    expect(lines).toContain(
      'aws iam create-open-id-connect-provider --url https://oidc.eks.us-east-1.amazonaws.com/id/C8A2E6F0B4D83917A5C7E9B1D3F50264 --client-id-list sts.amazonaws.com',
    );
    expect(lines).toContain(
      `aws iam update-assume-role-policy --role-name external-dns-staging --policy-document file://${file}`,
    );
  });

  it('refuses a finding that is not a trust fix, and an unknown id, with exit code 2', async () => {
    const restart = findings.find((f) => f.checkId === 'pod.irsa-not-injected');
    const notTrust = await runCli(['fix', restart!.fingerprint, '--inventory', DEMO, '--out', out]);
    expect(notTrust.code).toBe(2);
    expect(notTrust.stderr).toContain('not fixed by a new trust policy');
    const unknown = await runCli(['fix', '0123456789abcdef', '--inventory', DEMO, '--out', out]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no finding 0123456789abcdef');
    expect((await runCli(['fix', '--inventory', DEMO])).code).toBe(2);
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('irsa-audit access and scan name the member role the cluster refused', () => {
  it('access grants the role the demo failure names, not the default role name', async () => {
    const { code, stdout } = await runCli(['access', '--inventory', DEMO]);
    expect(code).toBe(0);
    expect(stdout).toContain('--principal-arn arn:aws:iam::205817463390:role/irsa-auditor-member');
    expect(stdout).not.toContain('IrsaAuditorMemberRole');
  });

  it('scan prints no placeholder principal', async () => {
    const { stdout } = await runCli(['scan', '--inventory', DEMO, '--details']);
    expect(stdout).not.toContain('<irsa-auditor member role>');
    expect(stdout.split('\n').map((line) => line.trim())).toContain(
      'aws eks create-access-entry --cluster-name ci-runners-usw2 --region us-west-2 --principal-arn arn:aws:iam::205817463390:role/irsa-auditor-member --type STANDARD',
    );
  });
});
