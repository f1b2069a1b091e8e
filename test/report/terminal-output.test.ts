/** Terminal output: the compact default fitted to the width, colours, Markdown quoting, fix commands. */
import { join } from 'node:path';
import { loadInventoryFile } from '../../lambda/cli/inventory-file';
import { CHECKS } from '../../lambda/core/checks/index';
import { runChecks } from '../../lambda/core/engine';
import { explainServiceAccount } from '../../lambda/core/explain/index';
import type { Finding } from '../../lambda/core/findings';
import type { ScanResult } from '../../lambda/core/scan-result';
import { renderExplain } from '../../lambda/report/explain-report';
import { mdEscape } from '../../lambda/report/markdown';
import { renderFindingsCompact } from '../../lambda/report/results-report';
import { renderMarkdown, renderScan } from '../../lambda/report/scan-report';
import { colorEnabled, terminalWidth } from '../../lambda/report/terminal';
import { runCli } from '../helpers/cli';

const SMALL = join(__dirname, '..', 'fixtures', 'cli', 'small.json');
const DEMO = join(__dirname, '..', '..', 'examples', 'demo-org.json');
const ESC = '\u001b[';

async function scanOf(file: string): Promise<ScanResult> {
  return runChecks((await loadInventoryFile(file)).inventory, CHECKS);
}

