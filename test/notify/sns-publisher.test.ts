import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { buildNotification } from '../../lambda/app/notification';
import { SnsPublisher } from '../../lambda/notify/sns-publisher';
import { critical, drift, resolvedLow, runRecord } from './fixtures';

const TOPIC = 'arn:aws:sns:us-east-1:999988887777:irsa-audit';
const sns = mockClient(SNSClient);
afterEach(() => sns.reset());

const message = buildNotification(drift({ new: [critical], resolved: [resolvedLow] }), runRecord());
if (!message) throw new Error('expected a message');
const noWait = { sleep: async () => {}, random: () => 0 };
/** As the SDK throws a service's answer: the SNS code as the name, with the response metadata. */
const error = (name: string, text = name) =>
  Object.assign(new Error(text), { name, $metadata: { httpStatusCode: 400 } });

describe('SnsPublisher', () => {
  it('publishes one json-structured message with subject and attributes', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const outcome = await new SnsPublisher(new SNSClient({ region: 'us-east-1' }), TOPIC, noWait).publish(
      message,
    );

    expect(outcome).toEqual({ status: 'published', messageId: 'm-1', attempts: 1 });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: 'IRSA audit: 1 new (worst: critical), 1 resolved, 15 open',
      MessageStructure: 'json',
      Message: message.message,
      MessageAttributes: {
        maxSeverity: { DataType: 'String', StringValue: 'critical' },
        maxSeverityRank: { DataType: 'Number', StringValue: '4' },
        maxResolvedSeverity: { DataType: 'String', StringValue: 'low' },
        newCount: { DataType: 'Number', StringValue: '1' },
        resolvedCount: { DataType: 'Number', StringValue: '1' },
        openCount: { DataType: 'Number', StringValue: '15' },
        runId: { DataType: 'String', StringValue: '20261129T030000Z-1a2b3c4d' },
      },
    });
    const sent = sns.commandCalls(PublishCommand)[0].args[0].input;
    const structure = JSON.parse(sent.Message ?? '{}');
    expect(Object.keys(structure).sort()).toEqual(['default', 'email']);
    expect(JSON.parse(structure.default)).toMatchObject({ version: '1.0', source: 'custom' });
  });

  it('retries throttling with backoff and succeeds', async () => {
    sns.on(PublishCommand).rejectsOnce(error('ThrottledException')).resolves({ MessageId: 'm-2' });
    const delays: number[] = [];
    const publisher = new SnsPublisher(new SNSClient({ region: 'us-east-1' }), TOPIC, {
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 0.5,
    });
    expect(await publisher.publish(message)).toEqual({ status: 'published', messageId: 'm-2', attempts: 2 });
    expect(delays).toEqual([100]);
  });

  it('reports a failure after the bounded attempts, never throwing', async () => {
    sns.on(PublishCommand).rejects(error('InternalErrorException', 'internal error'));
    const outcome = await new SnsPublisher(new SNSClient({ region: 'us-east-1' }), TOPIC, noWait).publish(
      message,
    );
    expect(outcome).toEqual({
      status: 'failed',
      attempts: 3,
      error: { code: 'InternalErrorException', message: 'internal error' },
      // The topic is failing, not this message: the outbox keeps the order and stops there.
      messageRejected: false,
    });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 3);
  });

  it('says when the topic rejected the message itself (other pending messages may still go)', async () => {
    sns.on(PublishCommand).rejects(error('InvalidParameterException', 'Invalid parameter: Message too long'));
    const outcome = await new SnsPublisher(new SNSClient({ region: 'us-east-1' }), TOPIC, noWait).publish(
      message,
    );
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1, messageRejected: true });
  });

  it('does not retry errors a retry cannot fix', async () => {
    sns.on(PublishCommand).rejects(error('AuthorizationErrorException', 'not authorized to publish'));
    const outcome = await new SnsPublisher(new SNSClient({ region: 'us-east-1' }), TOPIC, noWait).publish(
      message,
    );
    expect(outcome).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'AuthorizationErrorException' },
      messageRejected: false,
    });
  });

  it('reports a JavaScript exception as PublishFailed, never by its name', async () => {
    sns.on(PublishCommand).rejects(new TypeError("Cannot read properties of undefined (reading 'send')"));
    const outcome = await new SnsPublisher(new SNSClient({ region: 'us-east-1' }), TOPIC, noWait).publish(
      message,
    );
    expect(outcome).toMatchObject({
      status: 'failed',
      error: {
        code: 'PublishFailed',
        message: "TypeError: Cannot read properties of undefined (reading 'send')",
      },
    });
  });
});
