import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InventoryError } from '../../lambda/core/inventory/errors';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'inventory');
export const ACCOUNT = '111122223333';
export const ISSUER = 'oidc.eks.us-west-2.amazonaws.com/id/5C6D7E8F9A0B1C2D3E4F5A6B7C8D9E0F';
export const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER}`;

/** A fresh parsed copy of a raw-output fixture (the parser may modify what it is given). */
export function fixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
}

export function trustPolicyFor(subject: string): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: PROVIDER_ARN },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${ISSUER}:sub`]: subject, [`${ISSUER}:aud`]: 'sts.amazonaws.com' } },
      },
    ],
  };
}

/** A valid inventory in our own shape, built fresh for every call. */
// biome-ignore lint/suspicious/noExplicitAny: tests mutate this freely to make it invalid
export function validDocument(): any {
  return {
    schemaVersion: 1,
    generatedAt: '2026-11-29T03:00:00Z',
    accounts: [
      {
        accountId: ACCOUNT,
        name: 'prod',
        oidcProviders: [{ arn: PROVIDER_ARN, url: ISSUER, clientIds: ['sts.amazonaws.com'] }],
        roles: [
          {
            arn: `arn:aws:iam::${ACCOUNT}:role/orders-api`,
            trustPolicy: trustPolicyFor('system:serviceaccount:orders:api'),
            attachedPolicyArns: ['arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess'],
            inlinePolicyNames: [],
            lastUsed: null,
          },
        ],
        clusters: [
          {
            name: 'prod',
            region: 'us-west-2',
            arn: `arn:aws:eks:us-west-2:${ACCOUNT}:cluster/prod`,
            oidcIssuer: `https://${ISSUER}`,
            podIdentityAssociations: [
              {
                namespace: 'billing',
                serviceAccount: 'worker',
                roleArn: `arn:aws:iam::${ACCOUNT}:role/billing`,
              },
            ],
            kubernetes: { status: 'ok' },
            serviceAccounts: [
              {
                namespace: 'orders',
                name: 'api',
                annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::${ACCOUNT}:role/orders-api` },
              },
            ],
            pods: [
              {
                namespace: 'orders',
                name: 'api-6d4cf56db6-7xk2p',
                serviceAccountName: 'api',
                phase: 'Running',
                owner: { kind: 'Deployment', name: 'api' },
                containers: [
                  {
                    name: 'api',
                    env: [{ name: 'AWS_ROLE_ARN', value: `arn:aws:iam::${ACCOUNT}:role/orders-api` }],
                  },
                ],
              },
            ],
          },
        ],
        errors: [{ scope: 'region', region: 'ap-south-2', code: 'AccessDenied', message: 'not enabled' }],
      },
    ],
  };
}

/** Runs `action`, which must throw an InventoryError, and returns it. */
export function inventoryError(action: () => unknown): InventoryError {
  try {
    action();
  } catch (error) {
    if (error instanceof InventoryError) return error;
    throw new Error(`expected an InventoryError, got ${String(error)}`);
  }
  throw new Error('expected an InventoryError, but nothing was thrown');
}

export async function inventoryErrorAsync(action: () => Promise<unknown>): Promise<InventoryError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof InventoryError) return error;
    throw new Error(`expected an InventoryError, got ${String(error)}`);
  }
  throw new Error('expected an InventoryError, but nothing was thrown');
}
