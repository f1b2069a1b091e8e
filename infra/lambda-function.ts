/**
 * How every irsa-auditor Lambda is built (the audit function, the distributed mode's steps): Node.js 22
 * on arm64, one esbuild bundle from the repository with the SDK inside, and the bundled suppressions
 * file where one is given. One home, so both modes ship the same runtime and bundle settings.
 */
import * as path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  type ICommandHooks,
  NodejsFunction,
  type NodejsFunctionProps,
  OutputFormat,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';

export const REPO_ROOT = path.resolve(__dirname, '..');

export type IrsaFunctionProps = Omit<
  NodejsFunctionProps,
  'projectRoot' | 'depsLockFilePath' | 'runtime' | 'architecture' | 'bundling'
> & {
  /** Copies the suppressions file into the bundle (infra/suppressions.ts). */
  commandHooks?: ICommandHooks;
};

export function irsaFunction(scope: Construct, id: string, props: IrsaFunctionProps): NodejsFunction {
  const { commandHooks, ...functionProps } = props;
  const fn = new NodejsFunction(scope, id, {
    ...functionProps,
    projectRoot: REPO_ROOT,
    depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    bundling: {
      // Ship the SDK version the tests ran against rather than the runtime's copy.
      externalModules: [],
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      target: 'node22',
      format: OutputFormat.CJS,
      forceDockerBundling: false,
      ...(commandHooks ? { commandHooks } : {}),
    },
  });
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'nodejs22.x is deliberate: the bundle, its esbuild target (node22) and the tests are built for Node 22; move to a newer runtime in its own change',
  });
  return fn;
}
