import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { CHECKS } from '../../../lambda/core/checks/index';
import type { ExportInput } from '../../../lambda/report/export/export-input';
import { renderSarif, SARIF_FINGERPRINT_KEY, sarifLog } from '../../../lambda/report/export/sarif';
import { demoExport, ROOT } from './demo-scan';

const schema = JSON.parse(readFileSync(join(ROOT, 'schema/vendor/sarif-schema-2.1.0.json'), 'utf8'));
// The official schema is draft-07; its `language` pattern is not valid as a Unicode regular
// expression, so patterns compile without the u flag. Formats (uri, date-time) are not asserted.
const validate = new Ajv({
  allErrors: true,
  strict: false,
  validateFormats: false,
  unicodeRegExp: false,
}).compile(schema);

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  kind: string;
  message: { text: string };
  partialFingerprints: Record<string, string>;
  locations: { logicalLocations: { fullyQualifiedName: string; kind: string }[] }[];
  suppressions?: unknown[];
}
interface SarifRun {
  tool: { driver: { rules: { id: string; defaultConfiguration: { level: string } }[] } };
  results: SarifResult[];
  invocations: { executionSuccessful: boolean; toolExecutionNotifications?: unknown[] }[];
}

function runOf(input: ExportInput): SarifRun {
  return (JSON.parse(renderSarif(input)) as { runs: SarifRun[] }).runs[0]!;
}

describe('SARIF export', () => {
  const input = demoExport();

  it('validates against the official SARIF 2.1.0 schema (the demo scan)', () => {
    const log = JSON.parse(renderSarif(input, { checksDocUrl: 'https://example.test/docs/checks.md' }));
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check is real: a broken log fails it', () => {
    const log = sarifLog(input) as { runs: { results: { level: string }[] }[] };
    log.runs[0]!.results[0]!.level = 'fatal';
    expect(validate(log)).toBe(false);
    expect(validate({ version: '2.1.0' })).toBe(false);
  });

  it('has one rule per check, in catalogue order, with the level of its default severity', () => {
    const rules = runOf(input).tool.driver.rules;
    expect(rules.map((rule) => rule.id)).toEqual(CHECKS.map((check) => check.id));
    const sub = rules.find((rule) => rule.id === 'trust.sub-unrestricted')!;
    expect(sub.defaultConfiguration.level).toBe('error');
  });

  it('has one result per finding, with the fingerprint and the resource as logical locations', () => {
    const run = runOf(input);
    expect(run.results).toHaveLength(input.findings.length);
    const rules = run.tool.driver.rules;
    input.findings.forEach((finding, i) => {
      const result = run.results[i]!;
      expect(result.ruleId).toBe(finding.checkId);
      expect(rules[result.ruleIndex]!.id).toBe(finding.checkId);
      expect(result.partialFingerprints[SARIF_FINGERPRINT_KEY]).toBe(finding.fingerprint);
      expect(result.message.text).toBe(finding.message);
      const names = result.locations[0]!.logicalLocations.map((l) => l.fullyQualifiedName);
      if (finding.resource.roleArn)
        expect(names.some((n) => n.startsWith(finding.resource.roleArn!))).toBe(true);
      if (finding.resource.cluster)
        expect(names.some((n) => n.endsWith(`/${finding.resource.cluster}`))).toBe(true);
    });
  });

  it('maps severities to levels, resolved findings to passes and suppressed ones to accepted suppressions', () => {
    const [first, second, third] = input.findings;
    const run = runOf({
      ...input,
      findings: [
        { ...first!, severity: 'low', status: 'open' },
        { ...second!, status: 'resolved' },
        { ...third!, status: 'suppressed' },
      ],
    });
    expect(run.results[0]!.level).toBe('note');
    expect(run.results[1]).toMatchObject({ kind: 'pass', level: 'none', baselineState: 'absent' });
    expect(run.results[2]).toMatchObject({
      kind: 'fail',
      suppressions: [{ kind: 'external', status: 'accepted' }],
    });
  });

  it('reports check errors as a failed execution and coverage gaps as a warning', () => {
    const run = runOf({
      ...input,
      coverageErrors: 2,
      checkErrors: [
        { checkId: 'trust.sub-unrestricted', resource: 'arn:aws:iam::1:role/x', message: 'boom' },
      ],
    });
    expect(run.invocations[0]!.executionSuccessful).toBe(false);
    expect(run.invocations[0]!.toolExecutionNotifications).toHaveLength(2);
    expect(validate(JSON.parse(renderSarif({ ...input, coverageErrors: 2 })))).toBe(true);
  });
});
