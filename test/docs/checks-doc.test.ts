import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKS } from '../../lambda/core/checks/index';
import { renderChecksDoc } from '../../lambda/report/checks-doc';

describe('docs/checks.md', () => {
  it('is generated from the current check registry (run `npm run docs:checks` when this fails)', () => {
    const committed = readFileSync(join(__dirname, '..', '..', 'docs', 'checks.md'), 'utf8');
    expect(committed).toBe(renderChecksDoc(CHECKS));
  });

  it('documents every check id exactly once', () => {
    const ids = CHECKS.map((check) => check.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(38);
  });
});
