import { parseInventory } from '../../lambda/core/inventory/parse';
import type { Pod } from '../../lambda/core/model';
import { ACCOUNT, fixture, ISSUER, PROVIDER_ARN, trustPolicyFor } from './helpers';

// biome-ignore lint/suspicious/noExplicitAny: raw shapes are untyped JSON
type Json = any;

function inventoryWith(account: Json) {
  return parseInventory({ schemaVersion: 1, accounts: [{ accountId: ACCOUNT, ...account }] }, 'raw.json');
}

const parsed = (document: unknown) => ({ kind: 'parsed', document });

function clusterWith(cluster: Json) {
  const result = inventoryWith({ clusters: [{ name: 'prod', region: 'us-west-2', ...cluster }] });
  return { cluster: result.inventory.accounts[0].clusters[0], warnings: result.warnings };
}

describe('roles from IAM', () => {
  it('reads the whole get-account-authorization-details output, URL-encoded and object policies alike', () => {
    const { inventory, warnings } = inventoryWith({ roles: fixture('gaad-roles.json') });

    const [encoded, object, broken] = inventory.accounts[0].roles;
    expect(encoded).toEqual({
      arn: `arn:aws:iam::${ACCOUNT}:role/orders-api`,
      trustPolicy: parsed(trustPolicyFor('system:serviceaccount:orders:api')),
      attachedPolicyArns: ['arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess'],
      inlinePolicyNames: ['orders-dynamodb'],
      // One form for a timestamp from the CLI and the same one from the SDK (a Date).
      lastUsed: '2026-11-28T21:03:11.000Z',
    });
    expect(object.arn).toBe(`arn:aws:iam::${ACCOUNT}:role/platform/external-dns`);
    expect(object.trustPolicy).toEqual(
      parsed(trustPolicyFor('system:serviceaccount:kube-system:external-dns')),
    );
    expect(object.attachedPolicyArns).toEqual([]);
    expect(object.lastUsed).toBeNull();
    expect(broken.trustPolicy).toEqual({
      kind: 'unparsable',
      reason: expect.stringContaining('not valid JSON'),
    });
    expect(warnings).toEqual([
      expect.stringMatching(
        /^raw\.json: \$\.accounts\[0\]\.roles\.RoleDetailList\[2\]\.AssumeRolePolicyDocument: the trust policy of arn:aws:iam::111122223333:role\/broken-trust could not be parsed/,
      ),
    ]);
  });

  it('reads RoleDetailList entries given as the roles array', () => {
    const entries = fixture<Json>('gaad-roles.json').RoleDetailList.slice(0, 2);

    const { inventory } = inventoryWith({ roles: entries });

    expect(inventory.accounts[0].roles.map((r) => r.arn)).toEqual([
      `arn:aws:iam::${ACCOUNT}:role/orders-api`,
      `arn:aws:iam::${ACCOUNT}:role/platform/external-dns`,
    ]);
  });

  it('reads list-roles output and leaves the unknown policy lists undefined', () => {
    const roles = {
      Roles: [
        {
          Path: '/',
          RoleName: 'x',
          Arn: `arn:aws:iam::${ACCOUNT}:role/x`,
          AssumeRolePolicyDocument: trustPolicyFor('system:serviceaccount:a:b'),
        },
      ],
    };

    const { inventory } = inventoryWith({ roles });

    const [role] = inventory.accounts[0].roles;
    expect(role.attachedPolicyArns).toBeUndefined();
    expect(role.inlinePolicyNames).toBeUndefined();
    expect(role.lastUsed).toBeUndefined();
  });

  it('mixes our roles and IAM entries in one array', () => {
    const [iamEntry] = fixture<Json>('gaad-roles.json').RoleDetailList;
    const ours = {
      arn: `arn:aws:iam::${ACCOUNT}:role/ours`,
      trustPolicy: trustPolicyFor('system:serviceaccount:a:b'),
    };

    const { inventory } = inventoryWith({ roles: [ours, iamEntry] });

    expect(inventory.accounts[0].roles.map((r) => r.arn)).toEqual([
      `arn:aws:iam::${ACCOUNT}:role/ours`,
      `arn:aws:iam::${ACCOUNT}:role/orders-api`,
    ]);
  });

  it.each([
    [
      'URL-encoded (RFC 3986)',
      encodeURIComponent(JSON.stringify(trustPolicyFor('system:serviceaccount:a:b'))),
    ],
    [
      'form-encoded, spaces as +',
      encodeURIComponent(JSON.stringify(trustPolicyFor('system:serviceaccount:a:b'), null, 1)).replace(
        /%20/g,
        '+',
      ),
    ],
    [
      'JSON text with white space around it',
      `\n  ${JSON.stringify(trustPolicyFor('system:serviceaccount:a:b'), null, 2)}\n`,
    ],
    ['JSON text encoded twice', JSON.stringify(JSON.stringify(trustPolicyFor('system:serviceaccount:a:b')))],
  ])('decodes a trust policy string: %s', (_label, text) => {
    const { inventory, warnings } = inventoryWith({
      roles: [{ arn: `arn:aws:iam::${ACCOUNT}:role/r`, trustPolicy: text }],
    });

    expect(inventory.accounts[0].roles[0].trustPolicy).toEqual(
      parsed(trustPolicyFor('system:serviceaccount:a:b')),
    );
    expect(warnings).toEqual([]);
  });

  it('URL-decodes only a document that is encoded: a plain JSON document keeps a literal %2A', () => {
    const document = trustPolicyFor('system:serviceaccount:a:b%2A');
    const roles = [
      { arn: `arn:aws:iam::${ACCOUNT}:role/plain`, trustPolicy: JSON.stringify(document) },
      {
        arn: `arn:aws:iam::${ACCOUNT}:role/encoded`,
        trustPolicy: encodeURIComponent(JSON.stringify(document)),
      },
      { arn: `arn:aws:iam::${ACCOUNT}:role/object`, trustPolicy: document },
    ];

    const { inventory } = inventoryWith({ roles });

    for (const role of inventory.accounts[0].roles) expect(role.trustPolicy).toEqual(parsed(document));
  });

  it.each([
    ['not JSON', '{"Version": "2012-10-17", "Statement": [', 'not valid JSON at character'],
    ['a bad % escape', '%7B%22Version%E0%A4%A', 'neither JSON nor valid URL-encoded JSON'],
    ['a JSON array', '[]', 'an array, not a JSON object'],
    ['an empty string', '', 'empty string'],
    ['a number', 42, 'a number, not a JSON object'],
  ])(
    'keeps an undecodable trust policy (%s) as {unparsable} with a warning',
    (_label, trustPolicy, reason) => {
      const { inventory, warnings } = inventoryWith({
        roles: [{ arn: `arn:aws:iam::${ACCOUNT}:role/r`, trustPolicy }],
      });

      expect(inventory.accounts[0].roles[0].trustPolicy).toEqual({
        kind: 'unparsable',
        reason: expect.stringContaining(reason),
      });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('$.accounts[0].roles[0].trustPolicy');
      expect(warnings[0]).toContain(reason);
    },
  );

  it('never puts the policy text into the unparsable reason', () => {
    const secretish = '{"Statement": [{"Sid": "do-not-echo-this-statement-id", "Effect": }]}';

    const { inventory, warnings } = inventoryWith({
      roles: [{ arn: `arn:aws:iam::${ACCOUNT}:role/r`, trustPolicy: secretish }],
    });

    expect(JSON.stringify(inventory.accounts[0].roles[0].trustPolicy)).not.toContain('do-not-echo');
    expect(warnings.join('\n')).not.toContain('do-not-echo');
  });

  it('decodes byte-identical trust policy strings once and shares the parsed object', () => {
    const text = encodeURIComponent(JSON.stringify(trustPolicyFor('system:serviceaccount:a:b')));

    const { inventory } = inventoryWith({
      roles: [
        { arn: `arn:aws:iam::${ACCOUNT}:role/one`, trustPolicy: text },
        { arn: `arn:aws:iam::${ACCOUNT}:role/two`, trustPolicy: text },
      ],
    });

    const [one, two] = inventory.accounts[0].roles;
    expect(one.trustPolicy).toBe(two.trustPolicy);
  });

  it('warns (once per role) when a shared undecodable policy string is loaded', () => {
    const { warnings } = inventoryWith({
      roles: [
        { arn: `arn:aws:iam::${ACCOUNT}:role/one`, trustPolicy: 'nope' },
        { arn: `arn:aws:iam::${ACCOUNT}:role/two`, trustPolicy: 'nope' },
      ],
    });

    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toContain('role/two');
  });

  it('warns again about an {unparsable} trust policy carried by a snapshot', () => {
    const { inventory, warnings } = inventoryWith({
      roles: [{ arn: `arn:aws:iam::${ACCOUNT}:role/one`, trustPolicy: { unparsable: 'bad escape' } }],
    });

    expect(inventory.accounts[0].roles[0].trustPolicy).toEqual({ kind: 'unparsable', reason: 'bad escape' });
    expect(warnings).toEqual([expect.stringContaining('could not be parsed (bad escape)')]);
  });

  it('warns when a role is listed under another account than its ARN names', () => {
    const { warnings } = inventoryWith({
      roles: [
        { arn: 'arn:aws:iam::999999999999:role/x', trustPolicy: trustPolicyFor('system:serviceaccount:a:b') },
      ],
    });

    expect(warnings).toEqual([expect.stringContaining('listed under account 111122223333')]);
  });
});

