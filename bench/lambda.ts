/**
 * `npm run bench:lambda`: bundles lambda/handler.ts exactly as the CDK stack does (esbuild, minified,
 * CJS, node22 target, SDK included) and measures the bundle size and the module init time (the part
 * of a cold start the code controls) as the median of fresh Node processes. Prints one JSON line.
 * Targets (docs/performance.md): bundle ≤ 3 MB minified, init ≤ 500 ms.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

const outdir = mkdtempSync(join(tmpdir(), 'irsa-lambda-'));
const outfile = join(outdir, 'index.js');
buildSync({
  entryPoints: [join(__dirname, '..', 'lambda', 'handler.ts')],
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  outfile,
  logLevel: 'error',
});
const bytes = statSync(outfile).size;

const runs = Number(process.env.RUNS ?? 7);
const samples: number[] = [];
for (let i = 0; i < runs; i++) {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(outfile)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const out = execFileSync(process.execPath, ['-e', script], {
    env: {
      ...process.env,
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  samples.push(Number(out.toString()));
}
samples.sort((a, b) => a - b);
const median = samples[Math.floor(samples.length / 2)];
process.stdout.write(
  `${JSON.stringify({
    bundle_bytes: bytes,
    bundle_mb: Number((bytes / 1024 / 1024).toFixed(2)),
    init_ms_median: Number(median.toFixed(1)),
    init_ms_max: Number(samples[samples.length - 1].toFixed(1)),
    runs,
    node: process.version,
    targets: { bundle_mb: 3, init_ms: 500 },
  })}\n`,
);
