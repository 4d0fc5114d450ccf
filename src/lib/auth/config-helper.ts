/**
 * `config config-helper`: gcloud's entry point for other tools (kubectl's gke-gcloud-auth-plugin runs it with
 * `--format=json`, docker-credential-gcr with `--force-auth-refresh --format=value(credential.access_token)`): the
 * active configuration, the properties in effect, and the acting credential's tokens, in gcloud's shape and key order.
 */
import path from 'node:path';

import {listProperties, type PropertyListing} from '../config/listing.js';
import {CONFIG_SENTINEL_FILE} from '../config/paths.js';
import {type AppContext, withFreshness} from '../context.js';
import {UsageError} from '../errors.js';
import {durationSeconds} from '../validators.js';
import {accountTokens, actingAccessToken, NoIdTokenError, resolveActingAccount} from './accounts.js';
import {impersonationOf} from './credentials/impersonation.js';
import type {CachedToken} from '../store/token-cache.js';
import {type Freshness, MIN_REMAINING_MS} from './tokens/token-service.js';

export interface ConfigHelperOptions {
  /** Mint new tokens even when the cached ones are fresh. */
  forceAuthRefresh: boolean;
  /** `--min-expiry`: refresh tokens with less than this left (0s to 1h; gcauth's five minutes hold anyway). */
  minExpiry?: string;
}

/** gcloud's ConfigHelperResult, keys in the order gcloud prints them (sorted). */
export interface ConfigHelperResult {
  configuration: {active_configuration: string; properties: PropertyListing};
  credential: {
    access_token: string;
    /** The credential's own id token (default audience), null where it has none: impersonation, a given token, an STS-only external account. */
    id_token: string | null;
    /** `%Y-%m-%dT%H:%M:%SZ`, null when unknown (a given token). */
    token_expiry: string | null;
  };
  sentinels: {config_sentinel: string};
}

const MAX_MIN_EXPIRY_S = 3600;

/** gcloud's token_expiry: UTC to the second, no fraction. */
export const helperExpiry = (token: CachedToken): string | null =>
  Number.isFinite(token.expiry) ? new Date(token.expiry).toISOString().replace(/\.\d+Z$/, 'Z') : null;

/** @throws UsageError for a --min-expiry that is not a duration from 0s to 1h. */
function minExpiryMs(value: string | undefined): number {
  if (value === undefined) return 0;
  const seconds = durationSeconds(value);
  if (seconds === undefined || seconds < 0 || seconds > MAX_MIN_EXPIRY_S) {
    throw new UsageError(`Invalid value for [--min-expiry]: ${JSON.stringify(value)}: expected a duration from 0s to 1h (such as 10m or 600s).`);
  }
  return seconds * 1000;
}

/**
 * The configuration and the acting credential's tokens, from the cache while fresh (more than five minutes, or
 * --min-expiry, left); with forceAuthRefresh, tokens minted no earlier than this call, through the token service's
 * single-flight lock (a token another process minted meanwhile serves).
 * @throws UsageError for a bad --min-expiry or property; AuthError, ApiError as print-access-token.
 */
export async function configHelper(options: ConfigHelperOptions, ctx: AppContext): Promise<ConfigHelperResult> {
  const fresh: Freshness = {minRemainingMs: Math.max(MIN_REMAINING_MS, minExpiryMs(options.minExpiry))};
  if (options.forceAuthRefresh) fresh.issuedAfter = ctx.now();
  const properties = await listProperties({all: false}, ctx);
  const acting = await resolveActingAccount(ctx);
  const served = withFreshness(ctx, fresh);
  const access = await actingAccessToken(served, acting);
  // gcloud gives an impersonated credential no id token here.
  const id = impersonationOf(ctx.props) ? undefined : await ownIdToken(served, acting);
  return {
    configuration: {active_configuration: ctx.props.configuration, properties},
    credential: {access_token: access.token, id_token: id?.token ?? null, token_expiry: helperExpiry(access)},
    sentinels: {config_sentinel: path.join(ctx.paths.configDir, CONFIG_SENTINEL_FILE)},
  };
}

async function ownIdToken(ctx: AppContext, acting: Awaited<ReturnType<typeof resolveActingAccount>>): Promise<CachedToken | undefined> {
  try {
    return await accountTokens(ctx, acting).idToken(undefined);
  } catch (error) {
    if (error instanceof NoIdTokenError) return undefined;
    throw error;
  }
}
