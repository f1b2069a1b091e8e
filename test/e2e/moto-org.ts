/**
 * A small organization built through the AWS SDK against moto_server, as an operator would build it
 * in AWS: the organization and its member accounts, the auditor's member role in each, EKS clusters,
 * IAM OIDC providers, IRSA roles in the shapes real tools write (scripts/shapes/trust-policies.ts),
 * some broken, the results table and the notification topic.
 *
 * moto is one server for every account: the management account is moto's default (123456789012),
 * and a member account is reached by AssumeRole into it, whose credentials moto scopes to that
 * account. moto gives every cluster of one process the same issuer id, so each cluster here is in its
 * own region (the issuer URL carries the region) and issuers stay distinct.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { DEFAULT_MEMBER_ROLE_NAME } from '../../lambda/settings/settings';
import { ensureTable } from '../../lambda/store/table';
import {
  accountRootTrust,
  awsDocsTrust,
  cdkServiceAccountTrust,
  eksctlAudienceOnlyTrust,
  eksctlTrust,
  type OidcProviderRef,
  oidcProvider,
  serviceTrust,
  type TrustDocument,
  terraformTrustFor,
} from '../../scripts/shapes/trust-policies';

export const HOME_REGION = 'us-east-1';
export const PROD_REGION = 'us-east-1';
export const DEV_REGION = 'eu-west-1';
/** The regions the clusters are in: what the suite passes as `--regions`. */
export const REGIONS = [PROD_REGION, DEV_REGION];
export const TABLE = 'irsa-audit-results';
export const TOPIC_NAME = 'irsa-audit';
/** The OIDC audience the wrong-audience trust expects instead of sts.amazonaws.com. */
export const WRONG_AUDIENCE = 'sts.amazonaws.com.cn';
/** An EKS issuer no cluster of the organization has (a deleted cluster's provider was left behind). */
export const DELETED_CLUSTER_ISSUER = 'oidc.eks.us-west-2.amazonaws.com/id/5C1A0E0B7D9F4E2A8B6C3D1E0F9A8B7C';

const DUMMY_CREDENTIALS: AwsCredentialIdentity = { accessKeyId: 'test', secretAccessKey: 'test' };
const THUMBPRINT = '9e99a48a9960b14926bb7f3b02e22da2b0ab7280';
const READ_ONLY_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
});

export interface MotoOrganization {
  management: string;
  prod: string;
  dev: string;
  data: string;
  topicArn: string;
  roleArn(accountId: string, name: string): string;
  /** Rewrites a role's trust policy in its account (as the fix a user applies). */
  updateTrust(accountId: string, roleName: string, trust: TrustDocument): Promise<void>;
  /** The prod provider as a trust in `accountId` names it. */
  prodProvider(accountId: string): OidcProviderRef;
}

/**
 * The organization:
 * - management (the caller): the results table and the topic, subscribed by `snsEndpoint`.
 * - prod: cluster `prod` with its OIDC provider, and roles from eksctl, terraform-aws-modules, CDK and
 *   the AWS docs (all correct), one whose trust admits any service account of the cluster, one whose
 *   `aud` condition names the wrong audience.
 * - dev: cluster `dev` without an OIDC provider, and a role whose trust names that missing provider.
 * - data: cross-account IRSA (its own provider for prod's issuer, a role trusting it), and a provider
 *   left behind by a deleted cluster with a role still trusting it.
 */
