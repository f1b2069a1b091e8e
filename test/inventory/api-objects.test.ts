import type { Cluster as EksCluster } from '@aws-sdk/client-eks';
import type { RoleDetail } from '@aws-sdk/client-iam';
import type { V1OwnerReference, V1Pod } from '@kubernetes/client-node';
import { endpointFromDescribe } from '../../lambda/collect/cluster-endpoint';
import {
  associationFromEks,
  clusterFromDescribe,
  podFromObject,
  providerFromIam,
  roleFromIamDetail,
  serviceAccountFromObject,
} from '../../lambda/core/inventory/api-objects';
import { decodeTrustPolicy } from '../../lambda/core/inventory/trust-policy';

/** The live collectors' conversions (SDK / client objects → model); the parser uses the same functions. */
const roleFromDetail = (detail: RoleDetail) => roleFromIamDetail(detail, new Map());
const ownerOf = (
  ownerReferences: V1OwnerReference[] | undefined,
  labels: Record<string, string> | undefined,
) =>
  podFromObject({
    metadata: { namespace: 'ns', name: 'p', labels, ownerReferences },
    spec: { containers: [] },
  }).owner;

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

describe('IAM API objects', () => {
  it('URL-decodes the trust policy exactly once and parses it', () => {
    // A literal `%41` in the document must survive: decoding twice would turn it into `A`.
    const withPercent = { ...trust, Statement: [{ ...trust.Statement[0], Sid: 'literal%41' }] };

    expect(decodeTrustPolicy(encodeURIComponent(JSON.stringify(withPercent)))).toEqual({
      kind: 'parsed',
      document: withPercent,
    });
  });

  it('accepts a document that was not encoded (an export decoded already), literal %2A and all', () => {
    expect(decodeTrustPolicy('{"Version":"2012-10-17","Statement":[],"Sid":"100%2A"}')).toEqual({
      kind: 'parsed',
      document: { Version: '2012-10-17', Statement: [], Sid: '100%2A' },
    });
  });

  it('keeps an unparsable document as unparsable with a short reason, never the document', () => {
    const secretish = `{"Version":"2012-10-17", ${'"x":1,'.repeat(500)} "do-not-echo" broken`;

    const decoded = decodeTrustPolicy(encodeURIComponent(secretish));

    expect(decoded).toEqual({
      kind: 'unparsable',
      reason: expect.stringMatching(/not valid JSON at character/),
    });
    expect(JSON.stringify(decoded)).not.toContain('do-not-echo');
    expect(JSON.stringify(decoded).length).toBeLessThan(200);
    expect(roleFromDetail({ Arn: 'arn:aws:iam::111122223333:role/x' })?.trustPolicy).toEqual({
      kind: 'unparsable',
      reason: 'the trust policy is an empty string',
    });
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
      trustPolicy: { kind: 'parsed', document: trust },
      attachedPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'],
      inlinePolicyNames: ['inline-1'],
      lastUsed: '2026-10-01T12:00:00.000Z',
    });
    expect(
      roleFromDetail({ Arn: 'arn:aws:iam::111122223333:role/x', RoleLastUsed: {} })?.lastUsed,
    ).toBeNull();
    expect(roleFromDetail({ RoleName: 'no-arn' })).toBeUndefined();
  });

  it('keeps the provider URL as IAM returns it, falling back to the ARN resource', () => {
    const arn = 'arn:aws-cn:iam::111122223333:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/88E5';

    expect(
      providerFromIam(arn, {
        Url: 'oidc.eks.cn-north-1.amazonaws.com.cn/id/88E5',
        ClientIDList: ['sts.amazonaws.com'],
      }),
    ).toEqual({
      arn,
      url: 'oidc.eks.cn-north-1.amazonaws.com.cn/id/88E5',
      clientIds: ['sts.amazonaws.com'],
    });
    expect(providerFromIam(arn, {})).toEqual({
      arn,
      url: 'oidc.eks.cn-north-1.amazonaws.com.cn/id/88E5',
      clientIds: [],
    });
  });
});

describe('EKS API objects', () => {
  it('keeps the issuer verbatim and the endpoint for the Kubernetes reader', () => {
    const described: EksCluster = {
      name: 'prod',
      arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod',
      endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
      certificateAuthority: { data: 'LS0t' },
      identity: { oidc: { issuer: 'https://oidc-eks.eu-west-1.api.aws/id/ABC' } },
      accessConfig: { authenticationMode: 'CONFIG_MAP' },
      resourcesVpcConfig: { endpointPublicAccess: false },
    };
    const cluster = clusterFromDescribe(described, 'eu-west-1');
    const { endpoint } = endpointFromDescribe(described, '111122223333', 'eu-west-1') as {
      endpoint: unknown;
    };

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
    const described = { name: 'new', status: 'CREATING' as const, identity: {} };

    expect(clusterFromDescribe(described, 'us-east-1').oidcIssuer).toBeUndefined();
    expect(endpointFromDescribe(described, '111122223333', 'us-east-1')).toEqual({
      notReadableReason: expect.stringContaining('status CREATING'),
    });
  });

  it('takes role ARNs from the describe call only', () => {
    const summary = { namespace: 'payments', serviceAccount: 'api', associationId: 'a-1' };

    expect(associationFromEks(summary)).toEqual({
      namespace: 'payments',
      serviceAccount: 'api',
      associationId: 'a-1',
    });
    expect(
      associationFromEks({
        ...summary,
        associationArn: 'arn:aws:eks:eu-west-1:1:podidentityassociation/prod/a-1',
        clusterName: 'prod',
        roleArn: 'arn:aws:iam::1:role/a',
        targetRoleArn: 'arn:aws:iam::2:role/b',
      } as Parameters<typeof associationFromEks>[0]),
    ).toEqual({
      namespace: 'payments',
      serviceAccount: 'api',
      roleArn: 'arn:aws:iam::1:role/a',
      targetRoleArn: 'arn:aws:iam::2:role/b',
      associationId: 'a-1',
    });
  });
});

describe('Kubernetes API objects', () => {
  it('keeps a service account with its annotations (empty when none)', () => {
    expect(
      serviceAccountFromObject({
        metadata: { namespace: 'a', name: 'b', labels: { x: 'y' } },
        secrets: [{ name: 's' }],
      } as Parameters<typeof serviceAccountFromObject>[0]),
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
              { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', valueFrom: { fieldRef: { fieldPath: 'x' } } },
              { name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE' },
            ],
          },
        ],
      },
      status: { phase: 'Pending', startTime: new Date('2026-11-28T10:00:00Z') },
    };

    expect(podFromObject(pod)).toEqual({
      namespace: 'ns',
      name: 'p',
      serviceAccountName: 'legacy',
      phase: 'Pending',
      annotations: { a: '' },
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
            { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', valueFrom: true },
            { name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', value: '' },
          ],
        },
      ],
    });
    expect(
      podFromObject({ metadata: { namespace: 'ns', name: 'q' }, spec: { containers: [] } })
        .serviceAccountName,
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
    // Only the controller reference names the workload, even when it is the only reference.
    expect(ownerOf([{ apiVersion: 'v1', kind: 'Node', name: 'n', uid: 'c' }], {})).toBeUndefined();
    expect(ownerOf(undefined, undefined)).toBeUndefined();
  });
});