describe('OIDC providers', () => {
  it('reads get-open-id-connect-provider output and builds the ARN from the URL and account', () => {
    const { inventory, warnings } = inventoryWith({
      oidcProviders: [fixture('get-open-id-connect-provider.json')],
    });

    expect(inventory.accounts[0].oidcProviders).toEqual([
      { arn: PROVIDER_ARN, url: ISSUER, clientIds: ['sts.amazonaws.com'] },
    ]);
    expect(warnings).toEqual([]);
  });

  it('uses the partition of the account when building the ARN', () => {
    const { inventory } = inventoryWith({
      partition: 'aws-cn',
      oidcProviders: [
        { Url: 'oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC', ClientIDList: ['sts.amazonaws.com'] },
      ],
    });

    expect(inventory.accounts[0].oidcProviders[0].arn).toBe(
      `arn:aws-cn:iam::${ACCOUNT}:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC`,
    );
  });

  it('reads the IAM shape with an Arn added', () => {
    const { inventory } = inventoryWith({
      oidcProviders: [{ Arn: PROVIDER_ARN, Url: ISSUER, ClientIDList: ['sts.amazonaws.com', 'other'] }],
    });

    expect(inventory.accounts[0].oidcProviders[0]).toEqual({
      arn: PROVIDER_ARN,
      url: ISSUER,
      clientIds: ['sts.amazonaws.com', 'other'],
    });
  });

  it('strips https:// from a url, with a warning', () => {
    const { inventory, warnings } = inventoryWith({
      oidcProviders: [{ arn: PROVIDER_ARN, url: `https://${ISSUER}`, clientIds: [] }],
    });

    expect(inventory.accounts[0].oidcProviders[0].url).toBe(ISSUER);
    expect(warnings).toEqual([
      expect.stringContaining('$.accounts[0].oidcProviders[0].url: removed the scheme'),
    ]);
  });

  it('derives the url from an oidc-provider ARN when it is missing', () => {
    const { inventory } = inventoryWith({
      oidcProviders: [{ arn: PROVIDER_ARN, clientIds: ['sts.amazonaws.com'] }],
    });

    expect(inventory.accounts[0].oidcProviders[0].url).toBe(ISSUER);
  });

  it('warns when the url and the ARN disagree', () => {
    const { warnings } = inventoryWith({
      oidcProviders: [{ arn: PROVIDER_ARN, url: 'oidc.eks.us-west-2.amazonaws.com/id/OTHER', clientIds: [] }],
    });

    expect(warnings).toEqual([expect.stringContaining('differs from the issuer in its ARN')]);
  });
});

