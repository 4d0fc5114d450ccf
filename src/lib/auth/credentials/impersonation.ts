/**
 * Service-account impersonation: `--impersonate-service-account` / `auth/impersonate_service_account` names a
 * target (and delegates), and every token gcauth uses becomes one minted for the target by IAM Credentials,
 * paid for with the source account's own (cached) token. Impersonated tokens live in the same cache as the
 * source's, under the source's name (so revoking the source drops them) and a variant naming the target,
 * with the same single-flight refresh.
 */
import type {IamCredentialsApi, ImpersonationChain} from '../../api/iam-credentials.js';
import type {Properties} from '../../config/resolver.js';
import {UsageError} from '../../errors.js';
import type {Logger} from '../../log.js';
import type {CachedToken, TokenKey} from '../../store/token-cache.js';
import {durationSeconds} from '../../validators.js';
import {expiryOr} from '../tokens/expiry.js';
import type {TokenService} from '../tokens/token-service.js';

export type {ImpersonationChain};

export const IMPERSONATION_PROPERTY = 'auth/impersonate_service_account';

/** generateAccessToken's default lifetime, and the longest it grants (12 hours). */
export const DEFAULT_LIFETIME_SECONDS = 3600;
export const MAX_LIFETIME_SECONDS = 43_200;

/** gcloud's reading of the list: the last email is the target, the ones before it the delegation chain. */
export function parseImpersonation(value: string): ImpersonationChain {
  const emails = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const target = emails.pop();
  if (!target) throw new UsageError(`Invalid value for [--impersonate-service-account]: ${JSON.stringify(value)}: expected a service-account email.`);
  return {target, delegates: emails};
}

/** The chain to impersonate for this invocation (flag, environment or configuration), if any. */
export function impersonationOf(props: Pick<Properties, 'get'>): ImpersonationChain | undefined {
  const value = props.get(IMPERSONATION_PROPERTY);
  return value ? parseImpersonation(value) : undefined;
}

/**
 * Seconds from `--lifetime`: a duration (seconds, or with s, m, h: validators.ts); only with impersonation; at most 12 hours.
 * @throws UsageError in gcloud's words.
 */
export function parseLifetime(value: string | undefined, impersonating: boolean): number {
  if (value === undefined) return DEFAULT_LIFETIME_SECONDS;
  if (!impersonating) {
    throw new UsageError(
      'Invalid value for [--lifetime]: Lifetime flag is for service account impersonation only. It must be used together with the --impersonate-service-account flag.',
    );
  }
  const seconds = durationSeconds(value) ?? Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds < 1 || seconds > MAX_LIFETIME_SECONDS) {
    throw new UsageError(
      `Invalid value for [--lifetime]: ${JSON.stringify(value)}: expected seconds from 1 to ${MAX_LIFETIME_SECONDS} (12 hours), e.g. 3600, 600s, 30m or 12h.`,
    );
  }
  return seconds;
}

const chainText = (chain: ImpersonationChain) => [...chain.delegates, chain.target].join(',');

/** Cache key of the target's access token minted through the source (scopes and lifetime are part of it). */
export function impersonatedTokenKey(source: string, chain: ImpersonationChain, scopes: string[], lifetimeSeconds: number): TokenKey {
  return {account: source, scopes, variant: `impersonated ${chainText(chain)} lifetime=${lifetimeSeconds}s`};
}

/** Cache key of the target's id token minted through the source. */
export function impersonatedIdTokenKey(source: string, chain: ImpersonationChain, audience: string, includeEmail: boolean): TokenKey {
  return {account: source, scopes: [], variant: `impersonated ${chainText(chain)} id_token aud=${audience} email=${includeEmail}`};
}

export interface ImpersonationDeps {
  tokens: TokenService;
  log: Logger;
  /** The IAM Credentials client, authenticated as the source. */
  iamCredentials: () => Promise<IamCredentialsApi>;
}

const warned = new WeakSet<Logger>();

/** gcloud's warning, once per invocation. */
export function warnImpersonation(log: Logger, chain: ImpersonationChain): void {
  if (warned.has(log)) return;
  warned.add(log);
  log.warn(`This command is using service account impersonation. All API calls will be executed as [${chain.target}].`);
}

/**
 * The target's access token: cached while fresh, else minted once (single-flight) by generateAccessToken.
 * @throws PermissionDeniedError when the source may not mint it; AuthError/ApiError for the source's own token.
 */
export function impersonatedAccessToken(
  deps: ImpersonationDeps,
  source: string,
  chain: ImpersonationChain,
  options: {scopes: string[]; lifetimeSeconds?: number},
): Promise<CachedToken> {
  const lifetime = options.lifetimeSeconds ?? DEFAULT_LIFETIME_SECONDS;
  warnImpersonation(deps.log, chain);
  return deps.tokens.cachedOrMinted(impersonatedTokenKey(source, chain, options.scopes, lifetime), async () =>
    (await deps.iamCredentials()).generateAccessToken(chain, options.scopes, lifetime),
  );
}

/** The target's id token for audience, cached like an access token. @throws as impersonatedAccessToken. */
export function impersonatedIdToken(
  deps: ImpersonationDeps & {now: () => number},
  source: string,
  chain: ImpersonationChain,
  options: {audience: string; includeEmail: boolean},
): Promise<CachedToken> {
  warnImpersonation(deps.log, chain);
  return deps.tokens.cachedOrMinted(impersonatedIdTokenKey(source, chain, options.audience, options.includeEmail), async () => {
    const token = await (await deps.iamCredentials()).generateIdToken(chain, options.audience, options.includeEmail);
    const {jwtExpiry} = await import('./service-account-id-token.js');
    return {token, expiry: expiryOr(jwtExpiry(token), deps.now)};
  });
}
