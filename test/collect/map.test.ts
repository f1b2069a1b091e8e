import type { V1Pod } from '@kubernetes/client-node';
import { associationFrom, clusterFromDescribe } from '../../lambda/collect/map-eks';
import { decodeTrustPolicy, providerFrom, roleFromDetail } from '../../lambda/collect/map-iam';
import { ownerOf, podFrom, serviceAccountFrom } from '../../lambda/collect/map-kubernetes';

const trust = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: {
        Federated: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC',
      },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: { 'oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub': 'system:serviceaccount:a b:c+d%' },
      },
    },
  ],
};

describe('IAM mapping', () => {
  it('URL-decodes the trust policy exactly once and parses it', () => {
    // A literal `%41` in the document must survive: decoding twice would turn it into `A`.
    const withPercent = { ...trust, Statement: [{ ...trust.Statement[0], Sid: 'literal%41' }] };

    expect(decodeTrustPolicy(encodeURIComponent(JSON.stringify(withPercent)))).toEqual(withPercent);
  });

  it('accepts a document that was not encoded (an export decoded already)', () => {
    expect(decodeTrustPolicy('{"Version":"2012-10-17","Statement":[],"Sid":"100%"}')).toEqual({
      Version: '2012-10-17',
      Statement: [],
      Sid: '100%',
    });
  });

  it('keeps an unparsable document as { unparsable } with a short reason, never the document', () => {
    const secretish = `{"Version":"2012-10-17", ${'"x":1,'.repeat(500)} broken`;

    const decoded = decodeTrustPolicy(encodeURIComponent(secretish)) as { unparsable: string };

    expect(decoded.unparsable).toMatch(/^not valid JSON: /);
    expect(decoded.unparsable.length).toBeLessThan(200);
    expect(decodeTrustPolicy(undefined)).toEqual({ unparsable: 'IAM returned no trust policy document' });
  });

  it('keeps only the role fields the model has', () => {
    const role = roleFromDetail({
      Arn: 'arn:aws:iam::111122223333:role/team/app',
      RoleName: 'app',
      RoleId: 'AROA1',
      Path: '/team/',
      AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust)),
      AttachedManagedPolicies: [
        { PolicyName: 'S3', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' },
      ],
      RolePolicyList: [{ PolicyName: 'inline-1', PolicyDocument: '%7B%7D' }],
      Tags: [{ Key: 'team', Value: 'payments' }],
      RoleLastUsed: { LastUsedDate: new Date('2026-10-01T12:00:00Z'), Region: 'eu-west-1' },
    });

    expect(role).toEqual({
      arn: 'arn:aws:iam::111122223333:role/team/app',
      trustPolicy: trust,
      attachedPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'],
      inlinePolicyNames: ['inline-1'],
      lastUsed: '2026-10-01T12:00:00.000Z',
    });
    expect(roleFromDetail({ Arn: 'arn:aws:iam::1:role/x', RoleLastUsed: {} })?.lastUsed).toBeNull();
    expect(roleFromDetail({ RoleName: 'no-arn' })).toBeUndefined();
  });

  it('keeps the provider URL as IAM returns it, falling back to the ARN resource', () => {
    const arn = 'arn:aws-cn:iam::111122223333:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/88E5';

    expect(
      providerFrom(arn, {
        Url: 'oidc.eks.cn-north-1.amazonaws.com.cn/id/88E5',
        ClientIDList: ['sts.amazonaws.com'],
      }),
    ).toEqual({
      arn,
      url: 'oidc.eks.cn-north-1.amazonaws.com.cn/id/88E5',
      clientIds: ['sts.amazonaws.com'],
    });
    expect(providerFrom(arn, {})).toEqual({
      arn,
      url: 'oidc.eks.cn-north-1.amazonaws.com.cn/id/88E5',
      clientIds: [],
    });
  });
});

