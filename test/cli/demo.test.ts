import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_BASELINE, DEMO_CHANGED } from '../../lambda/cli/commands/demo';
import { loadInventoryFile } from '../../lambda/cli/inventory-file';
import { CHECKS } from '../../lambda/core/checks/index';
import { runChecks } from '../../lambda/core/engine';
import { runCli } from '../helpers/cli';

async function fingerprints(file: string): Promise<Set<string>> {
  const { inventory } = await loadInventoryFile(file);
  return new Set(runChecks(inventory, CHECKS).findings.map((finding) => finding.fingerprint));
}

describe('irsa-audit demo (embedded DynamoDB persisted in a folder)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'irsa-demo-'));
  const demo = (...args: string[]) => runCli(['demo', '--data-dir', dataDir, ...args]);

  it('stores the first run, reports every finding as new and prints the notification', async () => {
    const baseline = await fingerprints(DEMO_BASELINE);
    const { code, stdout } = await demo();
    expect(code).toBe(0);
    expect(stdout).toContain(`Drift: ${baseline.size} new, 0 resolved`);
    expect(stdout).toContain('── email');
    expect(stdout).toContain('── AWS Chatbot (Slack)');
    expect(stdout).toMatch(/Subject: .{1,99}\n/);
  });

  it('reports no drift and publishes nothing when run again', async () => {
    const { code, stdout } = await demo();
    expect(code).toBe(0);
    expect(stdout).toMatch(/Drift: 0 new, 0 resolved, \d+ still open/);
    expect(stdout).toContain('nothing would be published');
  });

  it('--change reports exactly the findings that differ between the two organizations', async () => {
    const before = await fingerprints(DEMO_BASELINE);
    const after = await fingerprints(DEMO_CHANGED);
    const opened = [...after].filter((fp) => !before.has(fp));
    const resolved = [...before].filter((fp) => !after.has(fp));
    expect(opened.length + resolved.length).toBeGreaterThan(0);

    const { code, stdout } = await demo('--change');

    expect(code).toBe(0);
    expect(stdout).toContain(`Drift: ${opened.length} new, ${resolved.length} resolved`);
    const listed = stdout.split('\nNew:\n')[1] ?? '';
    expect(listed.split('\n').filter((line) => line.startsWith('  [')).length).toBeGreaterThanOrEqual(
      opened.length,
    );
  });

  it('answers queries against the same table', async () => {
    const findings = await runCli(['findings', '--demo', '--data-dir', dataDir, '--format', 'json']);
    expect(findings.code).toBe(0);
    const parsed = JSON.parse(findings.stdout);
    expect(parsed.findings.length).toBe((await fingerprints(DEMO_CHANGED)).size);
    const runs = await runCli(['runs', '--demo', '--data-dir', dataDir, '--format', 'json']);
    expect(JSON.parse(runs.stdout).runs).toHaveLength(3);
    const fingerprint = parsed.findings[0].fingerprint;
    const history = await runCli(['history', fingerprint, '--demo', '--data-dir', dataDir]);
    expect(history.code).toBe(0);
    expect(history.stdout).toContain('opened');
  });

  it('prints the access-entry commands for the clusters the last run could not read', async () => {
    const unreachable = (await loadInventoryFile(DEMO_CHANGED)).inventory.accounts.flatMap((account) =>
      account.clusters.filter((cluster) => cluster.kubernetes.status !== 'ok').map((cluster) => cluster.name),
    );
    expect(unreachable.length).toBeGreaterThan(0);
    const { code, stdout } = await runCli(['access', '--demo', '--data-dir', dataDir]);
    expect(code).toBe(0);
    const creates = stdout.split('\n').filter((line) => line.startsWith('aws eks create-access-entry'));
    expect(creates).toHaveLength(unreachable.length);
    for (const name of unreachable) expect(stdout).toContain(`--cluster-name ${name} `);
  });

  it('rejects a malformed fingerprint and a missing table with exit code 2', async () => {
    expect((await runCli(['history', 'not-a-fingerprint', '--demo', '--data-dir', dataDir])).code).toBe(2);
    const noTable = await runCli(['findings']);
    expect(noTable.code).toBe(2);
    expect(noTable.stderr).toContain('--table');
  });
});
