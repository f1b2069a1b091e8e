import { AccountClient } from '@aws-sdk/client-account';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * SDK clients, one per (account, service, region). The collectors only ever call `send`, so the
 * benchmark can inject simulated clients through the same interface without touching their code.
 */
export interface ServiceClients {
  sts: STSClient;
  organizations: OrganizationsClient;
  account: AccountClient;
  iam: IAMClient;
  eks: EKSClient;
}

export type ServiceName = keyof ServiceClients;

export type ApiClient<S extends ServiceName> = Pick<ServiceClients[S], 'send'>;

/** `caller` for the audit's own credentials, else the 12-digit account whose assumed role is used. */
export type ClientOwner = string;

export interface AwsClientFactory {
  /** Reuses the client for (owner, service, region); `credentials` only matter when it is created. */
  get<S extends ServiceName>(
    service: S,
    owner: ClientOwner,
    region: string,
    credentials: AwsCredentialIdentityProvider,
  ): ApiClient<S>;
  /** Drops an owner's clients, so the next `get` builds them on refreshed credentials. */
  evict(owner: ClientOwner): void;
  /** Closes every client's sockets. */
  destroy(): void;
}

export interface SdkClientSettings {
  maxAttempts: number;
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
}

const CONSTRUCTORS = {
  sts: STSClient,
  organizations: OrganizationsClient,
  account: AccountClient,
  iam: IAMClient,
  eks: EKSClient,
} as const;

/** Production factory: adaptive retries (client-side rate limiting after throttling), per-request timeouts. */
export function createSdkClientFactory(settings: SdkClientSettings): AwsClientFactory {
  const clients = new Map<string, { owner: string; client: { destroy(): void } }>();
  return {
    get(service, owner, region, credentials) {
      const key = `${owner}|${service}|${region}`;
      let entry = clients.get(key);
      if (!entry) {
        const Client = CONSTRUCTORS[service];
        const client = new Client({
          region,
          credentials,
          retryMode: 'adaptive',
          maxAttempts: settings.maxAttempts,
          // Constructor arguments of the default NodeHttpHandler. Without throwOnRequestTimeout the
          // handler only logs a warning when requestTimeout passes and keeps waiting.
          requestHandler: {
            requestTimeout: settings.requestTimeoutMs,
            connectionTimeout: settings.connectionTimeoutMs,
            throwOnRequestTimeout: true,
          },
        });
        entry = { owner, client };
        clients.set(key, entry);
      }
      return entry.client as unknown as ApiClient<typeof service>;
    },
    evict(owner) {
      for (const [key, entry] of clients) {
        if (entry.owner !== owner) continue;
        entry.client.destroy();
        clients.delete(key);
      }
    },
    destroy() {
      for (const entry of clients.values()) entry.client.destroy();
      clients.clear();
    },
  };
}

/** Region that serves the partition's global APIs (IAM, Organizations, Account). */
export function globalRegionOf(partition: string): string {
  switch (partition) {
    case 'aws-cn':
      return 'cn-north-1';
    case 'aws-us-gov':
      return 'us-gov-west-1';
    case 'aws-iso':
      return 'us-iso-east-1';
    case 'aws-iso-b':
      return 'us-isob-east-1';
    case 'aws-eusc':
      return 'eusc-de-east-1';
    default:
      return 'us-east-1';
  }
}

/** DNS suffix of the partition's regional endpoints (`sts.<region>.<suffix>`). */
export function dnsSuffixOf(partition: string): string {
  switch (partition) {
    case 'aws-cn':
      return 'amazonaws.com.cn';
    case 'aws-iso':
      return 'c2s.ic.gov';
    case 'aws-iso-b':
      return 'sc2s.sgov.gov';
    case 'aws-eusc':
      return 'amazonaws.eu';
    default:
      return 'amazonaws.com';
  }
}
