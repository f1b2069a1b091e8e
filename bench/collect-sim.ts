/**
 * A simulated AWS Organization for the collection benchmark and tests: it answers the exact SDK
 * commands the collectors send (same inputs, SDK-shaped outputs and errors), with a per-call latency,
 * token-bucket throttling per (account, API) and injectable faults, and each cluster's Kubernetes lists
 * (optionally in pages with a latency of their own). It plugs in below the collectors,
 * either as the `clients` factory (benchmark: the collectors' code path is unchanged, only `send` is
 * simulated) or behind `aws-sdk-client-mock` (tests).
 */
import type { RoleDetail } from '@aws-sdk/client-iam';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { ApiClient, AwsClientFactory, ServiceName } from '../lambda/collect/clients';
import type { ClusterEndpoint } from '../lambda/collect/cluster-endpoint';
import type { KubernetesReader, KubernetesReadResult, ReadFilter } from '../lambda/collect/kubernetes';
import { DEFAULT_MEMBER_ROLE_NAME } from '../lambda/collect/options';
import type { Pod, ServiceAccount } from '../lambda/core/model';
import {
  awsDocsTrust,
  oidcProvider,
  serviceTrust,
  type TrustDocument,
} from '../scripts/shapes/trust-policies';
import { seededRandom } from './seeded-random';

export { seededRandom } from './seeded-random';

export interface SimAssociation {
  associationId: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  targetRoleArn?: string;
}

export interface SimCluster {
  region: string;
  name: string;
  /** Omitted: a cluster without an OIDC issuer. */
  issuer?: string;
  associations: SimAssociation[];
  /** Kubernetes objects served by `kubernetesReader()`; `unreachable` makes the cluster unreadable. */
  serviceAccounts?: ServiceAccount[];
  pods?: Pod[];
  unreachable?: boolean;
  /**
   * Generates the Kubernetes objects on each read instead of holding them (a large simulated
   * organization); takes precedence over `serviceAccounts` and `pods`.
   */
  kubernetesObjects?: () => { serviceAccounts: ServiceAccount[]; pods: Pod[] };
  /** Real endpoint for tests that read through a loopback API server. */
  endpoint?: string;
  caData?: string;
}

export interface SimProvider {
  url: string;
  clientIds: string[];
}

export interface SimAccount {
  accountId: string;
  name: string;
  state?: 'ACTIVE' | 'SUSPENDED';
  /** OU (or root) the account sits in. */
  parent?: string;
  regions: string[];
  /** Generated roles (`irsa-<n>`), each trusting one of the account's providers. */
  roleCount: number;
  /** Only every n-th generated role trusts a provider (the rest trust `ec2.amazonaws.com`); default 1. */
  eksTrustEvery?: number;
  /** The trust of generated role `irsa-<index>`, replacing the default above (see `trustDocumentOf`). */
  trustOf?: (index: number) => TrustDocument;
  /** Extra hand-written roles, after the generated ones. */
  roles?: RoleDetail[];
  providers: SimProvider[];
  clusters: SimCluster[];
}

export interface SimOrganization {
  callerAccountId: string;
  /** Caller's STS identity ARN. */
  callerArn: string;
  memberRoleName: string;
  externalId?: string;
  rootId: string;
  ous: { id: string; parent: string }[];
  accounts: SimAccount[];
}

export interface SimCall {
  service: ServiceName;
  api: string;
  accountId: string;
  region: string;
  input: Record<string, unknown>;
}

