/** The shapes of what credentials.json keeps per account, one per credential type (the store re-exports them). */

/** A Google JSON service-account key, as downloaded from IAM. */
export interface ServiceAccountKey {
  type: 'service_account';
  client_email: string;
  private_key: string;
  private_key_id?: string;
  client_id?: string;
  project_id?: string;
  token_uri?: string;
  universe_domain?: string;
  [field: string]: unknown;
}

/** A service account's JSON key, as activated. */
export interface StoredServiceAccountCredential {
  type: 'service_account';
  account: string;
  key: ServiceAccountKey;
  /** ISO time the credential was stored. */
  addedAt: string;
}

/** A user's refresh token from `auth login`, with the OAuth client it was issued to. */
export interface StoredUserCredential {
  type: 'authorized_user';
  account: string;
  refreshToken: string;
  clientId: string;
  clientSecret: string;
  /** Token endpoint the refresh token was issued by (an explicit `auth/token_host` still wins). */
  tokenUri?: string;
  /** ISO time the credential was stored. */
  addedAt: string;
}

/** A Workload Identity Federation credential configuration (`gcloud iam workload-identity-pools create-cred-config`). */
export interface ExternalAccountConfig {
  type: 'external_account';
  audience: string;
  subject_token_type: string;
  token_url?: string;
  token_info_url?: string;
  credential_source: Record<string, unknown>;
  service_account_impersonation_url?: string;
  service_account_impersonation?: {token_lifetime_seconds?: number};
  universe_domain?: string;
  [field: string]: unknown;
}

/** An external account from `auth login --cred-file`: the whole configuration, kept as given (ADC can print it back). */
export interface StoredExternalAccountCredential {
  type: 'external_account';
  account: string;
  config: ExternalAccountConfig;
  /** The file it was read from (named in messages; the configuration is never read from it again). */
  file?: string;
  /** ISO time the credential was stored. */
  addedAt: string;
}

/** What the store keeps for one account. Schema 1 files written before user accounts hold only service accounts. */
export type StoredCredential = StoredServiceAccountCredential | StoredUserCredential | StoredExternalAccountCredential;
