/** The export formats through the command line, as users run them (docs/output.md "Exports"). */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { runCli } from '../helpers/cli';

const ROOT = join(__dirname, '..', '..');
const DEMO = join(ROOT, 'examples', 'demo-org.json');
const sarifSchema = JSON.parse(readFileSync(join(ROOT, 'schema/vendor/sarif-schema-2.1.0.json'), 'utf8'));
const validateSarif = new Ajv({ strict: false, validateFormats: false, unicodeRegExp: false }).compile(
  sarifSchema,
);

describe('scan --format (exports)', () => {
  it('sarif: the demo validates against the SARIF 2.1.0 schema', async () => {
    const { code, stdout } = await runCli(['scan', '--inventory', DEMO, '--format', 'sarif']);
    expect(code).toBe(0);
    const log = JSON.parse(stdout);
    expect(validateSarif(log)).toBe(true);
    expect(log.runs[0].results.length).toBeGreaterThan(50);
  });

  it('csv, ocsf and html write what their renderers write; --output writes a file', async () => {
    const csv = await runCli(['scan', '--inventory', DEMO, '--format', 'csv']);
    expect(csv.stdout.split('\r\n')[0]).toMatch(/^severity,check_id,title,status,/);
    const ocsf = JSON.parse((await runCli(['scan', '--inventory', DEMO, '--format', 'ocsf'])).stdout);
    expect(ocsf[0]).toMatchObject({ class_uid: 2004, metadata: { version: '1.3.0' } });
    const dir = mkdtempSync(join(tmpdir(), 'irsa-html-'));
    try {
      const file = join(dir, 'report.html');
      const html = await runCli(['scan', '--inventory', DEMO, '--format', 'html', '--output', file]);
      expect(html.code).toBe(0);
      const text = readFileSync(file, 'utf8');
      expect(text.startsWith('<!doctype html>')).toBe(true);
      expect(text).toContain('class="graph"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('asff: exactly the batch-import-findings input, for the account and region given', async () => {
    const { code, stdout } = await runCli(
      ['scan', '--inventory', DEMO, '--format', 'asff', '--security-hub-account', '999988887777'],
      { AWS_REGION: 'eu-west-1' },
    );
    expect(code).toBe(0);
    const { Findings } = JSON.parse(stdout);
    expect(Findings.length).toBeGreaterThan(50);
    expect(Findings[0]).toMatchObject({
      SchemaVersion: '2018-10-08',
      AwsAccountId: '999988887777',
      ProductArn: 'arn:aws:securityhub:eu-west-1:999988887777:product/999988887777/default',
    });
    const missing = await runCli(['scan', '--inventory', DEMO, '--format', 'asff']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--security-hub-account');
  });
});
