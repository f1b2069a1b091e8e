/** Rewrites the settings tables of docs/deployment.md from the settings table (`npm run docs:settings`). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withSettingsDoc } from '../lambda/settings/doc';

const target = join(__dirname, '..', 'docs', 'deployment.md');
writeFileSync(target, withSettingsDoc(readFileSync(target, 'utf8')));
process.stdout.write(`wrote the settings tables of ${target}\n`);
