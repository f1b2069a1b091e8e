import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { partitionOfArn } from '../core/arn';
import { ApiCaller, type CallStats } from './api-call';
import { classifyAwsError } from './aws-errors';
import { type ApiClient, type AwsClientFactory, createSdkClientFactory, type ServiceName } from './clients';
import { type Clock, systemClock } from './clock';
import { type CallerIdentity, CredentialBroker } from './credentials';
import { MissingCredentialsError } from './errors';
import { createKubernetesReader, type KubernetesReader } from './kubernetes';
import type { CollectOptions } from './options';
import { Semaphore } from './pool';
import type { ProgressListener, ProgressPhase, ProgressSnapshot } from './progress';

/** What a run needs from the outside world; everything has a production default. */
export interface CollectDeps {
  /** SDK clients; default: real clients with adaptive retries and timeouts. */
  clients?: AwsClientFactory;
  /** The caller's credentials; default: the Node provider chain (honouring `options.profile`). */
  credentials?: AwsCredentialIdentityProvider;
  kubernetes?: KubernetesReader;
  clock?: Clock;
  progress?: ProgressListener;
  /** Jitter source for back-off; injected for deterministic tests. */
  random?: () => number;
}

/** Shared by every account of one run. */
export class RunContext {
  readonly snapshot: ProgressSnapshot = {
    accountsTotal: 0,
    accountsDone: 0,
    accountsWithErrors: 0,
    apiCalls: 0,
    throttled: 0,
    errors: 0,
    clusters: 0,
    kubernetesRequests: 0,
  };
  readonly kubernetesGate: Semaphore;

  constructor(
    readonly options: CollectOptions,
    readonly caller: CallerIdentity,
    readonly callerCredentials: AwsCredentialIdentityProvider,
    readonly clients: AwsClientFactory,
    readonly api: ApiCaller,
    readonly credentials: CredentialBroker,
    readonly kubernetes: KubernetesReader,
    readonly clock: Clock,
    private readonly listener: ProgressListener | undefined,
    /** Whether this run created `clients` and so must close them. */
    private readonly ownsClients: boolean,
  ) {
    this.kubernetesGate = new Semaphore(options.kubernetes.concurrency);
  }

  get stats(): CallStats {
    return this.api.stats;
  }

  deadlinePassed(): boolean {
    return this.options.deadline !== undefined && this.clock.now() >= this.options.deadline;
  }

  /** A client on the caller's own credentials (Organizations, STS). */
  callerClient<S extends ServiceName>(service: S, region: string): ApiClient<S> {
    return this.clients.get(service, 'caller', region, this.callerCredentials);
  }

  progress(phase: ProgressPhase, where: { accountId?: string; region?: string } = {}): void {
    if (!this.listener) return;
    this.snapshot.apiCalls = this.api.stats.apiCalls;
    this.snapshot.throttled = this.api.stats.throttled;
    this.listener({ phase, ...where, snapshot: { ...this.snapshot } });
  }

  close(): void {
    if (this.ownsClients) this.clients.destroy();
  }
}

/** One account's view of the run: its own concurrency gate, clients on its own credentials. */
export class AccountSession {
  readonly gate: Semaphore;

  constructor(
    readonly run: RunContext,
    readonly accountId: string,
    /** Start order within the run: earlier accounts get the global gate first. */
    readonly sequence = 0,
  ) {
    this.gate = new Semaphore(run.options.accountConcurrency);
  }

  /** Read with the caller's own credentials (the CLI's own account by default), not the member role. */
  get usesCallerCredentials(): boolean {
    return this.run.credentials.usesCallerCredentials(this.accountId);
  }

  client<S extends ServiceName>(service: S, region: string): ApiClient<S> {
    return this.run.clients.get(
      service,
      this.accountId,
      region,
      this.run.credentials.provider(this.accountId),
    );
  }

  /**
   * One AWS request of this account. `send` is called again on each attempt, so it must fetch its
   * client through `client()`: after a credential refresh that is a new client.
   */
  call<T>(api: string, send: () => Promise<T>): Promise<T> {
    return this.run.api.call(api, send, {
      gate: this.gate,
      priority: this.sequence,
      ...(this.usesCallerCredentials ? {} : { refresh: () => this.refresh() }),
    });
  }

  private refresh(): void {
    this.run.credentials.invalidate(this.accountId);
    this.run.clients.evict(this.accountId);
  }
}

/**
 * Builds the run: resolves who the caller is (one STS GetCallerIdentity, which also proves the
 * credentials work) and wires the shared pieces. Missing or rejected credentials are a clear error.
 */
export async function createRunContext(options: CollectOptions, deps: CollectDeps = {}): Promise<RunContext> {
  const clock = deps.clock ?? systemClock;
  const ownsClients = deps.clients === undefined;
  const clients =
    deps.clients ??
    createSdkClientFactory({
      maxAttempts: options.maxAttempts,
      requestTimeoutMs: options.requestTimeoutMs,
      connectionTimeoutMs: options.connectionTimeoutMs,
    });
  const callerCredentials =
    deps.credentials ?? fromNodeProviderChain(options.profile ? { profile: options.profile } : {});
  const api = new ApiCaller(
    new Semaphore(options.concurrency),
    { stormRetries: options.stormRetries, stormBackoffMs: options.stormBackoffMs },
    clock,
    undefined,
    deps.random,
  );
  const caller = await identifyCaller(clients, callerCredentials, options.homeRegion, api).catch(
    (error: unknown) => {
      if (ownsClients) clients.destroy();
      throw error;
    },
  );
  const broker = new CredentialBroker(caller, callerCredentials, options, clients, api, clock);
  const kubernetes = deps.kubernetes ?? createKubernetesReader(options.kubernetes);
  return new RunContext(
    options,
    caller,
    callerCredentials,
    clients,
    api,
    broker,
    kubernetes,
    clock,
    deps.progress,
    ownsClients,
  );
}

async function identifyCaller(
  clients: AwsClientFactory,
  credentials: AwsCredentialIdentityProvider,
  region: string,
  api: ApiCaller,
): Promise<CallerIdentity> {
  const sts = clients.get('sts', 'caller', region, credentials);
  try {
    const identity = await api.call(
      'sts:GetCallerIdentity',
      () => sts.send(new GetCallerIdentityCommand({})),
      {
        priority: -1,
      },
    );
    if (!identity.Account || !identity.Arn)
      throw new MissingCredentialsError('STS did not say who the caller is');
    return {
      accountId: identity.Account,
      arn: identity.Arn,
      partition: partitionOfArn(identity.Arn) ?? 'aws',
    };
  } catch (error) {
    if (error instanceof MissingCredentialsError) throw error;
    const failure = classifyAwsError(error);
    if (failure.code === 'MissingCredentials') {
      throw new MissingCredentialsError(
        'no credentials were found in the environment, profile or SSO cache',
        {
          cause: error,
        },
      );
    }
    if (failure.code === 'ExpiredToken') {
      throw new MissingCredentialsError('the credentials have expired', { cause: error });
    }
    if (failure.code === 'CredentialsRejected') {
      throw new MissingCredentialsError(`STS rejected the credentials (${failure.message})`, {
        cause: error,
      });
    }
    throw error;
  }
}
