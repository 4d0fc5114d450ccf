/** Counters served by `GET /__admin/stats`; tests assert on these instead of scraping logs. */
export interface EmulatorStats {
  /** Every non-admin request, faulted or not. */
  total: number;
  /**
   * Keyed `"<METHOD> <route pattern>"`: the OAuth routes by their Hono pattern (`"POST /token"`), each IAM and
   * Resource Manager method by its row of the dispatch table (routes.ts), the API prefix followed by Google's
   * path template with `{project}`, `{account}` (email or uniqueId) and `{key}` for the variable segments and
   * the `:verb` kept, e.g. `"POST /cloudresourcemanager/v1/projects/{project}:setIamPolicy"`,
   * `"POST /iam/v1/projects/{project}/serviceAccounts/{account}/keys"`. A request refused before its handler
   * (401, 403, an injected fault) still counts under its method. The registry front counts as `"GET /v2/"`
   * (`"HEAD /v2/"`), `"GET /v2/token"` and `"POST /v2/token"`; the consent page as `"GET /o/oauth2/v2/auth"` (or
   * `"GET /o/oauth2/auth"`) and its form as `"POST /o/oauth2/v2/auth/decision"`; IAM Credentials like IAM, e.g.
   * `"POST /iamcredentials/v1/projects/{project}/serviceAccounts/{account}:generateAccessToken"`. Unmatched paths
   * count as `"<METHOD> (unmatched)"`.
   */
  byRoute: Record<string, number>;
  /** Keyed by HTTP status, as a string. */
  byStatus: Record<string, number>;
  /**
   * jwt-bearer grants that reached the token handler, by what they asked for (issued or not); `metadata` and
   * `metadataIdentity` count requests for the metadata server's `.../token` and `.../identity` (answered or not).
   */
  tokenRequests: {accessToken: number; idToken: number; unsupportedGrant: number; metadata: number; metadataIdentity: number};
  /** User grants that reached the token handler (`authorizationCode`, `refreshToken`, issued or not) and access tokens they issued. */
  userGrants: {authorizationCode: number; refreshToken: number; issued: number};
  /** Tokens actually handed out for jwt-bearer grants, and minted by the metadata server (a reused token is not counted again). */
  tokensIssued: {accessToken: number; idToken: number; metadata: number; metadataIdentity: number};
  /**
   * The `aud` of each jwt-bearer assertion the token endpoint accepted, counted: Google's token URLs and the
   * emulator's own `{url}/token` are all accepted, so this is how a test tells which one a client signed for.
   */
  assertionAudiences: Record<string, number>;
  /** Token requests refused with an OAuth error. */
  tokenErrors: number;
  /**
   * Requests that reached the registry front's token handler (`GET|POST /v2/token`, counted in byRoute as well):
   * registry tokens handed out, and requests refused (bad credentials 401, bad service, scope or grant 400).
   */
  registryTokens: {issued: number; refused: number};
  /** Answers replaced by an injected 503/429. */
  faultsInjected: number;
}

/** A zeroed set of counters. */
export function emptyStats(): EmulatorStats {
  return {
    total: 0,
    byRoute: {},
    byStatus: {},
    tokenRequests: {accessToken: 0, idToken: 0, unsupportedGrant: 0, metadata: 0, metadataIdentity: 0},
    userGrants: {authorizationCode: 0, refreshToken: 0, issued: 0},
    tokensIssued: {accessToken: 0, idToken: 0, metadata: 0, metadataIdentity: 0},
    assertionAudiences: {},
    tokenErrors: 0,
    registryTokens: {issued: 0, refused: 0},
    faultsInjected: 0,
  };
}

/** Increments `record[key]`, creating it at zero. */
export function bump(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}
