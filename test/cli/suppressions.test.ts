import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_BASELINE } from '../../lambda/cli/commands/demo';
import { loadInventoryFile } from '../../lambda/cli/inventory-file';
import { CHECKS } from '../../lambda/core/checks/index';
import { runChecks } from '../../lambda/core/engine';
import type { Finding } from '../../lambda/core/findings';
import { runCli } from '../helpers/cli';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

function cli(argv: string[], cwd = process.cwd()) {
  return runCli(argv, {}, { cwd });
}

function writeSuppressions(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}

describe('scan --suppressions', () => {
  let findings: Finding[];
  let critical: Finding;
  let low: Finding;
  const dir = mkdtempSync(join(tmpdir(), 'irsa-suppressions-'));

  beforeAll(async () => {
    findings = runChecks((await loadInventoryFile(DEMO_BASELINE)).inventory, CHECKS).findings;
    critical = findings.find((f) => f.severity === 'critical') as Finding;
    low = findings.find((f) => f.severity === 'low') as Finding;
  });

  const scan = (...args: string[]) =>
    cli(['scan', '--inventory', DEMO_BASELINE, '--no-suppressions', ...args]);

  it('leaves suppressed findings out of the report and counts them; --show-suppressed lists them', async () => {
    const file = writeSuppressions(
      dir,
      'one.yaml',
      `version: 1\nsuppressions:\n  - fingerprint: ${low.fingerprint}\n    reason: accepted\n    owner: team-a\n    expires: ${day(30)}\n`,
    );
    const json = await cli([
      'scan',
      '--inventory',
      DEMO_BASELINE,
      '--suppressions',
      file,
      '--format',
      'json',
    ]);
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout);
    expect(result.findings).toHaveLength(findings.length - 1);
    expect(result.findings.map((f: Finding) => f.fingerprint)).not.toContain(low.fingerprint);
    expect(result.summary.findings).toBe(findings.length - 1);
    expect(result.suppressions).toMatchObject({
      source: file,
      suppressed: 1,
      entries: [{ index: 0, state: 'active', matched: 1, owner: 'team-a' }],
    });
    expect(result.suppressions.findings).toBeUndefined();

    const table = await cli(['scan', '--inventory', DEMO_BASELINE, '--suppressions', file]);
    expect(table.stdout).toContain('Suppressed: 1 finding accepted in');
    expect(table.stdout).toContain('(--show-suppressed lists them).');
    expect(table.stdout).not.toContain(`id ${low.fingerprint}`);

    const markdown = await cli([
      'scan',
      '--inventory',
      DEMO_BASELINE,
      '--suppressions',
      file,
      '--format',
      'markdown',
    ]);
    expect(markdown.stdout).toContain(
      `> Suppressed: 1 finding accepted in ${file} (--show-suppressed lists them).`,
    );

    const shown = await cli([
      'scan',
      '--inventory',
      DEMO_BASELINE,
      '--suppressions',
      file,
      '--show-suppressed',
    ]);
    expect(shown.stdout).toContain('SUPPRESSED (1)');
    expect(shown.stdout).toContain(`id ${low.fingerprint}`);
    expect(shown.stdout).toContain(`until ${day(30)} (team-a): accepted`);
  });

  it('--fail-on ignores suppressed findings', async () => {
    const criticals = findings.filter((f) => f.severity === 'critical');
    const body = [
      'version: 1',
      'suppressions:',
      ...criticals.flatMap((f) => [
        `  - fingerprint: ${f.fingerprint}`,
        '    reason: r',
        '    owner: o',
        `    expires: ${day(10)}`,
      ]),
    ].join('\n');
    const file = writeSuppressions(dir, 'criticals.yaml', body);
    expect((await scan('--fail-on', 'critical')).code).toBe(1);
    expect(
      (await cli(['scan', '--inventory', DEMO_BASELINE, '--suppressions', file, '--fail-on', 'critical']))
        .code,
    ).toBe(0);
    expect(critical).toBeDefined();
  });

  it('reports findings of an expired entry again, and warns about expired and stale entries', async () => {
    const file = writeSuppressions(
      dir,
      'expired.json',
      JSON.stringify({
        version: 1,
        suppressions: [
          { fingerprint: low.fingerprint, reason: 'r', owner: 'o', expires: day(-1) },
          {
            check: 'trust.aud-missing',
            role: 'arn:aws:iam::*:role/no-such-*',
            reason: 'r',
            owner: 'o',
            expires: day(5),
          },
        ],
      }),
    );
    const run = await cli(['scan', '--inventory', DEMO_BASELINE, '--suppressions', file, '--format', 'json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).findings).toHaveLength(findings.length);
    expect(run.stderr).toContain(
      `warning: suppressions[0] (fingerprint ${low.fingerprint}; owner o; expires ${day(-1)}) expired on ${day(-1)}: its finding is reported again`,
    );
    expect(run.stderr).toMatch(
      /warning: suppressions\[1\] \(check trust\.aud-missing role=arn:aws:iam::\*:role\/no-such-\*; .*matches no finding \(stale\)/,
    );
  });

  it('rejects an invalid file with exit 2 and a message naming the entry and the field', async () => {
    const file = writeSuppressions(
      dir,
      'bad.yaml',
      `version: 1\nsuppressions:\n  - fingerprint: ${low.fingerprint}\n    owner: o\n    expires: ${day(400)}\n`,
    );
    const run = await cli(['scan', '--inventory', DEMO_BASELINE, '--suppressions', file]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`irsa-audit scan: ${file}: 2 problems:`);
    expect(run.stderr).toContain('suppressions[0].reason: required');
    expect(run.stderr).toMatch(/suppressions\[0\]\.expires: \d{4}-\d\d-\d\d is more than one year after/);
  });

  it('rejects YAML syntax errors and a missing file with exit 2', async () => {
    const file = writeSuppressions(dir, 'syntax.yaml', 'version: 1\nsuppressions: [\n');
    const syntax = await cli(['scan', '--inventory', DEMO_BASELINE, '--suppressions', file]);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toContain('not valid YAML');
    const missing = await cli([
      'scan',
      '--inventory',
      DEMO_BASELINE,
      '--suppressions',
      join(dir, 'nope.yaml'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read the suppressions file (no such file)');
  });

  it('uses ./irsa-audit.suppressions.yaml of the working directory unless --no-suppressions', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'irsa-suppressions-cwd-'));
    writeSuppressions(
      cwd,
      'irsa-audit.suppressions.yaml',
      `version: 1\nsuppressions:\n  - fingerprint: ${low.fingerprint}\n    reason: r\n    owner: o\n    expires: ${day(3)}\n`,
    );
    const found = await cli(['scan', '--inventory', DEMO_BASELINE, '--format', 'json'], cwd);
    expect(found.stderr).toContain('using suppressions from ./irsa-audit.suppressions.yaml');
    expect(JSON.parse(found.stdout).suppressions.suppressed).toBe(1);
    const ignored = await cli(
      ['scan', '--inventory', DEMO_BASELINE, '--format', 'json', '--no-suppressions'],
      cwd,
    );
    expect(JSON.parse(ignored.stdout).suppressions).toBeUndefined();
    writeSuppressions(cwd, 'irsa-audit.suppressions.json', '{}');
    const both = await cli(['scan', '--inventory', DEMO_BASELINE], cwd);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('more than one suppressions file');
  });
});
