/**
 * The credential-type interface: one module per kind of stored credential (service-account key, user refresh
 * token, external account), each owning how its entry is checked, how it mints access and id tokens, which token
 * URL it names, how a refusal is worded, how it is described and how it is revoked. The token service, `auth list`,
 * `auth revoke`, `print-identity-token`, login and the Docker helper ask the type; none switches on `credential.type`.
 * Type modules import google-auth-library only inside their mint functions, so the cached path loads none of it.
 */
import type {CachedToken} from '../../store/token-cache.js';
import type {StoredCredential} from './stored.js';
import type {TokenEndpointError} from '../tokens/token-endpoint-error.js';
import type {MintedToken, MintOptions} from './service-account-refresher.js';

export type {MintedToken, MintOptions};

/** What revoking a credential at its issuer came to: a warning for the user when it could not be done there. */
export interface RevokeOutcome {
  warning?: string;
}

/** What reading a credential file needs of the context (spelt out: the token service's module imports this one's). */
export interface CredFileContext {
  /** `auth/token_host` when set explicitly. */
  explicitTokenUrl(): string | undefined;
  log: MintOptions['log'];
  network: MintOptions['network'];
  now: () => number;
  env: Record<string, string | undefined>;
}

/** A credential file (`auth login --cred-file`), read and parsed as JSON. */
export interface CredFile {
  /** How to name it in messages: the path as given. */
  file: string;
  text: string;
  data: Record<string, unknown>;
  /** ACCOUNT, when given on the command line. */
  account?: string;
}

/** One kind of stored credential. `C` is its stored shape. */
export interface CredentialType<C extends StoredCredential = StoredCredential> {
  readonly type: C['type'];
  /** What is wrong with a stored entry of this type (account and addedAt already checked), in words, or undefined. */
  entryProblem(entry: Record<string, unknown>): string | undefined;
  /** The token endpoint the credential names itself (an explicit `auth/token_host` still wins), if any. */
  ownTokenUrl(credential: C): string | undefined;
  /** Whether an explicit `auth/token_host` redirects this credential's token requests (not an STS exchange's). */
  readonly followsTokenHost: boolean;
  /** One access token. @throws TokenEndpointError classified for retry; AuthError/UsageError for what no retry mends. */
  mintAccessToken(credential: C, scopes: string[], options: MintOptions): Promise<MintedToken>;
  /**
   * The audience an id token of this credential carries for the requested one (undefined: the default).
   * @throws UsageError when this credential cannot give one for that audience (or at all), saying why.
   */
  idTokenAudience(credential: C, requested: string | undefined, defaultAudience: string): string;
  /** One id token for audience. @throws as mintAccessToken. */
  mintIdToken(credential: C, audience: string, options: MintOptions): Promise<MintedToken>;
  /** The error for a definite refusal of an access token (an OAuth error, not transient), in this type's words. */
  describeRefusal(error: TokenEndpointError, credential: C): Error;
  /** The same, for an id token. */
  describeIdTokenRefusal(error: TokenEndpointError, credential: C): Error;
  /** What the credential is, in a few words (`service-account key`, `user login`, `external account (...)`). */
  describe(credential: C): string;
  /** The JSON of an Application Default Credentials file for it (`auth login --update-adc`). */
  adcJson(credential: C): Record<string, unknown>;
  /** Revokes it at its issuer (where it can be) before it is removed locally. Never throws. */
  revoke(credential: C, options: {tokenUrl: string; log: MintOptions['log']; network: MintOptions['network']}): Promise<RevokeOutcome>;
}

/** What a credential file gave: its credential, and the access token minted to name it (of DEFAULT_SCOPES), if one was. */
export interface ReadCredential<C extends StoredCredential = StoredCredential> {
  credential: C;
  /** Kept in the token cache once the credential is stored, so the next command does not mint again. */
  token?: MintedToken;
}

/**
 * Reads the credential in a file of one type, checked and named as gcloud names it (which may ask its issuer); stores
 * nothing. Kept beside each type's module but apart from it, so the cached path loads no file reader (node:crypto).
 * @throws UsageError saying what is wrong with the file; AuthError/ApiError when naming it needed a token that was refused.
 */
export type CredentialFileReader<C extends StoredCredential = StoredCredential> = (file: CredFile, ctx: CredFileContext) => Promise<ReadCredential<C>>;

/**
 * Where an acting account's tokens come from, whatever it is: a stored credential (through the token service and its
 * CredentialType), the metadata server (metadata.ts) or an access token handed in (given-token.ts). accounts.ts `accountTokens` picks one; every command that needs
 * an account's access or id token asks it, never a source directly.
 */
export interface TokenSource {
  /** @throws AuthError for unknown accounts or refused credentials; NoMetadataServerError; ApiError. */
  accessToken(scopes?: string[]): Promise<CachedToken>;
  /**
   * An id token for audience (undefined: the source's default).
   * @throws as accessToken; NoIdTokenError (accounts.ts) when the credential has none (a given access token, an
   *   external account without impersonation).
   */
  idToken(audience: string | undefined): Promise<CachedToken>;
}