export interface SimSettings {
  /** Latency of each call in ms (0: answer on the next tick). */
  latencyMs?: (api: string) => number;
  /** Per (account, API) token bucket; absent: no throttling. */
  bucket?: { capacity: number; refillPerSecond: number };
  /** Extra throttling decided per call (storms). */
  throttle?: (call: SimCall) => boolean;
  /** AssumeRole into this account fails with AccessDenied. */
  assumeRoleFails?: (accountId: string) => boolean;
  /** Any other injected failure: return an error to throw. */
  fail?: (call: SimCall) => Error | undefined;
  /**
   * Kubernetes list latency: each list (service accounts, pods) is read in pages of `pageSize` objects
   * (the reader's `kubernetes.pageSize`, 500 by default), each page after `pageMs`; the two lists of a
   * cluster in parallel, as the real reader reads them. Absent: a cluster's lists are answered at once.
   */
  kubernetesLatency?: { pageMs: number; pageSize?: number };
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** SDK-shaped service error: what the collectors classify. */
export function serviceError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, attempts: 1, totalRetryDelay: 0 },
  });
}

const THROTTLE_NAME: Record<ServiceName, string> = {
  sts: 'Throttling',
  iam: 'Throttling',
  eks: 'ThrottlingException',
  organizations: 'TooManyRequestsException',
  account: 'TooManyRequestsException',
};

