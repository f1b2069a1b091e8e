/**
 * The optional destinations of a run's results besides the table and the topic
 * (docs/deployment.md "Security Hub" and "Report bucket"):
 * - Security Hub import: the function may import findings through the account's default product
 *   and set the workflow of the findings it imported, nothing else;
 * - the report bucket: each run's HTML report and `latest.html`, in a bucket the stack creates
 *   (KMS-encrypted with the stack's key, private, TLS only, expiring) or in one the operator names
 *   (`-c reportBucket=name`: only `s3:PutObject` under the prefix is granted).
 */
import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** The statements of the Security Hub import; exact actions and resources, shown in the tests. */
export function securityHubStatements(): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ImportFindingsToDefaultProduct',
      actions: ['securityhub:BatchImportFindings'],
      resources: [
        `arn:${Aws.PARTITION}:securityhub:${Aws.REGION}:${Aws.ACCOUNT_ID}:product/${Aws.ACCOUNT_ID}/default`,
      ],
    }),
    new iam.PolicyStatement({
      sid: 'SetWorkflowOfImportedFindings',
      // Resolved findings become RESOLVED, suppressed ones SUPPRESSED (docs/deployment.md).
      actions: ['securityhub:BatchUpdateFindings'],
      resources: [`arn:${Aws.PARTITION}:securityhub:${Aws.REGION}:${Aws.ACCOUNT_ID}:hub/default`],
    }),
  ];
}

export interface ReportBucketProps {
  /** An existing bucket's name; absent: the stack creates one. */
  bucketName?: string;
  /** Key prefix of the reports, ending in `/`. */
  prefix: string;
  /** Days a run's report is kept in a bucket the stack creates. */
  retentionDays: number;
  /** The stack's data key: encrypts a created bucket; the function may use it through S3. */
  key: kms.IKey;
  role: iam.IRole;
}

export class ReportBucket extends Construct {
  readonly bucketName: string;
  readonly bucket?: s3.Bucket;
  private readonly prefix: string;
  private readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: ReportBucketProps) {
    super(scope, id);
    this.prefix = props.prefix;
    this.key = props.key;
    if (props.bucketName) {
      this.bucketName = props.bucketName;
      this.grantWriteReports(props.role);
      return;
    }
    const bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      lifecycleRules: [
        {
          id: 'ExpireRunReports',
          prefix: `${props.prefix}runs/`,
          expiration: Duration.days(props.retentionDays),
        },
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = bucket;
    this.bucketName = bucket.bucketName;
    this.grantWriteReports(props.role);
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Only the audit function (in the distributed mode its evaluate step) writes here (one PutObject per run); reads are by people signed in to the console, which CloudTrail records. A second bucket of access logs for it adds cost and no signal',
    });
  }

  /**
   * Lets a role write the run reports: `s3:PutObject` under the prefix, and, in a bucket the stack
   * creates, the stack's key through S3. The audit function's role, and the distributed mode's
   * evaluate step (infra/distributed.ts), which runs the exporters there.
   */
  grantWriteReports(role: iam.IRole): void {
    if (!this.bucket) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'WriteRunReports',
          actions: ['s3:PutObject'],
          resources: [`arn:${Aws.PARTITION}:s3:::${this.bucketName}/${this.prefix}*`],
        }),
      );
      this.acknowledgeObjectWildcard(role, `arn:<AWS::Partition>:s3:::${this.bucketName}/${this.prefix}*`);
      return;
    }
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteRunReports',
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${this.prefix}*`)],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptRunReports',
        actions: ['kms:GenerateDataKey', 'kms:Encrypt'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.${Aws.URL_SUFFIX}` } },
      }),
    );
    const bucketId = Stack.of(this).resolve((this.bucket.node.defaultChild as s3.CfnBucket).logicalId);
    this.acknowledgeObjectWildcard(role, `<${bucketId}.Arn>/${this.prefix}*`);
  }

  private acknowledgeObjectWildcard(role: iam.IRole, resource: string): void {
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (!policy) return;
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${resource}]`,
      reason:
        'Each run writes runs/<run id>.html and latest.html under the report prefix: the object names are only known at run time; s3:PutObject only, this bucket and prefix only',
    });
  }
}
