/**
 * Publishes a built notification to SNS. Bounded retries with jittered backoff on transient errors
 * (on top of the SDK's own); never throws: the outcome is reported in the run record, and the
 * notification stays pending in the outbox until a later run delivers it (docs/notifications.md).
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { NotificationPublisher, PublishableMessage, PublishOutcome } from '../app/ports';

export interface PublishRetry {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

const DEFAULT_PUBLISH_RETRY: PublishRetry = {
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 2_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** Errors that a later attempt cannot fix: bad parameters, permissions, missing topic, disabled KMS key. */
const PERMANENT = new Set([
  'InvalidParameterException',
  'InvalidParameterValueException',
  'AuthorizationErrorException',
  'NotFoundException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSAccessDeniedException',
  'KMSOptInRequired',
  'InvalidSecurityException',
  'ValidationException',
  'EndpointDisabledException',
]);

/** Errors about this message itself: the topic may still take other messages. */
const MESSAGE_REJECTED = new Set([
  'InvalidParameterException',
  'InvalidParameterValueException',
  'ValidationException',
]);

/**
 * The SNS error code of a service exception (the SDK gives it as the name, with the response
 * metadata). Anything else (a network failure, a TypeError) is `PublishFailed`: a JavaScript
 * exception's name is not an SNS code; the message keeps it.
 */
function errorCode(error: unknown): string {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    $metadata?: unknown;
  };
  if (shape.$metadata !== undefined && typeof shape.name === 'string') return shape.name;
  return 'PublishFailed';
}

/** Error text safe for logs and the run record: the SDK message, one line, capped. */
function errorText(error: unknown): string {
  const fromService = typeof error === 'object' && error !== null && '$metadata' in error;
  const text =
    error instanceof Error
      ? fromService
        ? error.message
        : `${error.name}: ${error.message}`
      : String(error);
  return text.replace(/\s+/g, ' ').slice(0, 300);
}

export class SnsPublisher implements NotificationPublisher {
  private readonly retry: PublishRetry;

  constructor(
    private readonly client: SNSClient,
    readonly topicArn: string,
    retry: Partial<PublishRetry> = {},
  ) {
    this.retry = { ...DEFAULT_PUBLISH_RETRY, ...retry };
  }

  async publish(message: PublishableMessage): Promise<PublishOutcome> {
    let lastError: unknown;
    let attempts = 0;
    while (attempts < this.retry.maxAttempts) {
      attempts++;
      try {
        const response = await this.client.send(
          new PublishCommand({
            TopicArn: this.topicArn,
            Subject: message.subject,
            Message: message.message,
            MessageStructure: message.messageStructure,
            MessageAttributes: message.attributes,
          }),
        );
        return { status: 'published', messageId: response.MessageId ?? '', attempts };
      } catch (error) {
        lastError = error;
        if (PERMANENT.has(errorCode(error))) break;
        if (attempts < this.retry.maxAttempts) {
          const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempts - 1));
          await this.retry.sleep(Math.floor(this.retry.random() * ceiling));
        }
      }
    }
    const code = errorCode(lastError);
    return {
      status: 'failed',
      attempts,
      error: { code, message: errorText(lastError) },
      messageRejected: MESSAGE_REJECTED.has(code),
    };
  }
}