describe('compact terminal output', () => {
  it('prints one line per finding at 80 columns (snapshot)', async () => {
    const { code, stdout } = await runCli(['scan', '-i', SMALL], { COLUMNS: '80' });
    expect(code).toBe(0);
    expect(stdout).toMatchSnapshot();
  });

  it.each([60, 80, 132])('fits every line of the demo organization into %i columns', async (width) => {
    const { stdout } = await runCli(['scan', '-i', DEMO], { COLUMNS: String(width) });
    const result = await scanOf(DEMO);
    const rows = stdout.split('\n').filter((line) => /^(CRIT|HIGH|MED |LOW |INFO) /.test(line));
    expect(rows).toHaveLength(result.findings.length);
    for (const line of stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(width);
    if (width === 132) expect(Math.max(...rows.map((row) => row.length))).toBeGreaterThan(100);
  });

  it('keeps the full form behind --details', async () => {
    const { stdout } = await runCli(['scan', '-i', SMALL, '--details']);
    const result = await scanOf(SMALL);
    for (const finding of result.findings) expect(stdout).toContain(`id ${finding.fingerprint}`);
  });

  it('colours severities only on a terminal, or when FORCE_COLOR asks, and never with NO_COLOR', async () => {
    expect((await runCli(['scan', '-i', SMALL])).stdout).not.toContain(ESC);
    const forced = await runCli(['scan', '-i', SMALL], { FORCE_COLOR: '1' });
    expect(forced.stdout).toContain(`${ESC}1;31mCRIT`);
    expect((await runCli(['scan', '-i', SMALL], { FORCE_COLOR: '1', NO_COLOR: '1' })).stdout).not.toContain(
      ESC,
    );
    expect((await runCli(['scan', '-i', SMALL, '-f', 'json'], { FORCE_COLOR: '1' })).stdout).not.toContain(
      ESC,
    );
    expect(colorEnabled({}, true)).toBe(true);
    expect(colorEnabled({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colorEnabled({ FORCE_COLOR: '0' }, true)).toBe(false);
  });

  it('takes the width from COLUMNS, else the terminal, else 80', () => {
    expect(terminalWidth({ COLUMNS: '100' }, 200)).toBe(100);
    expect(terminalWidth({}, 150)).toBe(150);
    expect(terminalWidth({}, undefined)).toBe(80);
    expect(terminalWidth({ COLUMNS: 'wide' }, undefined)).toBe(80);
  });

  it('fits the findings table of the results table to the width, with fingerprints', async () => {
    const result = await scanOf(DEMO);
    const stored = result.findings.map((finding) => ({
      ...finding,
      status: 'open' as const,
      firstSeen: '2026-11-29T03:00:00.000Z',
      openedRunId: 'r',
      lastSeen: '2026-11-29T03:00:00.000Z',
      lastSeenRunId: 'r',
      contentHash: 'x',
    }));
    const text = renderFindingsCompact(
      { filter: { status: 'open' }, plan: { indexName: 'gsi1', reason: '' }, findings: stored },
      { width: 100, color: false },
    );
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    for (const finding of result.findings.slice(0, 5)) expect(text).toContain(finding.fingerprint);
  });
});

const HOSTILE: Finding = {
  checkId: 'sa.role-untrusted',
  severity: 'high',
  title: 'Annotated role does not trust the service account',
  message: 'Role a|b trusts <cluster> and `x` *y* [z](http://e) & more',
  resource: { accountId: '111122223333', cluster: 'c<1>', namespace: 'n|s', serviceAccount: 'sa' },
  remediation:
    'Replace the statement in trust.json:\n{\n  "Effect": "Allow",\n  "Condition": { "StringEquals": { "k": "```" } }\n}',
  fingerprint: '0123456789abcdef',
};
const COMMANDS = [
  'aws iam update-assume-role-policy --role-name very-long-role-name-that-would-not-fit-the-width --policy-document file://trust-0123456789abcdef.json',
  'kubectl rollout restart -n payments deployment/payments-api',
];

function resultOf(findings: Finding[]): ScanResult {
  return {
    schemaVersion: 1,
    summary: {
      accounts: 1,
      clusters: 1,
      roles: 1,
      serviceAccounts: 1,
      pods: 0,
      findings: findings.length,
      bySeverity: { critical: 0, high: findings.length, medium: 0, low: 0, info: 0 },
      byCheck: {},
      coverageErrors: 0,
      skippedChecks: 0,
      checkErrors: 0,
    },
    findings,
    skipped: [],
    checkErrors: [],
  };
}

describe('Markdown output', () => {
  const markdown = renderMarkdown(resultOf([HOSTILE]));

  it('escapes what it quotes, so placeholders stay visible and cells stay cells', () => {
    expect(mdEscape('a|b <cluster> `x` *y*')).toBe('a\\|b &lt;cluster&gt; \\`x\\` \\*y\\*');
    const row = markdown.split('\n').find((line) => line.startsWith('| `sa.role-untrusted`'));
    expect(row).toBeDefined();
    expect(row).toContain('trusts &lt;cluster&gt; and \\`x\\` \\*y\\* \\[z\\](http://e) &amp; more');
    expect(row).toContain('c&lt;1&gt;');
    // Four cells exactly: no `|` of the data splits the row.
    expect(row?.replace(/\\\|/g, '').split('|')).toHaveLength(6);
  });

  it('has a fingerprint column, and fixes in code blocks below the tables, never in cells', () => {
    expect(markdown).toContain('| check | resource | finding | fingerprint |');
    expect(markdown).toContain('[`0123456789abcdef`](#fix-0123456789abcdef)');
    for (const line of markdown.split('\n').filter((l) => l.startsWith('|')))
      expect(line).not.toContain('Effect');
    // The remediation holds three backticks: the fence is longer.
    expect(markdown).toMatch(/\n````text\n\{\n[\s\S]*\n````\n/);
  });

  it('prints fix commands as a shell block, one per line', () => {
    const withCommands = renderMarkdown(resultOf([{ ...HOSTILE, commands: COMMANDS } as Finding]));
    expect(withCommands).toContain(`\`\`\`sh\n${COMMANDS.join('\n')}\n\`\`\``);
  });
});

describe('fix commands in the full form and in explain', () => {
  const finding = { ...HOSTILE, commands: COMMANDS } as Finding;

  it('prints each command whole on a line of its own in --details, however narrow', () => {
    const text = renderScan(resultOf([finding]), 'table', {
      details: true,
      terminal: { width: 60, color: false },
    });
    const lines = text.split('\n').map((line) => line.trim());
    for (const command of COMMANDS) expect(lines).toContain(command);
  });

  it('prints each command whole in explain', async () => {
    const inventory = (await loadInventoryFile(SMALL)).inventory;
    const report = explainServiceAccount(inventory, {
      cluster: 'c1',
      namespace: 'staging',
      serviceAccount: 'worker',
    });
    const step = report.steps.find((s) => s.findings.length > 0);
    expect(step).toBeDefined();
    step?.findings.splice(0, 1, { ...(step.findings[0] as Finding), commands: COMMANDS } as Finding);
    const lines = renderExplain(report, 'text', 60)
      .split('\n')
      .map((line) => line.trim());
    for (const command of COMMANDS) expect(lines).toContain(command);
  });

  it('never breaks a fix that starts with a command', () => {
    const command = { ...HOSTILE, remediation: COMMANDS[0] };
    const text = renderScan(resultOf([command]), 'table', {
      details: true,
      terminal: { width: 60, color: false },
    });
    expect(text.split('\n').map((line) => line.trim())).toContain(COMMANDS[0]);
  });
});
