import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { renderScan } from '../../../lambda/report/scan-report';
import { runCli } from '../../helpers/cli';
import { demoScan, ROOT } from './demo-scan';

const schema = JSON.parse(readFileSync(join(ROOT, 'schema/scan-result.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

describe('schema/scan-result.schema.json', () => {
  it('accepts the real JSON output of the demo scan', () => {
    const document = JSON.parse(renderScan(demoScan(), 'json'));
    const ok = validate(document);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(document.findings.length).toBeGreaterThan(0);
  });

  it('accepts the output with a suppressions file and --show-suppressed', async () => {
    const { stdout } = await runCli([
      'scan',
      '--inventory',
      `${ROOT}/examples/demo-org.json`,
      '--format',
      'json',
      '--suppressions',
      `${ROOT}/examples/irsa-audit.suppressions.yaml`,
      '--show-suppressed',
    ]);
    const document = JSON.parse(stdout);
    expect(document.suppressions.findings.length).toBeGreaterThan(0);
    const ok = validate(document);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('rejects what the output must never be', () => {
    const document = JSON.parse(renderScan(demoScan(), 'json'));
    expect(validate({ ...document, schemaVersion: 2 })).toBe(false);
    expect(validate({ ...document, findings: [{ ...document.findings[0], severity: 'urgent' }] })).toBe(
      false,
    );
    const { fingerprint: _f, ...noFingerprint } = document.findings[0];
    expect(validate({ ...document, findings: [noFingerprint] })).toBe(false);
    expect(validate({ ...document, surprise: true })).toBe(false);
  });
});
