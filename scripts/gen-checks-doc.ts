/** Writes docs/checks.md from the check registry (`npm run docs:checks`). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKS } from '../lambda/core/checks/index';
import { renderChecksDoc } from '../lambda/report/checks-doc';

const target = join(__dirname, '..', 'docs', 'checks.md');
writeFileSync(target, renderChecksDoc(CHECKS));
process.stdout.write(`wrote ${target} (${CHECKS.length} checks)\n`);
