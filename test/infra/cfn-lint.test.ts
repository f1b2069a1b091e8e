/**
 * cfn-lint over the synthesized audit stack of both modes (it validates the resource properties and
 * the state machine's definition too). cfn-lint is a Python tool installed on the CI machine; where it
 * is absent the suite is skipped with a notice.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE_CONTEXT, synth } from './helpers';

const available = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;
if (!available) {
  process.stderr.write(
    'NOTICE test/infra/cfn-lint.test.ts: cfn-lint is not installed; the template lint is skipped\n',
  );
}

/** W3005: CDK adds DependsOn on a role its GetAtt already implies; harmless and not ours to change. */
const IGNORED = ['W3005'];

(available ? describe : describe.skip)('cfn-lint', () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it.each([
    ['single', BASE_CONTEXT],
    ['distributed', { ...BASE_CONTEXT, scale: 'distributed' }],
  ])('finds nothing in the %s mode template', (mode, context) => {
    const file = join(directory, `${mode}.template.json`);
    writeFileSync(file, JSON.stringify(synth(context).template.toJSON()));
    let output = '';
    try {
      output = execFileSync(
        'cfn-lint',
        ['--format', 'parseable', '--ignore-checks', ...IGNORED, '--', file],
        {
          encoding: 'utf8',
        },
      );
    } catch (error) {
      output = (error as { stdout?: string }).stdout ?? String(error);
    }
    expect(output.trim()).toBe('');
  });
});
