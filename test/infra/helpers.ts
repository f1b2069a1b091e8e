/** Builds the CDK app as `cdk synth` does (cdk.json context included), without esbuild bundling. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/build-app';

export const CDK_JSON = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
  app: string;
  context: Record<string, unknown>;
};

export const ORG_ID = 'o-a1b2c3d4e5';
/** The minimum a real deployment passes. */
export const BASE_CONTEXT = { orgId: ORG_ID, targetOus: 'r-ab12' };

function build(context: Record<string, unknown>) {
  const app = new App({ context: { ...CDK_JSON.context, 'aws:cdk:bundling-stacks': [], ...context } });
  const built = buildApp(app);
  return { app, ...built, template: Template.fromStack(built.audit) };
}

const built = new Map<string, ReturnType<typeof build>>();

/** Synthesizes once per context within a test file (a synth takes about a second). */
export function synth(context: Record<string, unknown> = BASE_CONTEXT): ReturnType<typeof build> {
  const key = JSON.stringify(context);
  let result = built.get(key);
  if (!result) {
    result = build(context);
    built.set(key, result);
  }
  return result;
}

type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, unknown> } & Record<string, unknown>
>;

/** The logical id of the one resource of a type whose id starts with a prefix (the construct id). */
export function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} ${prefix}*, found ${ids.join(', ') || 'none'}`);
  return ids[0];
}

export function resource(template: Template, type: string, prefix: string) {
  return (template.findResources(type) as Resources)[logicalId(template, type, prefix)];
}

export function properties(template: Template, type: string, prefix: string): Record<string, unknown> {
  return resource(template, type, prefix).Properties ?? {};
}

export const ref = (id: string) => ({ Ref: id });
export const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
/** `arn:${Partition}:…` as CDK renders a string with the partition token. */
export const withPartition = (...parts: unknown[]) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ...parts]],
});
