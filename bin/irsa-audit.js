#!/usr/bin/env node
// Entry point for `npx irsa-audit`: runs the TypeScript CLI through tsx's CommonJS loader.
require('tsx/cjs');
require('../lambda/cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
