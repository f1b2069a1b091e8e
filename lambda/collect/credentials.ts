import { AssumeRoleCommand, type AssumeRoleCommandOutput } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { ApiCaller } from './api-call';
import type { AwsClientFactory } from './clients';
import type { Clock } from './clock';
import { CollectError, trimMessage } from './errors';

export interface CallerIdentity {
  accountId: string;
  /** `arn:aws:sts::…:assumed-role/…` or an IAM user/role ARN. */
  arn: string;
  partition: string;
}

export interface AssumeRoleSettings {
  runId: string;
  roleName: string;
  externalId?: string;
  homeRegion: string;
  sessionDurationSeconds: number;
  credentialRefreshMarginMs: number;
  /**
   * Assume the member role in the caller's own account too, instead of reading it with the caller's
   * credentials. The Lambda does (its function role may only assume the member role); the CLI does
   * with `--assume-in-own-account` (docs/deployment.md).
   */
  assumeRoleInOwnAccount?: boolean;
}

/** AssumeRole into a member account failed: the account is recorded, with nothing collected. */
export class AssumeRoleError extends CollectError {
  constructor(
    readonly roleArn: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super('AssumeRoleFailed', `could not assume ${roleArn}: ${detail}`, options);
    this.name = 'AssumeRoleError';
  }
}

export function memberRoleArn(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/** Recognisable in CloudTrail and in EKS audit logs; STS allows 2-64 characters of [\w+=,.@-]. */
export function sessionNameFor(runId: string): string {
  return `irsa-auditor-${runId}`.slice(0, 64);
}

/**
 * Credentials per account: the caller's own for the caller's account (no AssumeRole) unless
 * `assumeRoleInOwnAccount` is set, else the member role, assumed once and shared by every client of that account, renewed `credentialRefreshMarginMs`
 * before it expires. Concurrent requests for the same account share one AssumeRole.
 */
export class CredentialBroker {
  private readonly cache = new Map<
    string,
    { identity?: AwsCredentialIdentity; pending?: Promise<AwsCredentialIdentity> }
  >();

  constructor(
    private readonly caller: CallerIdentity,
    private readonly callerCredentials: AwsCredentialIdentityProvider,
    private readonly settings: AssumeRoleSettings,
    private readonly clients: AwsClientFactory,
    private readonly api: ApiCaller,
    private readonly clock: Clock,
  ) {}

  /** Whether the account is read with the caller's own credentials rather than the member role. */
  usesCallerCredentials(accountId: string): boolean {
    return accountId === this.caller.accountId && this.settings.assumeRoleInOwnAccount !== true;
  }

  /** What the SDK clients of an account are built with: resolves (and renews) lazily. */
  provider(accountId: string): AwsCredentialIdentityProvider {
    if (this.usesCallerCredentials(accountId)) return this.callerCredentials;
    return () => this.get(accountId);
  }

  roleArnFor(accountId: string): string {
    return memberRoleArn(this.caller.partition, accountId, this.settings.roleName);
  }

  /** Resolves the account's credentials now, so an AssumeRole failure is known before anything else. */
  async get(accountId: string, priority = 0): Promise<AwsCredentialIdentity> {
    if (this.usesCallerCredentials(accountId)) return this.callerCredentials();
    let entry = this.cache.get(accountId);
    if (!entry) {
      entry = {};
      this.cache.set(accountId, entry);
    }
    const identity = entry.identity;
    if (identity && !this.needsRenewal(identity)) return identity;
    if (!entry.pending) {
      const current = entry;
      current.pending = this.assume(accountId, priority).then(
        (fresh) => {
          current.identity = fresh;
          current.pending = undefined;
          return fresh;
        },
        (error: unknown) => {
          current.pending = undefined;
          throw error;
        },
      );
    }
    return entry.pending!;
  }

  /** Forgets the account's credentials (the service said they expired). The caller's own are left alone. */
  invalidate(accountId: string): void {
    this.cache.delete(accountId);
  }

  private needsRenewal(identity: AwsCredentialIdentity): boolean {
    return (
      identity.expiration !== undefined &&
      identity.expiration.getTime() - this.clock.now() <= this.settings.credentialRefreshMarginMs
    );
  }

  private async assume(accountId: string, priority: number): Promise<AwsCredentialIdentity> {
    const roleArn = this.roleArnFor(accountId);
    const sts = this.clients.get('sts', 'caller', this.settings.homeRegion, this.callerCredentials);
    let response: AssumeRoleCommandOutput;
    try {
      response = await this.api.call(
        'sts:AssumeRole',
        () =>
          sts.send(
            new AssumeRoleCommand({
              RoleArn: roleArn,
              RoleSessionName: sessionNameFor(this.settings.runId),
              DurationSeconds: this.settings.sessionDurationSeconds,
              ...(this.settings.externalId ? { ExternalId: this.settings.externalId } : {}),
            }),
          ),
        { priority },
      );
    } catch (error) {
      const name = (error as { name?: string }).name ?? 'Error';
      const message = (error as { message?: string }).message ?? String(error);
      throw new AssumeRoleError(roleArn, trimMessage(`${name}: ${message}`), { cause: error });
    }
    const credentials = response.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
      throw new AssumeRoleError(roleArn, 'STS returned no credentials');
    }
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
      ...(credentials.Expiration ? { expiration: new Date(credentials.Expiration) } : {}),
    };
  }
}