export async function buildOrganization(endpoint: string, snsEndpoint: string): Promise<MotoOrganization> {
  const config = (credentials: AwsCredentialIdentity, region = HOME_REGION) => ({
    endpoint,
    region,
    credentials,
  });
  const sts = new STSClient(config(DUMMY_CREDENTIALS));
  const organizations = new OrganizationsClient(config(DUMMY_CREDENTIALS));
  const clients: { destroy(): void }[] = [sts, organizations];
  const tracked = <T extends { destroy(): void }>(client: T): T => {
    clients.push(client);
    return client;
  };
  try {
    const caller = await sts.send(new GetCallerIdentityCommand({}));
    const management = caller.Account!;
    await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const createAccount = async (name: string) => {
      const created = await organizations.send(
        new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }),
      );
      const accountId = created.CreateAccountStatus?.AccountId;
      if (created.CreateAccountStatus?.State !== 'SUCCEEDED' || !accountId)
        throw new Error(
          `moto did not create account ${name}: ${JSON.stringify(created.CreateAccountStatus)}`,
        );
      return accountId;
    };
    const [prod, dev, data] = await Promise.all(['prod', 'dev', 'data'].map(createAccount));

    /** Credentials scoped to a member account (moto: those of any role assumed in it). */
    const credentialsIn = async (accountId: string): Promise<AwsCredentialIdentity> => {
      const assumed = await sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`,
          RoleSessionName: 'e2e-setup',
        }),
      );
      const credentials = assumed.Credentials!;
      return {
        accessKeyId: credentials.AccessKeyId!,
        secretAccessKey: credentials.SecretAccessKey!,
        sessionToken: credentials.SessionToken!,
      };
    };
    const accountCredentials = new Map<string, AwsCredentialIdentity>([[management, DUMMY_CREDENTIALS]]);
    for (const accountId of [prod, dev, data])
      accountCredentials.set(accountId, await credentialsIn(accountId));
    const iamClients = new Map<string, IAMClient>();
    const iamOf = (accountId: string): IAMClient => {
      let client = iamClients.get(accountId);
      if (!client) {
        client = tracked(new IAMClient(config(accountCredentials.get(accountId)!)));
        iamClients.set(accountId, client);
      }
      return client;
    };

    const createRole = async (accountId: string, name: string, trust: TrustDocument) => {
      const iam = iamOf(accountId);
      await iam.send(
        new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }),
      );
      await iam.send(
        new PutRolePolicyCommand({ RoleName: name, PolicyName: 'read', PolicyDocument: READ_ONLY_POLICY }),
      );
    };
    const createProvider = async (accountId: string, issuer: string) => {
      await iamOf(accountId).send(
        new CreateOpenIDConnectProviderCommand({
          Url: `https://${issuer}`,
          ClientIDList: ['sts.amazonaws.com'],
          ThumbprintList: [THUMBPRINT],
        }),
      );
      return oidcProvider(accountId, issuer);
    };
    const createCluster = async (accountId: string, region: string, name: string) => {
      await createRole(accountId, `${name}-cluster`, serviceTrust('eks.amazonaws.com'));
      const eks = tracked(new EKSClient(config(accountCredentials.get(accountId)!, region)));
      const created = await eks.send(
        new CreateClusterCommand({
          name,
          roleArn: `arn:aws:iam::${accountId}:role/${name}-cluster`,
          resourcesVpcConfig: { subnetIds: [] },
        }),
      );
      const issuerUrl = created.cluster?.identity?.oidc?.issuer;
      if (!issuerUrl) throw new Error(`moto returned no issuer for cluster ${name}`);
      return issuerUrl.replace(/^https:\/\//, '');
    };

    // The auditor's member role in every member account, trusting the management account.
    await Promise.all(
      [prod, dev, data].map((accountId) =>
        createRole(accountId, DEFAULT_MEMBER_ROLE_NAME, accountRootTrust(management)),
      ),
    );
    const [prodIssuer, devIssuer] = await Promise.all([
      createCluster(prod, PROD_REGION, 'prod'),
      createCluster(dev, DEV_REGION, 'dev'),
    ]);
    if (devIssuer === prodIssuer) throw new Error('moto gave two clusters in different regions one issuer');
    const [prodProvider, dataProdProvider, leftover] = await Promise.all([
      createProvider(prod, prodIssuer),
      createProvider(data, prodIssuer),
      createProvider(data, DELETED_CLUSTER_ISSUER),
    ]);
    await Promise.all([
      // prod: a cluster with its provider; correct IRSA roles of each tool, and two broken ones.
      createRole(
        prod,
        'eksctl-lb-controller',
        eksctlTrust(prodProvider, 'kube-system', 'aws-load-balancer-controller'),
      ),
      createRole(prod, 'tf-external-dns', terraformTrustFor(prodProvider, 'external-dns:external-dns')),
      createRole(prod, 'cdk-api', cdkServiceAccountTrust(prodProvider, 'app', 'api')),
      createRole(prod, 'docs-s3-reader', awsDocsTrust(prodProvider, 'app', 's3-reader')),
      createRole(prod, 'batch', eksctlAudienceOnlyTrust(prodProvider)),
      createRole(prod, 'web', awsDocsTrust(prodProvider, 'app', 'web', WRONG_AUDIENCE)),
      // dev: a cluster without a provider, and a role trusting the provider that was never created.
      createRole(dev, 'dev-api', awsDocsTrust(oidcProvider(dev, devIssuer), 'app', 'api')),
      // data: cross-account IRSA onto prod's cluster, and a provider whose cluster was deleted.
      createRole(data, 'analytics', awsDocsTrust(dataProdProvider, 'analytics', 'reader')),
      createRole(data, 'legacy-etl', awsDocsTrust(leftover, 'etl', 'worker')),
    ]);

    // management: the results table and the topic, with an HTTP subscriber the suite reads.
    const dynamo = tracked(new DynamoDBClient(config(DUMMY_CREDENTIALS)));
    const sns = tracked(new SNSClient(config(DUMMY_CREDENTIALS)));
    const [, topic] = await Promise.all([
      ensureTable(dynamo, TABLE),
      sns.send(new CreateTopicCommand({ Name: TOPIC_NAME })),
    ]);
    const topicArn = topic.TopicArn!;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: snsEndpoint }));

    const roleArn = (accountId: string, name: string) => `arn:aws:iam::${accountId}:role/${name}`;
    return {
      management,
      prod,
      dev,
      data,
      topicArn,
      roleArn,
      prodProvider: (accountId) => oidcProvider(accountId, prodIssuer),
      async updateTrust(accountId, roleName, trust) {
        const iam = new IAMClient(config(accountCredentials.get(accountId)!));
        try {
          await iam.send(
            new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(trust) }),
          );
        } finally {
          iam.destroy();
        }
      },
    };
  } finally {
    for (const client of clients) client.destroy();
  }
}
