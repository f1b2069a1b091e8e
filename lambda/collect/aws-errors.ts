import type { ErrorCode } from '../core/errors';
import { CollectError, trimMessage } from './errors';

/**
 * What an AWS SDK error means for the collector. The SDK has already retried it (adaptive mode); this
 * decides whether one more round is worth it, whether the credentials must be refreshed, and which
 * stable coverage code it becomes.
 */
export type AwsFailureKind = 'throttled' | 'expired' | 'denied' | 'not-found' | 'transient' | 'fatal';

/** The coverage codes of AWS failures (docs/collection.md lists them): closed, never an error's name. */
export type AwsFailureCode =
  | 'Throttled'
  | 'ExpiredToken'
  | 'AccessDenied'
  | 'CredentialsRejected'
  | 'MissingCredentials'
  | 'NotFound'
  | 'Timeout'
  | 'NetworkError'
  | 'ServiceError'
  | 'InternalError'
  | ErrorCode;

export interface AwsFailure {
  kind: AwsFailureKind;
  /** Stable coverage code (docs/collection.md lists them). */
  code: AwsFailureCode;
  /** One line, bounded; safe to store and show. */
  message: string;
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'PriorRequestNotComplete',
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
]);

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);

const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'AuthorizationError',
  'AWSOrganizationsNotInUseException',
  'OptInRequired',
]);

/** Credentials the service does not recognise: typically an opt-in region not enabled for the account. */
const UNRECOGNISED = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
]);

const NOT_FOUND = new Set([
  'NoSuchEntity',
  'NoSuchEntityException',
  'ResourceNotFoundException',
  'NotFoundException',
]);

const TIMEOUT = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError']);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

export function classifyAwsError(error: unknown): AwsFailure {
  if (error instanceof CollectError)
    return { kind: 'fatal', code: error.code, message: trimMessage(error.message) };
  const shape: SdkErrorShape = typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
  const name = shape.name ?? 'Error';
  const status = shape.$metadata?.httpStatusCode;
  const message = trimMessage(`${name}: ${shape.message ?? String(error)}`);
  if (THROTTLING.has(name) || shape.$retryable?.throttling || status === 429) {
    return { kind: 'throttled', code: 'Throttled', message };
  }
  if (EXPIRED.has(name)) return { kind: 'expired', code: 'ExpiredToken', message };
  if (DENIED.has(name) || name.endsWith('AccessDeniedException'))
    return { kind: 'denied', code: 'AccessDenied', message };
  if (UNRECOGNISED.has(name)) return { kind: 'denied', code: 'CredentialsRejected', message };
  if (name === 'CredentialsProviderError') return { kind: 'fatal', code: 'MissingCredentials', message };
  if (NOT_FOUND.has(name)) return { kind: 'not-found', code: 'NotFound', message };
  if (TIMEOUT.has(name) || shape.code === 'ETIMEDOUT') return { kind: 'transient', code: 'Timeout', message };
  if (shape.code && NETWORK_CODES.has(shape.code))
    return { kind: 'transient', code: 'NetworkError', message };
  if (shape.$fault === 'server' || (status !== undefined && status >= 500)) {
    return { kind: 'transient', code: 'ServiceError', message };
  }
  // A JavaScript exception (TypeError) is a bug of ours; any other unrecognised error gets the fixed
  // code `Unknown`. Neither name becomes a code: the message keeps it (docs/collection.md).
  if (!fromService(shape)) return { kind: 'fatal', code: 'InternalError', message };
  return { kind: 'fatal', code: 'Unknown', message };
}

/** An exception the AWS SDK built from a service response (it carries the response metadata). */
function fromService(shape: SdkErrorShape): boolean {
  return shape.$metadata !== undefined || shape.$fault !== undefined;
}