export class SimulatedAws {
  /** AWS calls (Kubernetes requests are counted apart, in `kubernetesRequests`). */
  calls = 0;
  throttled = 0;
  /** Kubernetes list pages served by `kubernetesReader()`. */
  kubernetesRequests = 0;
  readonly callsByApi = new Map<string, number>();
  /** Kubernetes reads served by `kubernetesReader()`, with their scope. */
  readonly kubernetesReads: { cluster: string; filter?: ReadFilter }[] = [];
  private readonly accounts = new Map<string, SimAccount>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /** URL-encoded trust documents of generated roles, per account (see `prepare`). */
  private readonly trustDocuments = new Map<string, string[]>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    readonly org: SimOrganization,
    private readonly settings: SimSettings = {},
  ) {
    for (const account of org.accounts) this.accounts.set(account.accountId, account);
    this.now = settings.now ?? (() => performance.now());
    this.sleep = settings.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Renders every generated role's URL-encoded trust document up front, so a benchmark times the
   * collector and not the simulation's JSON encoding (a real IAM page costs the collector no such work).
   */
  prepare(): void {
    for (const account of this.org.accounts) {
      const documents: string[] = [];
      for (let index = 0; index < account.roleCount; index++) documents.push(trustDocumentOf(account, index));
      this.trustDocuments.set(account.accountId, documents);
    }
  }

  /** The caller's credentials as the collectors receive them (`deps.credentials`). */
  readonly callerCredentials: AwsCredentialIdentityProvider = async () => ({
    accessKeyId: 'AKIACALLER',
    secretAccessKey: 'caller-secret',
  });

  /** Which account a set of credentials belongs to (assumed keys are `ASIA<account>`). */
  accountOfKey(accessKeyId: string): string {
    return accessKeyId === 'AKIACALLER' ? this.org.callerAccountId : accessKeyId.slice(4);
  }

  /** Injected SDK clients: `send` answers from the simulation. */
  clientFactory(): AwsClientFactory {
    const cache = new Map<string, { send(command: unknown): Promise<unknown> }>();
    return {
      get: <S extends ServiceName>(service: S, owner: string, region: string): ApiClient<S> => {
        const accountId = owner === 'caller' ? this.org.callerAccountId : owner;
        const key = `${accountId}|${service}|${region}`;
        let client = cache.get(key);
        if (!client) {
          client = {
            send: (command: unknown) => {
              const { input } = command as { input: Record<string, unknown> };
              return this.handle(service, commandName(command), accountId, region, input);
            },
          };
          cache.set(key, client);
        }
        return client as unknown as ApiClient<S>;
      },
      evict: (owner) => {
        for (const key of cache.keys()) if (key.startsWith(`${owner}|`)) cache.delete(key);
      },
      destroy: () => cache.clear(),
    };
  }

  /** Answers one command as AWS would, after the simulated latency. */
  async handle(
    service: ServiceName,
    api: string,
    accountId: string,
    region: string,
    input: Record<string, unknown>,
  ): Promise<unknown> {
    const call: SimCall = { service, api, accountId, region, input };
    const name = `${service}:${api}`;
    this.calls++;
    this.callsByApi.set(name, (this.callsByApi.get(name) ?? 0) + 1);
    const latency = this.settings.latencyMs?.(name) ?? 0;
    if (latency > 0) await this.sleep(latency);
    else await Promise.resolve();
    if (!this.takeToken(accountId, name) || this.settings.throttle?.(call)) {
      this.throttled++;
      throw serviceError(THROTTLE_NAME[service], 'Rate exceeded');
    }
    const injected = this.settings.fail?.(call);
    if (injected) throw injected;
    return this.answer(call);
  }

  private takeToken(accountId: string, api: string): boolean {
    const bucket = this.settings.bucket;
    if (!bucket) return true;
    const key = `${accountId}|${api}`;
    const at = this.now();
    const state = this.buckets.get(key) ?? { tokens: bucket.capacity, at };
    state.tokens = Math.min(
      bucket.capacity,
      state.tokens + ((at - state.at) / 1000) * bucket.refillPerSecond,
    );
    state.at = at;
    this.buckets.set(key, state);
    if (state.tokens < 1) return false;
    state.tokens -= 1;
    return true;
  }

  private account(accountId: string): SimAccount {
    const account = this.accounts.get(accountId);
    if (!account) throw serviceError('AccessDenied', `no such account ${accountId}`, 403);
    return account;
  }

  private answer({ service, api, accountId, region, input }: SimCall): unknown {
    const key = `${service}:${api}`;
    switch (key) {
      case 'sts:GetCallerIdentity':
        return { Account: this.org.callerAccountId, Arn: this.org.callerArn, UserId: 'AROACALLER:me' };
      case 'sts:AssumeRole':
        return this.assumeRole(input);
      case 'organizations:ListAccounts':
        return paged(this.org.accounts, input.NextToken, input.MaxResults, 20, (page, next) => ({
          Accounts: page.map(organizationsAccount),
          NextToken: next,
        }));
      case 'organizations:ListAccountsForParent':
        return paged(
          this.org.accounts.filter((account) => (account.parent ?? this.org.rootId) === input.ParentId),
          input.NextToken,
          input.MaxResults,
          20,
          (page, next) => ({ Accounts: page.map(organizationsAccount), NextToken: next }),
        );
      case 'organizations:ListOrganizationalUnitsForParent':
        return paged(
          this.org.ous.filter((unit) => unit.parent === input.ParentId),
          input.NextToken,
          input.MaxResults,
          20,
          (page, next) => ({
            OrganizationalUnits: page.map((unit) => ({ Id: unit.id, Name: unit.id })),
            NextToken: next,
          }),
        );
      case 'account:ListRegions':
        return paged(
          this.account(accountId).regions,
          input.NextToken,
          input.MaxResults,
          50,
          (page, next) => ({
            Regions: page.map((name) => ({ RegionName: name, RegionOptStatus: 'ENABLED_BY_DEFAULT' })),
            NextToken: next,
          }),
        );
      case 'iam:GetAccountAuthorizationDetails':
        return this.authorizationDetails(accountId, input);
      case 'iam:ListOpenIDConnectProviders':
        return {
          OpenIDConnectProviderList: this.account(accountId).providers.map((provider) => ({
            Arn: providerArn(accountId, provider.url),
          })),
        };
      case 'iam:GetOpenIDConnectProvider': {
        const provider = this.account(accountId).providers.find(
          (candidate) => providerArn(accountId, candidate.url) === input.OpenIDConnectProviderArn,
        );
        if (!provider) throw serviceError('NoSuchEntityException', 'provider not found', 404);
        return { Url: provider.url, ClientIDList: [...provider.clientIds], ThumbprintList: [] };
      }
      case 'eks:ListClusters':
        return paged(
          this.clustersIn(accountId, region).map((cluster) => cluster.name),
          input.nextToken,
          input.maxResults,
          100,
          (page, next) => ({ clusters: page, nextToken: next }),
        );
      case 'eks:DescribeCluster':
        return { cluster: describedCluster(accountId, this.cluster(accountId, region, String(input.name))) };
      case 'eks:ListPodIdentityAssociations': {
        const cluster = this.cluster(accountId, region, String(input.clusterName));
        const associations = cluster.associations.filter(
          (association) =>
            (input.namespace === undefined || association.namespace === input.namespace) &&
            (input.serviceAccount === undefined || association.serviceAccount === input.serviceAccount),
        );
        return paged(associations, input.nextToken, input.maxResults, 100, (page, next) => ({
          associations: page.map((association) => ({
            clusterName: cluster.name,
            namespace: association.namespace,
            serviceAccount: association.serviceAccount,
            associationId: association.associationId,
            associationArn: `arn:aws:eks:${region}:${accountId}:podidentityassociation/${cluster.name}/${association.associationId}`,
          })),
          nextToken: next,
        }));
      }
      case 'eks:DescribePodIdentityAssociation': {
        const cluster = this.cluster(accountId, region, String(input.clusterName));
        const association = cluster.associations.find(
          (candidate) => candidate.associationId === input.associationId,
        );
        if (!association) throw serviceError('ResourceNotFoundException', 'association not found', 404);
        return { association: { clusterName: cluster.name, ...association } };
      }
      default:
        throw new Error(`simulation does not answer ${key}`);
    }
  }

  private assumeRole(input: Record<string, unknown>): unknown {
    const match = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(String(input.RoleArn));
    const accountId = match?.[1] ?? '';
    if (
      !match ||
      match[2] !== this.org.memberRoleName ||
      !this.accounts.has(accountId) ||
      this.settings.assumeRoleFails?.(accountId) ||
      (this.org.externalId !== undefined && input.ExternalId !== this.org.externalId)
    ) {
      throw serviceError(
        'AccessDenied',
        `User: ${this.org.callerArn} is not authorized to perform: sts:AssumeRole on resource: ${String(input.RoleArn)}`,
        403,
      );
    }
    return {
      Credentials: {
        AccessKeyId: `ASIA${accountId}`,
        SecretAccessKey: 'member-secret',
        SessionToken: 'member-session',
        Expiration: new Date(Date.now() + Number(input.DurationSeconds ?? 3600) * 1000),
      },
      AssumedRoleUser: {
        Arn: `arn:aws:sts::${accountId}:assumed-role/${this.org.memberRoleName}/${String(input.RoleSessionName)}`,
      },
    };
  }

  private authorizationDetails(accountId: string, input: Record<string, unknown>): unknown {
    const account = this.account(accountId);
    const total = account.roleCount + (account.roles?.length ?? 0);
    const pageSize = Math.min(Number(input.MaxItems ?? 100), 1000);
    const offset = input.Marker ? Number(input.Marker) : 0;
    const end = Math.min(total, offset + pageSize);
    const roles: RoleDetail[] = [];
    for (let index = offset; index < end; index++) {
      roles.push(
        index < account.roleCount ? generatedRole(account, index) : account.roles![index - account.roleCount],
      );
    }
    return {
      RoleDetailList: roles,
      IsTruncated: end < total,
      ...(end < total ? { Marker: String(end) } : {}),
    };
  }

  private clustersIn(accountId: string, region: string): SimCluster[] {
    return this.account(accountId).clusters.filter((cluster) => cluster.region === region);
  }

  private cluster(accountId: string, region: string, name: string): SimCluster {
    const cluster = this.clustersIn(accountId, region).find((candidate) => candidate.name === name);
    if (!cluster) throw serviceError('ResourceNotFoundException', `No cluster found for name: ${name}.`, 404);
    return cluster;
  }

  /** The Kubernetes side, through the same injected interface as the real reader. */
  kubernetesReader(): KubernetesReader {
    return {
      read: async (
        endpoint: ClusterEndpoint,
        token: string,
        _hint,
        filter?: ReadFilter,
      ): Promise<KubernetesReadResult> => {
        const cluster = this.cluster(endpoint.accountId, endpoint.region, endpoint.name);
        this.kubernetesReads.push({ cluster: cluster.name, ...(filter ? { filter } : {}) });
        const selected = (namespace: string, serviceAccount: string) =>
          !filter ||
          (namespace === filter.namespace &&
            (!filter.serviceAccount || serviceAccount === filter.serviceAccount));
        if (!token.startsWith('k8s-aws-v1.') || cluster.unreachable) {
          this.kubernetesRequests++;
          await this.kubernetesPages(1);
          return {
            status: 'unreachable',
            code: 'KubernetesUnauthorized',
            reason: `The Kubernetes API rejected the audit's token (401 Unauthorized) for ${cluster.name}.`,
            requests: 1,
          };
        }
        const objects = cluster.kubernetesObjects?.();
        const all = {
          serviceAccounts: objects?.serviceAccounts ?? structuredClone(cluster.serviceAccounts ?? []),
          pods: objects?.pods ?? structuredClone(cluster.pods ?? []),
        };
        const serviceAccounts = all.serviceAccounts.filter((sa) => selected(sa.namespace, sa.name));
        const pods = all.pods.filter((pod) => selected(pod.namespace, pod.serviceAccountName));
        const pages = [this.listPages(serviceAccounts.length), this.listPages(pods.length)];
        this.kubernetesRequests += pages[0] + pages[1];
        await Promise.all(pages.map((count) => this.kubernetesPages(count)));
        return { status: 'ok', serviceAccounts, pods, requests: pages[0] + pages[1] };
      },
    };
  }

  /** Pages of one Kubernetes list of `objects` items (an empty list is still one request). */
  listPages(objects: number): number {
    return Math.max(1, Math.ceil(objects / (this.settings.kubernetesLatency?.pageSize ?? 500)));
  }

  /** The list pages of each cluster's two reads, as `kubernetesReader()` serves them unfiltered. */
  kubernetesListPages(cluster: SimCluster): { serviceAccounts: number; pods: number } {
    const objects = cluster.kubernetesObjects?.();
    return {
      serviceAccounts: this.listPages((objects?.serviceAccounts ?? cluster.serviceAccounts ?? []).length),
      pods: this.listPages((objects?.pods ?? cluster.pods ?? []).length),
    };
  }

  /** Sleeps `pages` list pages one after the other (a list follows its `continue` tokens in order). */
  private async kubernetesPages(pages: number): Promise<void> {
    const latency = this.settings.kubernetesLatency?.pageMs ?? 0;
    if (latency <= 0) return;
    for (let page = 0; page < pages; page++) await this.sleep(latency);
  }

  /**
   * The fewest AWS calls that collecting this organization allows, per API: one GetCallerIdentity;
   * every Organizations page (20 accounts); per audited account one AssumeRole (not for the caller's
   * own), one ListRegions page per 50 regions (none when regions are configured), one
   * authorization-details page per 1,000 roles, one provider list plus one get per provider, one
   * ListClusters page per region (per 100 clusters), and per cluster one describe, one association
   * page per 100 and one describe per association.
   */
  minCalls(options: { regionsConfigured?: string[]; listOrganization?: boolean } = {}): MinCalls {
    const preamble = new Map<string, number>([['sts:GetCallerIdentity', 1]]);
    if (options.listOrganization !== false) {
      preamble.set('organizations:ListAccounts', Math.max(1, Math.ceil(this.org.accounts.length / 20)));
    }
    const perAccount = new Map<string, Map<string, number>>();
    for (const account of this.org.accounts) {
      if ((account.state ?? 'ACTIVE') !== 'ACTIVE') continue;
      const calls = new Map<string, number>();
      const add = (api: string, count: number) => {
        if (count > 0) calls.set(api, (calls.get(api) ?? 0) + count);
      };
      if (account.accountId !== this.org.callerAccountId) add('sts:AssumeRole', 1);
      if (!options.regionsConfigured)
        add('account:ListRegions', Math.max(1, Math.ceil(account.regions.length / 50)));
      add(
        'iam:GetAccountAuthorizationDetails',
        Math.max(1, Math.ceil((account.roleCount + (account.roles?.length ?? 0)) / 1000)),
      );
      add('iam:ListOpenIDConnectProviders', 1);
      add('iam:GetOpenIDConnectProvider', account.providers.length);
      for (const region of options.regionsConfigured ?? account.regions) {
        const clusters = account.clusters.filter((cluster) => cluster.region === region);
        add('eks:ListClusters', Math.max(1, Math.ceil(clusters.length / 100)));
        for (const cluster of clusters) {
          add('eks:DescribeCluster', 1);
          add('eks:ListPodIdentityAssociations', Math.max(1, Math.ceil(cluster.associations.length / 100)));
          add('eks:DescribePodIdentityAssociation', cluster.associations.length);
        }
      }
      perAccount.set(account.accountId, calls);
    }
    let total = sum(preamble);
    for (const calls of perAccount.values()) total += sum(calls);
    return { total, preamble, perAccount };
  }
}

