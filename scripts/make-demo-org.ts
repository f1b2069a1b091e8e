/**
 * Writes the bundled demo organization (`examples/demo-org.json` and `examples/demo-org-changed.json`)
 * from the generator in ./demo-org. Run with `npx tsx scripts/make-demo-org.ts`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_FILES, renderDemoOrg } from './demo-org';

const root = join(__dirname, '..');
for (const variant of ['base', 'changed'] as const) {
  const text = renderDemoOrg(variant);
  writeFileSync(join(root, DEMO_FILES[variant]), text);
  process.stdout.write(`${DEMO_FILES[variant]}: ${text.length} bytes\n`);
}
