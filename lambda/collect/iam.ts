import {
  GetAccountAuthorizationDetailsCommand,
  GetOpenIDConnectProviderCommand,
  ListOpenIDConnectProvidersCommand,
} from '@aws-sdk/client-iam';
import { providerFromIam, roleFromIamDetail } from '../core/inventory/api-objects';
import type { TrustPolicyCache } from '../core/inventory/iam';
import type { CoverageError, OidcProvider, Role } from '../core/model';
import { classifyAwsError } from './aws-errors';
import { globalRegionOf } from './clients';
import { PaginationError } from './errors';
import type { AccountSession } from './run-context';

/** GetAccountAuthorizationDetails' largest page. */
const ROLES_PAGE = 1000;
const YIELD_EVERY = 100;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface IamInventory {
  roles: Role[];
  oidcProviders: OidcProvider[];
  errors: CoverageError[];
}

/**
 * IAM is global: one pass per account, on the partition's IAM region. Roles and their trust policies
 * come from GetAccountAuthorizationDetails (Role filter, 1,000 per page) — never one GetRole per role.
 * OIDC providers: one list call (it returns ARNs only), then one get per provider for its client ids.
 * Roles and providers fail independently: one failing still leaves the other collected.
 */
export async function collectIam(session: AccountSession): Promise<IamInventory> {
  const [roles, providers] = await Promise.all([collectRoles(session), collectProviders(session)]);
  return {
    roles: roles.roles,
    oidcProviders: providers.providers,
    errors: [...roles.errors, ...providers.errors],
  };
}

function iam(session: AccountSession) {
  return session.client('iam', globalRegionOf(session.run.caller.partition));
}

export async function collectRoles(
  session: AccountSession,
): Promise<{ roles: Role[]; errors: CoverageError[] }> {
  const roles: Role[] = [];
  const trustPolicies: TrustPolicyCache = new Map();
  const seenMarkers = new Set<string>();
  let marker: string | undefined;
  try {
    do {
      const page = await session.call('iam:GetAccountAuthorizationDetails', () =>
        iam(session).send(
          new GetAccountAuthorizationDetailsCommand({
            Filter: ['Role'],
            MaxItems: ROLES_PAGE,
            Marker: marker,
          }),
        ),
      );
      const details = page.RoleDetailList ?? [];
      for (let index = 0; index < details.length; index++) {
        const role = roleFromIamDetail(details[index], trustPolicies);
        if (role) roles.push(role);
        // Decoding and parsing a full page takes milliseconds; yield now and then so the run's other
        // requests (their timeouts, the Kubernetes reads) are not held up behind it.
        if (index % YIELD_EVERY === YIELD_EVERY - 1) await yieldToEventLoop();
      }
      if (!page.IsTruncated) break;
      if (!page.Marker)
        throw new PaginationError('iam:GetAccountAuthorizationDetails', 'truncated page without Marker');
      if (seenMarkers.has(page.Marker)) {
        throw new PaginationError(
          'iam:GetAccountAuthorizationDetails',
          'the service returned the same Marker twice',
        );
      }
      seenMarkers.add(page.Marker);
      marker = page.Marker;
    } while (marker);
    return { roles, errors: [] };
  } catch (error) {
    const failure = classifyAwsError(error);
    // Roles already read are dropped: a partial role list would make annotated roles look missing.
    return {
      roles: [],
      errors: [
        {
          scope: 'account',
          parts: ['iam-roles'],
          code: failure.code,
          message: `IAM roles could not be listed (iam:GetAccountAuthorizationDetails): ${failure.message}`,
        },
      ],
    };
  }
}

export async function collectProviders(
  session: AccountSession,
): Promise<{ providers: OidcProvider[]; errors: CoverageError[] }> {
  let arns: string[];
  try {
    const listed = await session.call('iam:ListOpenIDConnectProviders', () =>
      iam(session).send(new ListOpenIDConnectProvidersCommand({})),
    );
    arns = (listed.OpenIDConnectProviderList ?? [])
      .map((entry) => entry.Arn)
      .filter((arn): arn is string => !!arn);
  } catch (error) {
    const failure = classifyAwsError(error);
    return {
      providers: [],
      errors: [
        {
          scope: 'account',
          parts: ['oidc-providers'],
          code: failure.code,
          message: `IAM OIDC providers could not be listed (iam:ListOpenIDConnectProviders): ${failure.message}`,
        },
      ],
    };
  }
  const errors: CoverageError[] = [];
  const providers = await Promise.all(
    arns.map(async (arn): Promise<OidcProvider | undefined> => {
      try {
        const described = await session.call('iam:GetOpenIDConnectProvider', () =>
          iam(session).send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
        );
        return providerFromIam(arn, described);
      } catch (error) {
        const failure = classifyAwsError(error);
        if (failure.kind === 'not-found') return undefined; // deleted between the list and the get
        errors.push({
          scope: 'account',
          parts: ['oidc-providers'],
          code: failure.code,
          message: `IAM OIDC provider ${arn} could not be read (iam:GetOpenIDConnectProvider): ${failure.message}; its client ids are unknown`,
        });
        // It exists (the list said so): keep it, with the issuer from its ARN and no known audiences.
        return providerFromIam(arn, {});
      }
    }),
  );
  return {
    providers: providers.filter((provider): provider is OidcProvider => provider !== undefined),
    errors,
  };
}
