/** Reading the AWS SDK's errors in the DynamoDB adapter (the port's own errors: app/store-errors.ts). */

/** The SDK error name, when the error comes from the AWS SDK. */
export function awsErrorName(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'name' in error && typeof error.name === 'string')
    return error.name;
  return undefined;
}
