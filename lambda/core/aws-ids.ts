/**
 * Shapes of AWS identifiers, shared by every place that validates user input (inventory files, CLI
 * flags, the Lambda's environment, CDK context), so they accept and reject the same values.
 */
export const ACCOUNT_ID_RE = /^\d{12}$/;
/** Region names of every partition (`us-east-1`, `cn-north-1`, `us-isob-east-1`, `eusc-de-east-1`). */
export const REGION_RE = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
/** An OU id or an organization root id. */
export const OU_OR_ROOT_RE = /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;
/** An IAM role name, optionally with a path (`audit/IrsaAuditorMemberRole`). */
export const ROLE_NAME_WITH_PATH_RE = /^(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
/** What STS accepts as an ExternalId. */
export const EXTERNAL_ID_RE = /^[\w+=,.@:/-]{2,1224}$/;
