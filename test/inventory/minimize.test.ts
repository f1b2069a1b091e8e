/**
 * Data minimization at collection (docs/collection.md "What is kept"): files and live reads go through
 * the same conversion, which keeps only what the checks read, within a text budget per object.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { podFromObject, serviceAccountFromObject } from '../../lambda/core/inventory/api-objects';
import { MAX_KEPT_VALUE_LENGTH, OBJECT_TEXT_BUDGET } from '../../lambda/core/inventory/kubernetes';
import { parseInventory } from '../../lambda/core/inventory/parse';
import { CHECKED_ENV_VARS } from '../../lambda/core/workload-fields';
import { validDocument } from './helpers';

const ROLE_ARN = 'arn:aws:iam::111122223333:role/orders-api';

describe('what the inventory keeps of a pod and a service account', () => {
  it('keeps only the checked variables of each container, from a file in our shape', () => {
    const document = validDocument();
    document.accounts[0].clusters[0].pods[0].containers = [
      {
        name: 'api',
        image: 'api:1',
        command: ['--password', 'hunter2'],
        env: [
          { name: 'DB_PASSWORD', value: 'hunter2' },
          { name: 'AWS_ROLE_ARN', value: ROLE_ARN },
          { name: 'AWS_SECRET_ACCESS_KEY', value: 'wJalrXUtnFEMI' },
          {
            name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
            value: '/var/run/secrets/pods.eks.amazonaws.com/token',
          },
        ],
      },
    ];

    const { inventory } = parseInventory(document, 'inv.json');

    expect(inventory.accounts[0].clusters[0].pods[0].containers).toEqual([
      {
        name: 'api',
        env: [
          { name: 'AWS_ROLE_ARN', value: ROLE_ARN },
          {
            name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
            value: '/var/run/secrets/pods.eks.amazonaws.com/token',
          },
        ],
      },
    ]);
    expect(JSON.stringify(inventory)).not.toMatch(/hunter2|wJalrXUtnFEMI/);
  });

  it('keeps annotation values of the webhook keys and their near-typos only, other keys without value', () => {
    const serviceAccount = serviceAccountFromObject({
      metadata: {
        namespace: 'orders',
        name: 'api',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{"secret":"s3cr3t"}',
          'eks.amazonaws.com/role-arn': ROLE_ARN,
          'eks.amazon.com/role-arn': ROLE_ARN,
          'eks.amazonaws.com/audience': 'sts.amazonaws.com',
          'meta.helm.sh/release-name': 'orders',
        },
      },
    });

    expect(serviceAccount.annotations).toEqual({
      'kubectl.kubernetes.io/last-applied-configuration': '',
      'eks.amazonaws.com/role-arn': ROLE_ARN,
      'eks.amazon.com/role-arn': ROLE_ARN,
      'eks.amazonaws.com/audience': 'sts.amazonaws.com',
      'meta.helm.sh/release-name': '',
    });
    // Order is the object's own (evidence shows it).
    expect(Object.keys(serviceAccount.annotations)[0]).toBe(
      'kubectl.kubernetes.io/last-applied-configuration',
    );
  });

  it('keeps nothing else of the pod spec, and only the labels the checks read', () => {
    const pod = podFromObject({
      metadata: {
        namespace: 'ns',
        name: 'p',
        labels: { app: 'api', 'eks.amazonaws.com/skip-pod-identity-webhook': 'true' },
        annotations: { 'eks.amazonaws.com/skip-containers': 'sidecar', note: 'private' },
      },
      spec: {
        containers: [{ name: 'app', env: [{ name: 'TOKEN', value: 'x' }] }],
        volumes: [{ name: 'secret', secret: { secretName: 'db' } }],
      } as never,
      status: { phase: 'Running' },
    });

    expect(pod).toEqual({
      namespace: 'ns',
      name: 'p',
      serviceAccountName: 'default',
      phase: 'Running',
      labels: { 'eks.amazonaws.com/skip-pod-identity-webhook': 'true' },
      annotations: { 'eks.amazonaws.com/skip-containers': 'sidecar', note: '' },
      containers: [{ name: 'app', env: [] }],
    });
  });

  it('derives the kept variables from the constant the checks use (no variable name written twice)', () => {
    const checks = join(__dirname, '..', '..', 'lambda', 'core', 'checks');
    for (const file of readdirSync(checks)) {
      const text = readFileSync(join(checks, file), 'utf8');
      // A quoted variable name in a check would be a second list the inventory does not follow.
      expect({ file, literals: text.match(/['"]AWS_[A-Z_]+['"]/g) ?? [] }).toEqual({ file, literals: [] });
    }
    expect(CHECKED_ENV_VARS).toEqual([
      'AWS_ROLE_ARN',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
    ]);
  });
});

describe('the per-object size cap', () => {
  it('cuts a flood of annotation keys to the budget, keeping the role-arn value, with a warning', () => {
    const document = validDocument();
    const serviceAccount = document.accounts[0].clusters[0].serviceAccounts[0];
    const flood: Record<string, string> = {};
    for (let i = 0; i < 2_000; i++) flood[`example.com/${String(i).padStart(60, '0')}`] = 'v';
    serviceAccount.annotations = { ...flood, 'eks.amazonaws.com/role-arn': ROLE_ARN };

    const { inventory, warnings } = parseInventory(document, 'inv.json');

    const annotations = inventory.accounts[0].clusters[0].serviceAccounts[0].annotations;
    expect(annotations['eks.amazonaws.com/role-arn']).toBe(ROLE_ARN);
    const kept = Object.keys(annotations).reduce(
      (total, key) => total + key.length + annotations[key].length,
      0,
    );
    expect(kept).toBeLessThanOrEqual(OBJECT_TEXT_BUDGET);
    expect(Object.keys(annotations).length).toBeLessThan(2_000);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^inv\.json: \$\.accounts\[0\]\.clusters\[0\]\.serviceAccounts\[0\]: the service account holds more than the 16 KiB/,
      ),
    ]);
  });

  it('cuts a kept value longer than any ARN, and says so to the live collector', () => {
    let capped = 0;
    const pod = podFromObject(
      {
        metadata: { namespace: 'ns', name: 'p' },
        spec: { containers: [{ name: 'app', env: [{ name: 'AWS_ROLE_ARN', value: 'a'.repeat(100_000) }] }] },
      },
      () => capped++,
    );

    expect(pod.containers[0].env[0].value).toHaveLength(MAX_KEPT_VALUE_LENGTH);
    expect(capped).toBe(1);
  });
});

describe('minimization in place', () => {
  it('keeps nothing of a parsed file that it would not keep of a copy (lists, entries, owner, annotations)', () => {
    const document = validDocument();
    const cluster = document.accounts[0].clusters[0];
    cluster.serviceAccounts = [
      {
        namespace: 'orders',
        name: 'api',
        annotations: { 'eks.amazonaws.com/role-arn': ROLE_ARN, note: 'zz-private-1' },
        secrets: [{ name: 'zz-private-2' }],
      },
      { namespace: 'orders', name: 'worker', annotations: { 'eks.amazonaws.com/role-arn': ROLE_ARN } },
    ];
    cluster.pods = [
      {
        namespace: 'orders',
        name: 'api-1',
        serviceAccountName: 'api',
        owner: { kind: 'ReplicaSet', name: 'api-5d4f', uid: 'zz-private-3' },
        annotations: { 'eks.amazonaws.com/skip-containers': 'log', note: 'zz-private-4' },
        labels: { app: 'zz-private-5' },
        containers: [
          {
            name: 'app',
            env: [
              { name: 'PASSWORD', value: 'zz-private-6' },
              { name: 'AWS_ROLE_ARN', value: ROLE_ARN, comment: 'zz-private-7' },
              { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: '/token' },
              { name: 'TOKEN', value: 'zz-private-8' },
            ],
          },
          { name: 'log', image: 'zz-private-9', env: [{ name: 'AWS_ROLE_ARN', value: ROLE_ARN }] },
          { name: 'init', init: true, env: [] },
        ],
      },
    ];

    const { inventory } = parseInventory(document, 'inv.json');

    const parsed = inventory.accounts[0].clusters[0];
    expect(parsed.serviceAccounts).toEqual([
      { namespace: 'orders', name: 'api', annotations: { 'eks.amazonaws.com/role-arn': ROLE_ARN, note: '' } },
      { namespace: 'orders', name: 'worker', annotations: { 'eks.amazonaws.com/role-arn': ROLE_ARN } },
    ]);
    expect(parsed.pods).toEqual([
      {
        namespace: 'orders',
        name: 'api-1',
        serviceAccountName: 'api',
        owner: { kind: 'ReplicaSet', name: 'api-5d4f' },
        annotations: { 'eks.amazonaws.com/skip-containers': 'log', note: '' },
        containers: [
          {
            name: 'app',
            env: [
              { name: 'AWS_ROLE_ARN', value: ROLE_ARN },
              { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: '/token' },
            ],
          },
          { name: 'log', env: [{ name: 'AWS_ROLE_ARN', value: ROLE_ARN }] },
          { name: 'init', init: true, env: [] },
        ],
      },
    ]);
    // Nothing dropped stays reachable, as an extra key, a value or an array element past the length.
    expect(JSON.stringify(inventory)).not.toMatch(/zz-private/);
    expect(Object.keys(parsed.pods[0])).not.toContain('labels');
    expect(parsed.pods[0].containers[0].env).toHaveLength(2);
  });

  it('leaves the live collector’s objects as they are', () => {
    const object = {
      metadata: {
        namespace: 'ns',
        name: 'p',
        annotations: { note: 'private', 'eks.amazonaws.com/skip-containers': 'app' },
      },
      spec: {
        containers: [
          {
            name: 'app',
            env: [
              { name: 'TOKEN', value: 'x' },
              { name: 'AWS_ROLE_ARN', value: ROLE_ARN },
            ],
          },
        ],
      },
    };
    const serviceAccount = { metadata: { namespace: 'ns', name: 'sa', annotations: { note: 'private' } } };
    const before = structuredClone({ object, serviceAccount });

    const pod = podFromObject(object);
    serviceAccountFromObject(serviceAccount);

    expect({ object, serviceAccount }).toEqual(before);
    expect(pod.containers[0].env).toEqual([{ name: 'AWS_ROLE_ARN', value: ROLE_ARN }]);
    expect(pod.annotations).toEqual({ note: '', 'eks.amazonaws.com/skip-containers': 'app' });
  });
});
