/**
 * The dependency rules of .dependency-cruiser.cjs catch what they name: a throwaway tree with one
 * violation per rule (and the imports the architecture allows) is cruised with the real rule set.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const REPO = join(__dirname, '..', '..');

/** path → import lines; every file also exports a constant so it is a module. */
const TREE: Record<string, string[]> = {
  'lambda/core/model.ts': [],
  'lambda/app/ports.ts': ["import type { M } from '../core/model';"],
  'lambda/app/pipeline.ts': ["import { x } from '../core/model';", "import type { P } from './ports';"],
  'lambda/store/dynamo-store.ts': [
    "import type { P } from '../app/ports';",
    "import { x } from '../core/model';",
  ],
  'lambda/store/queries.ts': ["import { x } from './dynamo-store';"],
  'lambda/notify/sns-publisher.ts': ["import type { P } from '../app/ports';"],
  'lambda/collect/collect.ts': ["import { x } from '../core/model';"],
  'lambda/report/results-report.ts': [
    "import type { Q } from '../store/queries';",
    "import { x } from '../app/pipeline';",
  ],
  'lambda/artifacts/run-artifacts.ts': ["import { x } from '../core/model';"],
  'lambda/distributed/evaluate.ts': [
    "import { x } from '../app/pipeline';",
    "import { y } from '../artifacts/run-artifacts';",
    "import { z } from '../store/dynamo-store';",
    "import { w } from '../collect/collect';",
    "import { v } from '../config';",
  ],
  'lambda/config.ts': [],
  'lambda/handler.ts': [
    "import { x } from './app/pipeline';",
    "import { y } from './store/dynamo-store';",
    "import { z } from './notify/sns-publisher';",
  ],
  'lambda/cli/main.ts': [
    "import { x } from '../report/results-report';",
    "import { y } from '../store/queries';",
  ],
  // One violation per rule.
  'lambda/core/violates-core-is-pure.ts': ["import { x } from '../app/pipeline';"],
  'lambda/core/violates-core-no-io-builtins.ts': ["import { readFileSync } from 'node:fs';"],
  'lambda/core/violates-core-no-npm.ts': ["import { SNSClient } from '@aws-sdk/client-sns';"],
  'lambda/app/violates-app-imports-core-only.ts': ["import { x } from '../store/dynamo-store';"],
  'lambda/app/violates-app-no-io.ts': ["import { SNSClient } from '@aws-sdk/client-sns';"],
  'lambda/app/violates-app-no-io-builtins.ts': ["import { request } from 'node:https';"],
  'lambda/notify/violates-notify-not-store.ts': ["import { x } from '../store/queries';"],
  'lambda/collect/violates-adapters-not-each-other.ts': ["import { x } from '../notify/sns-publisher';"],
  'lambda/artifacts/violates-adapters-not-each-other.ts': ["import { x } from '../collect/collect';"],
  'lambda/store/violates-adapters-not-entry-points.ts': ["import { x } from '../report/results-report';"],
  'lambda/report/violates-report-renders-only.ts': ["import { x } from '../store/dynamo-store';"],
  'lambda/app/violates-entry-points-not-imported.ts': ["import { x } from '../handler';"],
};

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

function cruise(): Violation[] {
  const root = mkdtempSync(join(tmpdir(), 'depcruise-rules-'));
  try {
    for (const [path, imports] of Object.entries(TREE)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), `${imports.join('\n')}\nexport const x = 1;\n`);
    }
    writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext' } }));
    // A stand-in npm package, so an SDK import resolves as an npm dependency.
    const sdk = join(root, 'node_modules', '@aws-sdk', 'client-sns');
    mkdirSync(sdk, { recursive: true });
    writeFileSync(
      join(sdk, 'package.json'),
      JSON.stringify({ name: '@aws-sdk/client-sns', main: 'index.js' }),
    );
    writeFileSync(join(sdk, 'index.js'), 'exports.SNSClient = class {};\n');
    writeFileSync(
      join(root, 'package.json'),
      JSON.stringify({ name: 'rules', dependencies: { '@aws-sdk/client-sns': '*' } }),
    );
    const bin = join(REPO, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
    let output: string;
    try {
      output = execFileSync(
        process.execPath,
        [bin, '--config', join(REPO, '.dependency-cruiser.cjs'), '--output-type', 'json', 'lambda'],
        { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      );
    } catch (error) {
      // Violations make depcruise exit non-zero; the JSON report is still on stdout.
      output = (error as { stdout: string }).stdout;
    }
    return (JSON.parse(output) as { summary: { violations: Violation[] } }).summary.violations;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('dependency rules', () => {
  const violations = cruise();

  it.each(
    Object.keys(TREE)
      .filter((path) => path.includes('/violates-'))
      .map((path) => [path.replace(/^.*violates-|\.ts$/g, ''), path]),
  )('%s fails on an injected violation', (rule, path) => {
    expect(violations.filter((violation) => violation.from === path).map((v) => v.rule.name)).toContain(rule);
  });

  it('allows the imports the architecture needs', () => {
    expect(violations.filter((violation) => !violation.from.includes('/violates-'))).toEqual([]);
  });
});