describe('EKS mapping', () => {
  it('keeps the issuer verbatim and the endpoint for the Kubernetes reader', () => {
    const { cluster, endpoint } = clusterFromDescribe(
      {
        name: 'prod',
        arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod',
        endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
        certificateAuthority: { data: 'LS0t' },
        identity: { oidc: { issuer: 'https://oidc-eks.eu-west-1.api.aws/id/ABC' } },
        accessConfig: { authenticationMode: 'CONFIG_MAP' },
        resourcesVpcConfig: { endpointPublicAccess: false },
      },
      '111122223333',
      'eu-west-1',
    );

    expect(cluster).toEqual({
      name: 'prod',
      region: 'eu-west-1',
      arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod',
      oidcIssuer: 'https://oidc-eks.eu-west-1.api.aws/id/ABC',
      podIdentityAssociations: [],
      kubernetes: { status: 'not-collected' },
      serviceAccounts: [],
      pods: [],
    });
    expect(endpoint).toEqual({
      accountId: '111122223333',
      region: 'eu-west-1',
      name: 'prod',
      endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
      caData: 'LS0t',
      authenticationMode: 'CONFIG_MAP',
      endpointPublicAccess: false,
    });
  });

  it('has no issuer when DescribeCluster has none, and no endpoint while the cluster is being created', () => {
    const described = clusterFromDescribe(
      { name: 'new', status: 'CREATING', identity: {} },
      '1',
      'us-east-1',
    );

    expect(described.cluster.oidcIssuer).toBeUndefined();
    expect(described.endpoint).toBeUndefined();
    expect(described.notReadableReason).toContain('status CREATING');
  });

  it('takes role ARNs from the describe call only', () => {
    const summary = { namespace: 'payments', serviceAccount: 'api', associationId: 'a-1' };

    expect(associationFrom(summary)).toEqual({
      namespace: 'payments',
      serviceAccount: 'api',
      associationId: 'a-1',
    });
    expect(
      associationFrom(summary, {
        ...summary,
        roleArn: 'arn:aws:iam::1:role/a',
        targetRoleArn: 'arn:aws:iam::2:role/b',
      }),
    ).toEqual({
      namespace: 'payments',
      serviceAccount: 'api',
      roleArn: 'arn:aws:iam::1:role/a',
      targetRoleArn: 'arn:aws:iam::2:role/b',
      associationId: 'a-1',
    });
  });
});

describe('Kubernetes mapping', () => {
  it('keeps a service account with its annotations (empty when none)', () => {
    expect(
      serviceAccountFrom({
        metadata: { namespace: 'a', name: 'b', labels: { x: 'y' } },
        secrets: [{ name: 's' }],
      }),
    ).toEqual({
      namespace: 'a',
      name: 'b',
      annotations: {},
    });
  });

  it('keeps init and regular containers, and env values or only the fact of valueFrom', () => {
    const pod: V1Pod = {
      metadata: {
        namespace: 'ns',
        name: 'p',
        annotations: { a: 'b' },
        managedFields: [{ manager: 'kubectl' }],
      },
      spec: {
        serviceAccount: 'legacy',
        initContainers: [{ name: 'init', env: [{ name: 'AWS_ROLE_ARN', value: 'arn:aws:iam::1:role/x' }] }],
        containers: [
          {
            name: 'app',
            image: 'app:1',
            env: [
              {
                name: 'AWS_WEB_IDENTITY_TOKEN_FILE',
                value: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
              },
              { name: 'SECRET', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
              { name: 'EMPTY' },
            ],
          },
        ],
      },
      status: { phase: 'Pending', startTime: new Date('2026-11-28T10:00:00Z') },
    };

    expect(podFrom(pod)).toEqual({
      namespace: 'ns',
      name: 'p',
      serviceAccountName: 'legacy',
      phase: 'Pending',
      annotations: { a: 'b' },
      startTime: '2026-11-28T10:00:00.000Z',
      containers: [
        { name: 'init', init: true, env: [{ name: 'AWS_ROLE_ARN', value: 'arn:aws:iam::1:role/x' }] },
        {
          name: 'app',
          env: [
            {
              name: 'AWS_WEB_IDENTITY_TOKEN_FILE',
              value: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
            },
            { name: 'SECRET', valueFrom: true },
            { name: 'EMPTY', value: '' },
          ],
        },
      ],
    });
    expect(
      podFrom({ metadata: { namespace: 'ns', name: 'q' }, spec: { containers: [] } }).serviceAccountName,
    ).toBe('default');
  });

  it('names the workload: a Deployment behind its ReplicaSet, other controllers as they are', () => {
    const rs = (name: string) => [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid: 'u', controller: true },
    ];

    expect(ownerOf(rs('api-7d9f8b6c5'), { 'pod-template-hash': '7d9f8b6c5' })).toEqual({
      kind: 'Deployment',
      name: 'api',
    });
    expect(ownerOf(rs('standalone-rs'), { 'pod-template-hash': '7d9f8b6c5' })).toEqual({
      kind: 'ReplicaSet',
      name: 'standalone-rs',
    });
    expect(ownerOf(rs('api-7d9f8b6c5'), undefined)).toEqual({ kind: 'ReplicaSet', name: 'api-7d9f8b6c5' });
    expect(
      ownerOf(
        [
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'not-controller', uid: 'a' },
          { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'b', controller: true },
        ],
        {},
      ),
    ).toEqual({ kind: 'StatefulSet', name: 'db' });
    expect(ownerOf([{ apiVersion: 'v1', kind: 'Node', name: 'n', uid: 'c' }], {})).toBeUndefined();
    expect(ownerOf(undefined, undefined)).toBeUndefined();
  });
});