export interface MinCalls {
  total: number;
  /** Calls made before any account can start: who the caller is, which accounts exist. */
  preamble: Map<string, number>;
  /** Per audited account, calls per API. */
  perAccount: Map<string, Map<string, number>>;
}

function sum(calls: Map<string, number>): number {
  let total = 0;
  for (const count of calls.values()) total += count;
  return total;
}

function commandName(command: unknown): string {
  const name = (command as { constructor: { name: string } }).constructor.name;
  return name.endsWith('Command') ? name.slice(0, -'Command'.length) : name;
}

function paged<T, R>(
  items: readonly T[],
  token: unknown,
  maxResults: unknown,
  limit: number,
  shape: (page: T[], next: string | undefined) => R,
): R {
  const size = Math.min(Number(maxResults ?? limit), limit);
  const offset = token ? Number(token) : 0;
  const end = Math.min(items.length, offset + size);
  return shape(items.slice(offset, end), end < items.length ? String(end) : undefined);
}

function organizationsAccount(account: SimAccount) {
  const state = account.state ?? 'ACTIVE';
  return {
    Id: account.accountId,
    Arn: `arn:aws:organizations::000000000000:account/o-sim/${account.accountId}`,
    Name: account.name,
    Email: `${account.name}@example.com`,
    State: state,
    Status: state,
  };
}

