#!/usr/bin/env node
// Entry point for `npx irsa-audit`: runs the TypeScript CLI through tsx's CommonJS loader.

// The AWS SDK warns on every start under Node 20 about its future Node 22 requirement; the CLI
// supports Node 20.19+ today, so that one warning is noise. The SDK's own switch turns it off.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

require('tsx/cjs');
require('../lambda/cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
