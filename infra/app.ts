/** CDK app entry (cdk.json: `npx tsx infra/app.ts`). Configuration: docs/deployment.md. */
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../lambda/settings/read';
import { buildApp } from './build-app';

const app = new App();
try {
  buildApp(app);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // A configuration mistake is not a crash: print the message, not a stack trace.
  console.error(error.message);
  process.exit(1);
}
app.synth();
