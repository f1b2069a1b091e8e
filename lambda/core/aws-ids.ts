/**
 * Shapes of AWS identifiers, shared by every place that validates user input (inventory files, CLI
 * flags, the Lambda's environment, CDK context), so they accept and reject the same values.
 */
export const ACCOUNT_ID_RE = /^\d{12}$/;
/** Region names of every partition (`us-east-1`, `cn-north-1`, `us-isob-east-1`, `eusc-de-east-1`). */
export const REGION_RE = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
/** An OU id or an organization root id. */
export const OU_OR_ROOT_RE = /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;
/** The characters of an IAM role name, and of each segment of the paths this tool accepts. */
const IAM_NAME_CHARS_RE = /^[\w+=,.@-]+$/;

/**
 * A role as the audit addresses it — its name (1-64 characters of `[\w+=,.@-]`), after its IAM path
 * when it has one (`audit/IrsaAuditorMemberRole`: path `/audit/`, name `IrsaAuditorMemberRole`) —
 * split into the two; undefined when it is not one. Its ARN is `arn:<partition>:iam::<account>:role/<value>`.
 */
export function splitRoleName(value: string): { path: string; name: string } | undefined {
  const segments = value.split('/');
  const name = segments.pop() ?? '';
  if (name.length > 64 || !IAM_NAME_CHARS_RE.test(name)) return undefined;
  if (!segments.every((segment) => IAM_NAME_CHARS_RE.test(segment))) return undefined;
  const path = segments.length === 0 ? '/' : `/${segments.join('/')}/`;
  // IAM: a path has at most 512 characters.
  return path.length <= 512 ? { path, name } : undefined;
}
/** What STS accepts as an ExternalId. */
export const EXTERNAL_ID_RE = /^[\w+=,.@:/-]{2,1224}$/;
