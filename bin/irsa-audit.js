#!/usr/bin/env node
// Entry point for `npx irsa-audit`: runs the TypeScript CLI through tsx's CommonJS loader.

// The AWS SDK warns on every start under Node 20 about its future Node 22 requirement; the CLI
// supports Node 20.19+ today, so that one warning is noise for users. Every other warning is kept.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  const name = typeof warning === 'object' && warning ? warning.name : type;
  if (name === 'NodeVersionSupportWarning' || type === 'NodeVersionSupportWarning') return;
  emitWarning(warning, ...rest);
};

require('tsx/cjs');
require('../lambda/cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