describe('clusters from EKS', () => {
  it('reads describe-cluster output with our fields beside it, region from the ARN', () => {
    const describe = fixture<Json>('describe-cluster.json');

    const { inventory } = inventoryWith({ clusters: [{ ...describe, serviceAccounts: [] }] });

    const [cluster] = inventory.accounts[0].clusters;
    expect(cluster).toEqual({
      name: 'prod',
      region: 'us-west-2',
      arn: `arn:aws:eks:us-west-2:${ACCOUNT}:cluster/prod`,
      oidcIssuer: `https://${ISSUER}`,
      podIdentityAssociations: [],
      kubernetes: { status: 'ok' },
      serviceAccounts: [],
      pods: [],
    });
  });

  it('lets our fields beside `cluster` win over the describe output', () => {
    const describe = fixture<Json>('describe-cluster.json');

    const { inventory } = inventoryWith({
      clusters: [{ ...describe, name: 'renamed', region: 'eu-west-1' }],
    });

    expect(inventory.accounts[0].clusters[0]).toMatchObject({ name: 'renamed', region: 'eu-west-1' });
  });

  it('reads the inner describe-cluster object pasted directly as a cluster', () => {
    const { cluster } = fixture<Json>('describe-cluster.json');

    const { inventory } = inventoryWith({ clusters: [cluster] });

    expect(inventory.accounts[0].clusters[0]).toMatchObject({
      name: 'prod',
      region: 'us-west-2',
      oidcIssuer: `https://${ISSUER}`,
      kubernetes: { status: 'not-collected' },
    });
  });

  it('reads list-pod-identity-associations output (no role ARN)', () => {
    const { cluster } = clusterWith({
      podIdentityAssociations: fixture('list-pod-identity-associations.json'),
    });

    expect(cluster.podIdentityAssociations).toHaveLength(1);
    expect(cluster.podIdentityAssociations[0]).toMatchObject({
      namespace: 'billing',
      serviceAccount: 'worker',
      associationId: 'a-0123456789abcdefg',
    });
    expect(cluster.podIdentityAssociations[0].roleArn).toBeUndefined();
  });

  it('reads describe-pod-identity-association outputs as array elements', () => {
    const { cluster } = clusterWith({
      podIdentityAssociations: [fixture('describe-pod-identity-association.json')],
    });

    expect(cluster.podIdentityAssociations[0]).toMatchObject({
      namespace: 'billing',
      serviceAccount: 'worker',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/billing-worker`,
    });
  });

  it('warns about an association of another cluster', () => {
    const { warnings } = clusterWith({
      name: 'staging',
      podIdentityAssociations: [fixture('describe-pod-identity-association.json')],
    });

    expect(warnings).toEqual([
      expect.stringContaining('association of cluster "prod" listed under cluster "staging"'),
    ]);
  });
});

describe('service accounts and pods from kubectl', () => {
  const kubectl = () => fixture<Json>('kubectl-sa-pods.json');

  it.each(['serviceAccounts', 'pods'])(
    'routes the mixed List of `kubectl get sa,pods` by kind when put in %s',
    (field) => {
      const { cluster, warnings } = clusterWith({ [field]: kubectl() });

      expect(cluster.serviceAccounts.map((sa) => `${sa.namespace}/${sa.name}`)).toEqual([
        'orders/default',
        'orders/api',
        'kube-system/external-dns',
      ]);
      expect(cluster.pods.map((pod) => `${pod.namespace}/${pod.name}`)).toEqual([
        'orders/api-6d4cf56db6-7xk2p',
        'orders/redis-0',
        'kube-system/debug',
      ]);
      expect(cluster.kubernetes).toEqual({ status: 'ok' });
      expect(warnings).toEqual([]);
    },
  );

  it('converts a ServiceAccount object', () => {
    const { cluster } = clusterWith({ serviceAccounts: kubectl() });

    expect(cluster.serviceAccounts[1]).toEqual({
      namespace: 'orders',
      name: 'api',
      annotations: {
        'eks.amazonaws.com/role-arn': `arn:aws:iam::${ACCOUNT}:role/orders-api`,
        // Not a key the checks read: kept without its value (docs/collection.md "What is kept").
        'meta.helm.sh/release-name': '',
      },
    });
    expect(cluster.serviceAccounts[0].annotations).toEqual({});
  });

  it('converts a Deployment pod: ReplicaSet owner becomes the Deployment, init containers first, env', () => {
    const { cluster } = clusterWith({ serviceAccounts: kubectl() });

    const pod = cluster.pods[0];
    expect(pod).toMatchObject<Partial<Pod>>({
      namespace: 'orders',
      name: 'api-6d4cf56db6-7xk2p',
      serviceAccountName: 'api',
      phase: 'Running',
      startTime: '2026-11-20T10:00:05.000Z',
      owner: { kind: 'Deployment', name: 'api' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '' },
    });
    // The labels named the Deployment; no check reads them, so they are not kept.
    expect(pod.labels).toBeUndefined();
    expect(pod.containers.map((c) => [c.name, c.init === true])).toEqual([
      ['migrate', true],
      ['api', false],
      ['sidecar', false],
    ]);
    // Only the variables the checks read: LOG_LEVEL, POD_IP, EMPTY and DB_URL are not kept.
    expect(pod.containers[1].env.map((env) => env.name)).not.toContain('LOG_LEVEL');
    expect(pod.containers[1].env).toContainEqual({
      name: 'AWS_ROLE_ARN',
      value: `arn:aws:iam::${ACCOUNT}:role/orders-api`,
    });
    expect(pod.containers[1].env.every((env) => env.name.startsWith('AWS_'))).toBe(true);
    expect(pod.containers[2].env).toEqual([]);
    expect(pod.containers[0].env).toEqual([]);
  });

  it('keeps other controllers as they are and falls back to spec.serviceAccount, then default', () => {
    const { cluster } = clusterWith({ serviceAccounts: kubectl() });

    const [, redis, debug] = cluster.pods;
    expect(redis.owner).toEqual({ kind: 'StatefulSet', name: 'redis' });
    expect(redis.serviceAccountName).toBe('default');
    expect(debug.owner).toBeUndefined();
    expect(debug.serviceAccountName).toBe('default');
    expect(debug.phase).toBe('Pending');
  });

  it('uses spec.serviceAccount when serviceAccountName is absent', () => {
    const list = kubectl();
    const redis = list.items[4];
    redis.spec.serviceAccount = 'legacy';

    const { cluster } = clusterWith({ pods: list });

    expect(cluster.pods[1].serviceAccountName).toBe('legacy');
  });

  it('names no workload for an owner reference that is not the controller, even the only one', () => {
    const list = kubectl();
    delete list.items[3].metadata.ownerReferences[0].controller;

    const { cluster } = clusterWith({ pods: list });

    expect(cluster.pods[0].owner).toBeUndefined();
  });

  it('keeps a ReplicaSet owner whose name does not end with the pod-template-hash', () => {
    const list = kubectl();
    list.items[3].metadata.ownerReferences[0].name = 'handmade-rs';

    const { cluster } = clusterWith({ pods: list });

    expect(cluster.pods[0].owner).toEqual({ kind: 'ReplicaSet', name: 'handmade-rs' });
  });

  it('picks the controller owner reference among several', () => {
    const list = kubectl();
    list.items[4].metadata.ownerReferences = [
      { kind: 'ConfigMap', name: 'not-a-controller' },
      { kind: 'StatefulSet', name: 'redis', controller: true },
    ];

    const { cluster } = clusterWith({ pods: list });

    expect(cluster.pods[1].owner).toEqual({ kind: 'StatefulSet', name: 'redis' });
  });

  it('reads ServiceAccountList and PodList, whose items carry no kind', () => {
    const items = kubectl().items;
    const strip = (item: Json) => {
      const { kind: _kind, ...rest } = item;
      return rest;
    };
    const serviceAccounts = { kind: 'ServiceAccountList', items: items.slice(0, 3).map(strip) };
    const pods = { kind: 'PodList', items: items.slice(3).map(strip) };

    const { cluster } = clusterWith({ serviceAccounts, pods });

    expect(cluster.serviceAccounts).toHaveLength(3);
    expect(cluster.pods).toHaveLength(3);
  });

  it('reads Kubernetes objects and our shape mixed in plain arrays', () => {
    const items = kubectl().items;

    const { cluster } = clusterWith({
      serviceAccounts: [{ namespace: 'a', name: 'ours' }, items[1]],
      pods: [items[5]],
    });

    expect(cluster.serviceAccounts.map((sa) => sa.name)).toEqual(['ours', 'api']);
    expect(cluster.serviceAccounts[0].annotations).toEqual({});
    expect(cluster.pods.map((pod) => pod.name)).toEqual(['debug']);
  });

  it('ignores other kinds with one warning per kind', () => {
    const list = kubectl();
    list.items.push(
      { kind: 'ConfigMap', metadata: { name: 'a', namespace: 'x' } },
      { kind: 'ConfigMap', metadata: { name: 'b', namespace: 'x' } },
      { kind: 'Secret', metadata: { name: 'c', namespace: 'x' } },
    );

    const { cluster, warnings } = clusterWith({ serviceAccounts: list });

    expect(cluster.serviceAccounts).toHaveLength(3);
    expect(cluster.pods).toHaveLength(3);
    expect(warnings).toEqual([
      expect.stringContaining('ignored 2 ConfigMap objects'),
      expect.stringContaining('ignored 1 Secret object:'),
    ]);
  });

  it('drops the duplicates when the same mixed List is put in both fields', () => {
    const { cluster, warnings } = clusterWith({ serviceAccounts: kubectl(), pods: kubectl() });

    expect(cluster.serviceAccounts).toHaveLength(3);
    expect(cluster.pods).toHaveLength(3);
    expect(warnings).toEqual([
      expect.stringContaining('dropped 3 duplicate ServiceAccount objects'),
      expect.stringContaining('dropped 3 duplicate Pod objects'),
    ]);
  });

  it('ignores a List of another resource with a warning', () => {
    const { cluster, warnings } = clusterWith({ serviceAccounts: { kind: 'ConfigMapList', items: [{}] } });

    expect(cluster.serviceAccounts).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('ignored a ConfigMapList')]);
  });
});
