import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_BASELINE, DEMO_CHANGED, DEMO_SUPPRESSIONS } from '../../lambda/cli/commands/demo';
import { loadInventoryFile } from '../../lambda/cli/inventory-file';
import { CHECKS } from '../../lambda/core/checks/index';
import { runChecks } from '../../lambda/core/engine';
import { applySuppressions } from '../../lambda/core/suppressions';
import { loadSuppressionsFile } from '../../lambda/suppressions-file';
import { runCli } from '../helpers/cli';

/** The findings of a demo inventory that alert: the example suppressions applied as of its date. */
async function fingerprints(file: string): Promise<Set<string>> {
  const { inventory } = await loadInventoryFile(file);
  const asOf = new Date(inventory.generatedAt as string);
  const { suppressions } = loadSuppressionsFile(DEMO_SUPPRESSIONS, asOf);
  const applied = applySuppressions(runChecks(inventory, CHECKS).findings, suppressions, asOf);
  return new Set(applied.shown.map((finding) => finding.fingerprint));
}

describe('irsa-audit demo (embedded DynamoDB persisted in a folder)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'irsa-demo-'));
  const demo = (...args: string[]) => runCli(['demo', '--data-dir', dataDir, ...args]);

  it('stores the first run; its first 40 lines say what was found, what changed and what to do', async () => {
    const baseline = await fingerprints(DEMO_BASELINE);
    const { code, stdout } = await demo();
    expect(code).toBe(0);
    const screen = stdout.split('\n').slice(0, 40).join('\n');
    expect(screen).toMatch(/^irsa-audit: 5 accounts, 4 clusters, /);
    expect(screen).toMatch(new RegExp(`^Findings: ${baseline.size} \\(`, 'm'));
    expect(screen).toContain(`Drift: ${baseline.size} new, 0 resolved`);
    expect(screen).toMatch(/^Notification: would publish "IRSA audit/m);
    expect(screen).toMatch(/^Next:\n {2}irsa-audit findings --demo/m);
    expect(screen).toMatch(/^ {2}irsa-audit explain -i examples\/demo-org\.json -c \S+ -n \S+ -s \S+$/m);
    // The notification bodies only on request.
    expect(stdout).not.toContain('── email');
    expect(stdout).not.toContain('── AWS Chatbot (Slack)');
  });

  it('prints the e-mail and Chatbot bodies with --show-notification', async () => {
    const other = mkdtempSync(join(tmpdir(), 'irsa-demo-'));
    const { code, stdout } = await runCli(['demo', '--data-dir', other, '--show-notification']);
    expect(code).toBe(0);
    expect(stdout).toContain('── email');
    expect(stdout).toContain('── AWS Chatbot (Slack)');
    expect(stdout).toMatch(/Subject: .{1,99}\n/);
  });

  it('reports no drift and publishes nothing when run again, on its first screen', async () => {
    const { code, stdout } = await demo();
    expect(code).toBe(0);
    const screen = stdout.split('\n').slice(0, 40).join('\n');
    expect(screen).toMatch(/Drift: 0 new, 0 resolved, \d+ still open/);
    expect(screen).toContain('nothing would be published');
  });

  it('--change reports exactly the alerting findings that differ between the two nights', async () => {
    const before = await fingerprints(DEMO_BASELINE);
    const after = await fingerprints(DEMO_CHANGED);
    const opened = [...after].filter((fp) => !before.has(fp));
    const resolved = [...before].filter((fp) => !after.has(fp));
    expect(opened.length + resolved.length).toBeGreaterThan(0);

    const { code, stdout } = await demo('--change');

    expect(code).toBe(0);
    const screen = stdout.split('\n').slice(0, 40);
    expect(screen.join('\n')).toContain(`Drift: ${opened.length} new, ${resolved.length} resolved`);
    // The new and resolved findings are on the first screen (the new ones up to 12, then a count).
    const newAt = screen.indexOf('New:');
    const resolvedAt = screen.indexOf('Resolved:');
    expect(newAt).toBeGreaterThan(0);
    expect(resolvedAt).toBeGreaterThan(newAt);
    const shownNew = screen
      .slice(newAt + 1, resolvedAt)
      .filter((line) => /^ {2}(CRIT|HIGH|MED|LOW|INFO) /.test(line));
    const more = /… and (\d+) more/.exec(screen.slice(newAt, resolvedAt).join('\n'));
    expect(shownNew.length + Number(more?.[1] ?? 0)).toBe(opened.length);
    const shownResolved = screen
      .slice(resolvedAt + 1)
      .filter((line) => /^ {2}(CRIT|HIGH|MED|LOW|INFO) /.test(line));
    expect(shownResolved).toHaveLength(resolved.length);
  });

  it('answers queries against the same table', async () => {
    const findings = await runCli(['findings', '--demo', '--data-dir', dataDir, '--format', 'json']);
    expect(findings.code).toBe(0);
    const parsed = JSON.parse(findings.stdout);
    expect(parsed.findings.length).toBe((await fingerprints(DEMO_CHANGED)).size);
    const suppressed = await runCli([
      'findings',
      '--demo',
      '--data-dir',
      dataDir,
      '--status',
      'suppressed',
      '--format',
      'json',
    ]);
    expect(JSON.parse(suppressed.stdout).findings.map((f: { checkId: string }) => f.checkId)).toEqual([
      'sa.role-not-audited',
    ]);
    const runs = await runCli(['runs', '--demo', '--data-dir', dataDir, '--format', 'json']);
    expect(JSON.parse(runs.stdout).runs).toHaveLength(3);
    const fingerprint = parsed.findings[0].fingerprint;
    const history = await runCli(['history', fingerprint, '--demo', '--data-dir', dataDir]);
    expect(history.code).toBe(0);
    expect(history.stdout).toContain('opened');
  });

  it('filters findings by repeated or comma-separated checks and by severity at or above', async () => {
    const query = (...args: string[]) =>
      runCli(['findings', '--demo', '--data-dir', dataDir, '--format', 'json', '--all', ...args]);
    const checksOf = (stdout: string) =>
      [...new Set((JSON.parse(stdout).findings as { checkId: string }[]).map((f) => f.checkId))].sort();
    const both = ['sa.role-untrusted', 'trust.sub-unrestricted'];
    expect(checksOf((await query('--check', both[0], '--check', both[1])).stdout)).toEqual(both);
    expect(checksOf((await query('--check', both.join(','))).stdout)).toEqual(both);
    const high = JSON.parse((await query('--severity', 'high')).stdout).findings as { severity: string }[];
    expect([...new Set(high.map((f) => f.severity))].sort()).toEqual(['critical', 'high']);
    const list = JSON.parse((await query('--severity', 'critical,low')).stdout).findings as {
      severity: string;
    }[];
    expect([...new Set(list.map((f) => f.severity))].sort()).toEqual(['critical', 'low']);
    const typo = await query('--check', 'sa.role-untrustd');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('nearest: sa.role-untrusted');
  });

  it('prints open findings one line each, fitted to the width, with their fingerprints', async () => {
    const { code, stdout } = await runCli(['findings', '--demo', '--data-dir', dataDir], { COLUMNS: '100' });
    expect(code).toBe(0);
    for (const line of stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    expect(stdout).toMatch(/^(CRIT|HIGH) +\S+ +\S+ +[0-9a-f]{16} /m);
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

describe('irsa-audit demo with the example suppressions file', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'irsa-demo-suppressions-'));
  const demo = (...args: string[]) => runCli(['demo', '--data-dir', dataDir, ...args], { COLUMNS: '240' });
  // examples/irsa-audit.suppressions.yaml, entry 0: trust.sub-wildcard-namespace of argo-cd-sa-irsa,
  // in force on the baseline's night (2026-11-29) and expired the next (--change, 2026-11-30).
  const ARGO_CD = '7f0d7ddcf77731c9';

  it("a suppression file with an expired entry re-opens its finding in the demo's next run", async () => {
    const first = await demo();
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Suppressed: 2 \(not alerted\), 2 since this run/);
    expect(first.stdout).not.toContain(`id ${ARGO_CD}`);
    expect(first.stderr).toMatch(/suppressions\[2\] .* matches no finding \(stale\)/);

    const next = await demo('--change', '--details', '--show-notification');
    expect(next.code).toBe(0);
    expect(next.stdout).toContain(`id ${ARGO_CD}`);
    // First in the drift's New list, saying why it is back (COLUMNS wide enough for the note).
    expect(next.stdout).toMatch(
      /New:\n {2}LOW {3}trust\.sub-wildcard-namespace .*argo-cd-sa-irsa.*\(re-opened: suppression expired on 2026-11-29/,
    );
    expect(next.stdout).toContain('Suppressions: 1 re-opened (suppression expired)');
    expect(next.stdout).toContain('Re-opened: its suppression expired on 2026-11-29 (suppressions[0]');
    expect(next.stderr).toContain(
      `suppressions[0] (fingerprint ${ARGO_CD}; owner platform-team@example.com; expires 2026-11-29) expired on 2026-11-29`,
    );

    const history = await runCli(['history', ARGO_CD, '--demo', '--data-dir', dataDir, '--format', 'json']);
    expect(JSON.parse(history.stdout).events.map((e: { event: string }) => e.event)).toEqual([
      'opened',
      'suppressed',
      'unsuppressed',
    ]);
  });
});
