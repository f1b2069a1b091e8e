/** The prod account's OIDC providers as its IRSA roles name them, and the variant being built. */
import type { OidcProviderRef } from '../../shapes/trust-policies';
import type { AccountBuilder } from '../account-builder';

export interface ProdContext {
  prod: AccountBuilder;
  use1: OidcProviderRef;
  /** prod-use1-blue's provider: it outlived its cluster (2025 blue/green cut-over). */
  blue: OidcProviderRef;
  /** prod-euw1's original provider, which the IRSA roles keep naming even after the re-creation. */
  euw1: OidcProviderRef;
  /** The `changed` variant: prod-euw1 re-created, loki's annotation dropped, payments-api fixed. */
  recreated: boolean;
}
