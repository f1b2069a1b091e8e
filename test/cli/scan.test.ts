import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';

const SMALL = join(__dirname, '..', 'fixtures', 'cli', 'small.json');

function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-cli-'));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('irsa-audit scan', () => {
  it('prints every finding in full with --details, grouped by severity, fitting 80 columns outside code', async () => {
    const { code, stdout } = await runCli(['scan', '--inventory', SMALL, '--details']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^irsa-audit: 1 account, 1 cluster, 3 roles/);
    const headings = stdout
      .split('\n')
      .filter((line) => /^(CRITICAL|HIGH|MEDIUM|LOW|INFO) \(\d+\)$/.test(line));
    expect(headings).toEqual(['CRITICAL (1)', 'HIGH (3)', 'LOW (1)']);
    // Commands and policy fragments (indented 6) and single unbreakable tokens (ARNs) may be longer.
    const prose = stdout.split('\n').filter((line) => !line.startsWith('      ') && /\s\S/.test(line.trim()));
    expect(prose.length).toBeGreaterThan(20);
    for (const line of prose) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('emits the documented JSON document', async () => {
    const { code, stdout } = await runCli(['scan', '-i', SMALL, '--format', 'json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.schemaVersion).toBe(1);
    expect(result.summary).toMatchObject({ accounts: 1, roles: 3, findings: 5 });
    expect(result.findings.map((f: { checkId: string }) => f.checkId).sort()).toEqual([
      'pod.irsa-not-injected',
      'role.no-permissions',
      'sa.role-untrusted',
      'trust.sub-target-missing',
      'trust.sub-unrestricted',
    ]);
    for (const finding of result.findings) {
      expect(Object.keys(finding)).toEqual(
        expect.arrayContaining([
          'checkId',
          'severity',
          'title',
          'message',
          'resource',
          'remediation',
          'fingerprint',
        ]),
      );
    }
  });

  it('renders markdown', async () => {
    const { stdout } = await runCli(['scan', '-i', SMALL, '--format', 'markdown']);
    expect(stdout.startsWith('# irsa-audit report')).toBe(true);
    expect(stdout).toContain('| `trust.sub-unrestricted` |');
  });

  it.each([
    ['critical', 1],
    ['high', 1],
    ['info', 1],
  ])('exits 1 when --fail-on %s is met', async (severity, expected) => {
    const { code } = await runCli(['scan', '-i', SMALL, '--fail-on', severity]);
    expect(code).toBe(expected);
  });

  it('exits 0 with --fail-on when nothing reaches the threshold', async () => {
    const clean = tempFile(
      'clean.json',
      JSON.stringify({ schemaVersion: 1, accounts: [{ accountId: '123456789012' }] }),
    );
    const { code, stdout } = await runCli(['scan', '-i', clean, '--fail-on', 'info']);
    expect(code).toBe(0);
    expect(stdout).toContain('No findings.');
  });

  it('exits 2 naming the file for input that is not JSON', async () => {
    const bad = tempFile('broken.json', '{"schemaVersion": 1, "accounts": [');
    const { code, stderr, stdout } = await runCli(['scan', '-i', bad]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('broken.json');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 naming the JSON path for an invalid inventory', async () => {
    const bad = tempFile('bad.json', JSON.stringify({ schemaVersion: 1, accounts: [{ accountId: '12' }] }));
    const { code, stderr } = await runCli(['scan', '-i', bad]);
    expect(code).toBe(2);
    expect(stderr).toContain('bad.json');
    expect(stderr).toContain('$.accounts[0].accountId');
  });

  it('exits 2 for a missing file, a missing flag, a bad format and an unknown command', async () => {
    expect((await runCli(['scan', '-i', '/nonexistent/inv.json'])).code).toBe(2);
    expect((await runCli(['scan'])).stderr).toContain('missing --inventory');
    expect((await runCli(['scan', '-i', SMALL, '--format', 'yaml'])).code).toBe(2);
    expect((await runCli(['scan', '-i', SMALL, '--fail-on', 'severe'])).code).toBe(2);
    expect((await runCli(['scna'])).code).toBe(2);
    expect((await runCli(['scan', '--bogus'])).code).toBe(2);
  });
});
