/**
 * One API object → the model, for the live collectors: the same conversion functions the file parser
 * applies to the same objects in an export (`aws iam get-account-authorization-details`, `aws eks
 * describe-cluster`, `kubectl get … -o json`), so a live read and an export of one account or cluster
 * give the same inventory and the same findings (docs/collection.md).
 *
 * The parameters are structural: the SDK and Kubernetes client types satisfy them, and only the
 * collectors (adapters) name those types. The objects come from IAM, EKS and the API server, which
 * validated them: a field that still fails validation is left empty, as the parser leaves it, and the
 * problem is not reported (there is no file to fix).
 */
import type {
  Cluster,
  JsonObject,
  OidcProvider,
  Pod,
  PodIdentityAssociation,
  Role,
  ServiceAccount,
} from '../model';
import { parseAssociation, parseCluster } from './eks';
import { iamRole, parseProvider, type TrustPolicyCache } from './iam';
import { Issues } from './issues';
import { parsePod, parseServiceAccount } from './kubernetes';

/** A date-time as the SDKs (`Date`) or the CLI exports (string) give it. */
type Timestamp = Date | string;

export interface IamRoleDetailShape {
  Arn?: string;
  AssumeRolePolicyDocument?: string;
  AttachedManagedPolicies?: { PolicyArn?: string }[];
  RolePolicyList?: { PolicyName?: string }[];
  RoleLastUsed?: { LastUsedDate?: Timestamp };
}

export interface IamOidcProviderShape {
  Url?: string;
  ClientIDList?: string[];
}

export interface EksClusterShape {
  name?: string;
  arn?: string;
  identity?: { oidc?: { issuer?: string } };
}

export interface EksAssociationShape {
  namespace?: string;
  serviceAccount?: string;
  roleArn?: string;
  targetRoleArn?: string;
  associationId?: string;
}

export interface KubernetesMetadataShape {
  namespace?: string;
  name?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  ownerReferences?: { kind: string; name: string; controller?: boolean }[];
}

export interface KubernetesServiceAccountShape {
  metadata?: KubernetesMetadataShape;
}

export interface KubernetesContainerShape {
  name: string;
  env?: { name: string; value?: string; valueFrom?: object }[];
}

export interface KubernetesPodShape {
  metadata?: KubernetesMetadataShape;
  spec?: {
    serviceAccountName?: string;
    serviceAccount?: string;
    containers: KubernetesContainerShape[];
    initContainers?: KubernetesContainerShape[];
  };
  status?: { phase?: string; startTime?: Timestamp };
}

/** Problems are not collected (see above); the limit never stops a conversion. */
function apiIssues(source: string): Issues {
  return new Issues(source, Number.POSITIVE_INFINITY, 0);
}

/**
 * A `GetAccountAuthorizationDetails` role. `cache` is shared over one account's pages, so roles with
 * byte-identical trust documents share one parsed document (as in a file).
 */
export function roleFromIamDetail(detail: IamRoleDetailShape, cache: TrustPolicyCache): Role | undefined {
  if (!detail.Arn) return undefined;
  // IAM always returns the document; a missing one is kept as unparsable rather than as a load error.
  const raw: JsonObject =
    detail.AssumeRolePolicyDocument === undefined
      ? { ...detail, AssumeRolePolicyDocument: '' }
      : (detail as JsonObject);
  return iamRole(raw, undefined, apiIssues(detail.Arn), cache);
}

/**
 * A `GetOpenIDConnectProvider` answer for the provider `arn` (the answer does not repeat it). An empty
 * answer (the call failed) keeps the provider with the issuer from its ARN and no known client ids.
 */
export function providerFromIam(arn: string, response: IamOidcProviderShape): OidcProvider {
  const raw: JsonObject = { Arn: arn, Url: response.Url, ClientIDList: response.ClientIDList ?? [] };
  return parseProvider(raw, undefined, () => 'aws', apiIssues(arn)) ?? { arn, url: '', clientIds: [] };
}

/** A `DescribeCluster` cluster in `region`, its Kubernetes data not collected yet. */
export function clusterFromDescribe(described: EksClusterShape, region: string): Cluster {
  return parseCluster({ cluster: described as JsonObject, region }, apiIssues(described.name ?? 'cluster'));
}

/** A Pod Identity association, from `DescribePodIdentityAssociation` or the list call's summary. */
export function associationFromEks(association: EksAssociationShape): PodIdentityAssociation {
  return parseAssociation(association as JsonObject, undefined, apiIssues('association'));
}

/**
 * Kubernetes objects keep only what the checks read, within a size cap per object (docs/collection.md
 * "What is kept"); `onCapped` hears of each object cut to the cap, for the run's coverage note.
 */
export function serviceAccountFromObject(
  object: KubernetesServiceAccountShape,
  onCapped?: () => void,
): ServiceAccount {
  const issues = apiIssues('service account');
  const serviceAccount = parseServiceAccount(object as JsonObject, issues);
  if (issues.cappedObjects > 0) onCapped?.();
  return serviceAccount;
}

export function podFromObject(object: KubernetesPodShape, onCapped?: () => void): Pod {
  const issues = apiIssues('pod');
  const pod = parsePod(object as JsonObject, issues);
  if (issues.cappedObjects > 0) onCapped?.();
  return pod;
}
