import { parseInventory } from '../../lambda/core/inventory/parse';
import { ACCOUNT, trustPolicyFor, validDocument } from './helpers';

describe('parseInventory: our own shape', () => {
  it('accepts a valid document without warnings and keeps every field', () => {
    const { inventory, warnings } = parseInventory(validDocument(), 'inv.json');

    expect(warnings).toEqual([]);
    expect(inventory.schemaVersion).toBe(1);
    expect(inventory.generatedAt).toBe('2026-11-29T03:00:00Z');
    const [account] = inventory.accounts;
    expect(account.accountId).toBe(ACCOUNT);
    expect(account.roles[0].trustPolicy).toEqual({
      kind: 'parsed',
      document: trustPolicyFor('system:serviceaccount:orders:api'),
    });
    expect(account.roles[0].attachedPolicyArns).toEqual(['arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess']);
    expect(account.roles[0].lastUsed).toBeNull();
    const [cluster] = account.clusters;
    expect(cluster.kubernetes).toEqual({ status: 'ok' });
    expect(cluster.podIdentityAssociations[0].roleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/billing`);
    expect(cluster.pods[0].containers[0].env[0]).toEqual({
      name: 'AWS_ROLE_ARN',
      value: `arn:aws:iam::${ACCOUNT}:role/orders-api`,
    });
    expect(account.errors).toEqual([
      { scope: 'region', region: 'ap-south-2', code: 'AccessDenied', message: 'not enabled' },
    ]);
  });

  it('reuses the objects and arrays of a document already in our shape (no copies, but minimal pods)', () => {
    const document = validDocument();
    const account = document.accounts[0];
    const roles = account.roles;
    const role = roles[0];
    const trustPolicy = role.trustPolicy;
    const serviceAccounts = account.clusters[0].serviceAccounts;
    const pod = account.clusters[0].pods[0];

    const { inventory } = parseInventory(document, 'inv.json');

    expect(inventory.accounts).toBe(document.accounts);
    expect(inventory.accounts[0]).toBe(account);
    expect(inventory.accounts[0].roles).toBe(roles);
    expect(inventory.accounts[0].roles[0]).toBe(role);
    expect(inventory.accounts[0].roles[0].trustPolicy).toEqual({ kind: 'parsed', document: trustPolicy });
    expect((inventory.accounts[0].roles[0].trustPolicy as { document: unknown }).document).toBe(trustPolicy);
    expect(inventory.accounts[0].clusters[0].serviceAccounts).toBe(serviceAccounts);
    // Pods and service accounts are rebuilt with the checked fields only (docs/collection.md "What is kept").
    expect(inventory.accounts[0].clusters[0].pods[0]).toEqual(pod);
  });

  it('defaults absent lists to empty and Kubernetes to not-collected when nothing was read', () => {
    const { inventory } = parseInventory(
      {
        schemaVersion: 1,
        accounts: [{ accountId: ACCOUNT, clusters: [{ name: 'c', region: 'eu-west-1' }] }],
      },
      'inv.json',
    );

    const [account] = inventory.accounts;
    expect(account.oidcProviders).toEqual([]);
    expect(account.roles).toEqual([]);
    expect(account.errors).toEqual([]);
    expect(account.clusters[0]).toMatchObject({
      podIdentityAssociations: [],
      serviceAccounts: [],
      pods: [],
      kubernetes: { status: 'not-collected' },
    });
    expect(inventory.generatedAt).toBeUndefined();
  });

  it('defaults Kubernetes to ok when service accounts or pods are given, even empty', () => {
    const { inventory } = parseInventory(
      {
        schemaVersion: 1,
        accounts: [
          {
            accountId: ACCOUNT,
            clusters: [
              { name: 'a', region: 'us-east-1', serviceAccounts: [] },
              { name: 'b', region: 'us-east-1', pods: [] },
            ],
          },
        ],
      },
      'inv.json',
    );

    expect(inventory.accounts[0].clusters.map((c) => c.kubernetes.status)).toEqual(['ok', 'ok']);
  });

  it('keeps unknown policy lists undefined (unknown is not empty) and treats null as absent', () => {
    const document = validDocument();
    const role = document.accounts[0].roles[0];
    delete role.attachedPolicyArns;
    role.inlinePolicyNames = null;
    document.accounts[0].name = null;
    document.accounts[0].clusters[0].arn = null;

    const { inventory } = parseInventory(document, 'inv.json');

    expect(inventory.accounts[0].roles[0].attachedPolicyArns).toBeUndefined();
    expect(inventory.accounts[0].roles[0].inlinePolicyNames).toBeUndefined();
    expect(inventory.accounts[0].name).toBeUndefined();
    expect(inventory.accounts[0].clusters[0].arn).toBeUndefined();
  });

  it('normalises pods: default service account, valueFrom as true, env without value is empty', () => {
    const document = validDocument();
    const pod = document.accounts[0].clusters[0].pods[0];
    delete pod.serviceAccountName;
    pod.containers = [
      {
        name: 'app',
        env: [
          { name: 'AWS_ROLE_ARN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
          { name: 'AWS_WEB_IDENTITY_TOKEN_FILE' },
          { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', valueFrom: true },
        ],
      },
      { name: 'init', init: true },
    ];

    const { inventory } = parseInventory(document, 'inv.json');

    const parsed = inventory.accounts[0].clusters[0].pods[0];
    expect(parsed.serviceAccountName).toBe('default');
    expect(parsed.containers[0].env).toEqual([
      { name: 'AWS_ROLE_ARN', valueFrom: true },
      { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: '' },
      { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', valueFrom: true },
    ]);
    expect(parsed.containers[1]).toEqual({ name: 'init', init: true, env: [] });
  });

  it('ignores unknown fields everywhere', () => {
    const document = validDocument();
    document.comment = 'hand-made';
    document.accounts[0].owner = 'team-a';
    document.accounts[0].roles[0].RoleId = 'AROA…';
    document.accounts[0].clusters[0].version = '1.33';

    expect(() => parseInventory(document, 'inv.json')).not.toThrow();
  });

  it('decodes a trust policy given as JSON text in our shape', () => {
    const document = validDocument();
    document.accounts[0].roles[0].trustPolicy = JSON.stringify(trustPolicyFor('system:serviceaccount:a:b'));

    const { inventory, warnings } = parseInventory(document, 'inv.json');

    expect(inventory.accounts[0].roles[0].trustPolicy).toEqual({
      kind: 'parsed',
      document: trustPolicyFor('system:serviceaccount:a:b'),
    });
    expect(warnings).toEqual([]);
  });

  it('accepts the other Kubernetes statuses', () => {
    const document = validDocument();
    const clusters = document.accounts[0].clusters;
    clusters.push({
      name: 'private',
      region: 'eu-west-1',
      kubernetes: { status: 'unreachable', reason: 'timeout' },
    });
    clusters.push({ name: 'iam-only', region: 'eu-west-1', kubernetes: { status: 'not-collected' } });

    const { inventory } = parseInventory(document, 'inv.json');

    expect(inventory.accounts[0].clusters[1].kubernetes).toEqual({
      status: 'unreachable',
      reason: 'timeout',
    });
    expect(inventory.accounts[0].clusters[2].kubernetes).toEqual({ status: 'not-collected' });
  });

  it('warns when Kubernetes data is given for a cluster whose API is marked unreachable', () => {
    const document = validDocument();
    document.accounts[0].clusters[0].kubernetes = { status: 'unreachable', reason: 'timeout' };

    const { warnings } = parseInventory(document, 'inv.json');

    expect(warnings).toEqual([
      expect.stringContaining('$.accounts[0].clusters[0]: serviceAccounts/pods are given'),
    ]);
  });

  it('reads the region of a cluster from its ARN when the region is left out', () => {
    const document = validDocument();
    delete document.accounts[0].clusters[0].region;

    const { inventory } = parseInventory(document, 'inv.json');

    expect(inventory.accounts[0].clusters[0].region).toBe('us-west-2');
  });
});