export function providerArn(accountId: string, url: string): string {
  return `arn:aws:iam::${accountId}:oidc-provider/${url}`;
}

function describedCluster(accountId: string, cluster: SimCluster) {
  return {
    name: cluster.name,
    arn: `arn:aws:eks:${cluster.region}:${accountId}:cluster/${cluster.name}`,
    status: 'ACTIVE',
    version: '1.33',
    endpoint:
      cluster.endpoint ?? `https://${cluster.name.toUpperCase()}.gr7.${cluster.region}.eks.amazonaws.com`,
    certificateAuthority: { data: cluster.caData ?? 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t' },
    ...(cluster.issuer ? { identity: { oidc: { issuer: cluster.issuer } } } : { identity: {} }),
    accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
    resourcesVpcConfig: { endpointPublicAccess: true, endpointPrivateAccess: true },
  };
}

/** Role `irsa-<n>`: an IRSA trust for one service account of one of the account's providers. */
export function generatedRole(account: SimAccount, index: number, trustDocument?: string): RoleDetail {
  const name = `irsa-${index}`;
  return {
    Path: '/',
    RoleName: name,
    RoleId: `AROA${account.accountId}${index}`,
    Arn: `arn:aws:iam::${account.accountId}:role/${name}`,
    CreateDate: ROLE_CREATED,
    AssumeRolePolicyDocument: trustDocument ?? trustDocumentOf(account, index),
    RolePolicyList: [],
    AttachedManagedPolicies: [
      { PolicyName: 'AmazonS3ReadOnlyAccess', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' },
    ],
    RoleLastUsed: index % 3 === 0 ? { LastUsedDate: ROLE_LAST_USED, Region: 'us-east-1' } : {},
  };
}

const ROLE_CREATED = new Date('2025-01-01T00:00:00Z');
const ROLE_LAST_USED = new Date('2026-11-01T00:00:00Z');

/** The trust document as IAM returns it: URL-encoded JSON. */
function trustDocumentOf(account: SimAccount, index: number): string {
  if (account.trustOf) return encodeURIComponent(JSON.stringify(account.trustOf(index)));
  const provider =
    account.providers.length > 0 && index % (account.eksTrustEvery ?? 1) === 0
      ? account.providers[index % account.providers.length]
      : undefined;
  const trust = provider
    ? awsDocsTrust(oidcProvider(account.accountId, provider.url), `ns-${index % 10}`, `sa-${index}`)
    : serviceTrust('ec2.amazonaws.com');
  return encodeURIComponent(JSON.stringify(trust));
}

function split(total: number, parts: number, index: number): number {
  return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}

export const AWS_DEFAULT_REGIONS = [
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-north-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
];

export interface GeneratedOrgSize {
  accounts: number;
  regions: number;
  clusters: number;
  roles: number;
  associationsPerCluster?: number;
  seed?: number;
}

/**
 * An organization of the given size: clusters spread over random accounts and regions, each with an
 * EKS issuer and an IAM provider; roles spread so a few accounts hold many (several pages each).
 */
export function generateOrganization(size: GeneratedOrgSize): SimOrganization {
  const random = seededRandom(size.seed ?? 42);
  const regions = AWS_DEFAULT_REGIONS.slice(0, size.regions);
  const accounts: SimAccount[] = [];
  for (let index = 0; index < size.accounts; index++) {
    const accountId = String(100000000000 + index * 7919).padStart(12, '0');
    accounts.push({
      accountId,
      name: `account-${index}`,
      parent: `ou-root-${String(index % 10).padStart(8, '0')}`,
      regions,
      roleCount: 0,
      providers: [],
      clusters: [],
    });
  }
  for (let index = 0; index < size.clusters; index++) {
    const account = accounts[Math.floor(random() * accounts.length)];
    const region = regions[Math.floor(random() * regions.length)];
    const id = (index.toString(16).toUpperCase() + 'A'.repeat(32)).slice(0, 32);
    const url = `oidc.eks.${region}.amazonaws.com/id/${id}`;
    account.providers.push({ url, clientIds: ['sts.amazonaws.com'] });
    const name = `cluster-${index}`;
    account.clusters.push({
      region,
      name,
      issuer: `https://${url}`,
      associations: Array.from({ length: size.associationsPerCluster ?? 2 }, (_, n) => ({
        associationId: `a-${index}-${n}`,
        namespace: `team-${n}`,
        serviceAccount: `app-${n}`,
        roleArn: `arn:aws:iam::${account.accountId}:role/irsa-${n}`,
      })),
    });
  }
  // Skewed role counts: 5 % of accounts hold half the roles (several GetAccountAuthorizationDetails pages).
  const heavy = Math.max(1, Math.floor(size.accounts / 20));
  const heavyRoles = size.accounts > heavy ? Math.floor(size.roles / 2) : size.roles;
  for (let index = 0; index < size.accounts; index++) {
    accounts[index].roleCount =
      index < heavy
        ? split(heavyRoles, heavy, index)
        : split(size.roles - heavyRoles, size.accounts - heavy, index - heavy);
  }
  return {
    callerAccountId: accounts[0].accountId,
    callerArn: `arn:aws:sts::${accounts[0].accountId}:assumed-role/IrsaAuditorLambda/run`,
    memberRoleName: DEFAULT_MEMBER_ROLE_NAME,
    rootId: 'r-root',
    ous: Array.from({ length: 10 }, (_, n) => ({
      id: `ou-root-${String(n).padStart(8, '0')}`,
      parent: 'r-root',
    })),
    accounts,
  };
}
