import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deploymentSuppressions, suppressionsCommandHooks } from '../../infra/suppressions';
import { ConfigError } from '../../lambda/settings/read';
import { ENV } from '../../lambda/settings/settings';
import { BASE_CONTEXT, properties, synth } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'irsa-infra-suppressions-'));
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const entry = (fingerprint: string, expires: string, owner = 'security') =>
  `  - fingerprint: ${fingerprint}\n    reason: accepted\n    owner: ${owner}\n    expires: ${expires}\n`;

function file(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}

const functionEnvironment = (context: Record<string, unknown>) =>
  (
    properties(synth(context).template, 'AWS::Lambda::Function', 'AuditFunction').Environment as {
      Variables: Record<string, unknown>;
    }
  ).Variables;

describe('CDK context suppressionsFile', () => {
  it('validates the file at synth and tells the function the name of its bundled copy', () => {
    const path = file('accepted.yaml', `version: 1\nsuppressions:\n${entry('0123456789abcdef', day(30))}`);
    const context = { ...BASE_CONTEXT, suppressionsFile: path };
    expect(functionEnvironment(context)[ENV.suppressionsFile]).toBe('irsa-audit.suppressions.yaml');
    expect(synth(context).config.warnings).toEqual([]);
    expect(functionEnvironment(BASE_CONTEXT)[ENV.suppressionsFile]).toBeUndefined();
  });

  it('fails the synth naming the entry and the field when an entry is invalid', () => {
    const path = file('invalid.yaml', `version: 1\nsuppressions:\n${entry('0123456789abcdef', day(400))}`);
    expect(() => synth({ ...BASE_CONTEXT, suppressionsFile: path })).toThrow(ConfigError);
    expect(() => synth({ ...BASE_CONTEXT, suppressionsFile: path })).toThrow(
      /suppressionsFile: .*invalid\.yaml: invalid suppression:\n\s+suppressions\[0\]\.expires: \d{4}-\d\d-\d\d is more than one year after/,
    );
    expect(() => synth({ ...BASE_CONTEXT, suppressionsFile: join(dir, 'missing.yaml') })).toThrow(
      /cannot read the suppressions file/,
    );
    expect(() => synth({ ...BASE_CONTEXT, suppressionsFile: join(dir, 'notes.txt') })).toThrow(
      /suppressionsFile: got ".*notes\.txt"; expected a path to a \.yaml, \.yml or \.json suppressions file/,
    );
  });

  it('warns at synth about entries that have already expired', () => {
    const path = file(
      'expired.json',
      JSON.stringify({
        version: 1,
        suppressions: [{ fingerprint: '0123456789abcdef', reason: 'r', owner: 'o', expires: day(-2) }],
      }),
    );
    const built = synth({ ...BASE_CONTEXT, suppressionsFile: path });
    expect(functionEnvironment({ ...BASE_CONTEXT, suppressionsFile: path })[ENV.suppressionsFile]).toBe(
      'irsa-audit.suppressions.json',
    );
    expect(built.config.warnings).toEqual([
      expect.stringMatching(/^suppressionsFile: suppressions\[0\] .* expired on/),
    ]);
  });

  it('copies the file into the bundle after esbuild', () => {
    const path = file(
      "team's accepted.yaml",
      `version: 1\nsuppressions:\n${entry('0123456789abcdef', day(30))}`,
    );
    const suppressions = deploymentSuppressions(path, new Date());
    const outputDir = mkdtempSync(join(tmpdir(), 'irsa-bundle-'));
    const commands = suppressionsCommandHooks(suppressions).afterBundling(dir, outputDir);
    for (const command of commands) execFileSync('sh', ['-c', command]);
    expect(readFileSync(join(outputDir, 'irsa-audit.suppressions.yaml'), 'utf8')).toBe(
      readFileSync(path, 'utf8'),
    );
  });
});
