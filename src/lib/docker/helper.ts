/**
 * What docker-credential-gcauth answers: Google access tokens for Google's registry hosts and the hosts the
 * user listed in `docker/registries`, and "not found" for every other host, so no Google token ever goes to a
 * registry that is not Google's or the user's choice.
 */
import path from 'node:path';

import {accountAccessToken, givenActing, METADATA_ACCOUNT_ALIAS} from '../auth/accounts.js';
import {adcAccessToken, findAdcSource, wellKnownAdcFile} from '../auth/adc/read.js';
import {impersonatedAccessToken, impersonationOf} from '../auth/credentials/impersonation.js';
import {metadataAccessToken, metadataEmail, NoMetadataServerError} from '../auth/credentials/metadata.js';
import {DEFAULT_SCOPES} from '../auth/tokens/token-service.js';
import type {CachedToken} from '../store/token-cache.js';
import {type AppContext, withFreshness} from '../context.js';
import {asClause, FIX} from '../messages.js';
import {DEFAULT_MIN_TOKEN_LIFETIME, durationSeconds} from '../validators.js';
import {CredentialsNotFoundError, type HelperBackend, type HelperCredentials} from './credential-helper.js';
import {credHelpersOf, dockerConfigPath, readDockerConfig} from './docker-config.js';
import {type FastAnswerProbe, renderFastAnswer} from './fast-answer.js';
import {isGoogleRegistryHost} from './registries.js';
import {registryHost, splitHostList} from './server-url.js';
import {DEFAULT_TOKEN_SOURCES, parseTokenSources, type TokenSourceName} from './token-sources.js';

/** The credHelpers value that sends a host to docker-credential-gcauth (the sh fast path, else Node). */
export const HELPER_NAME = 'gcauth';
/** The executable Docker runs for HELPER_NAME. */
export const HELPER_BIN = `docker-credential-${HELPER_NAME}`;
/**
 * The credHelpers value configure-docker writes on Windows. npm installs every bin there as .cmd/.ps1 shims that run
 * the file's shebang program: docker-credential-gcauth's is /bin/sh, which Windows lacks, so Docker is sent to
 * docker-credential-gcauth-node, the package's bin for the Node helper itself (a node shebang). It is gcauth's on
 * every platform (POSIX installs it too), so either name counts as gcauth's entry.
 */
export const NODE_HELPER_NAME = 'gcauth-node';

/** The credHelpers value that sends a host to gcauth on `platform`. */
export const helperNameFor = (platform: NodeJS.Platform): string => (platform === 'win32' ? NODE_HELPER_NAME : HELPER_NAME);

/** The executable Docker runs on `platform` for a host configure-docker sends to gcauth. */
export const helperBinFor = (platform: NodeJS.Platform): string => `docker-credential-${helperNameFor(platform)}`;

/** True for a credHelpers value that names gcauth (either of its helpers). */
export const isGcauthHelper = (name: string | undefined): boolean => name === HELPER_NAME || name === NODE_HELPER_NAME;
/** The username registries expect with an OAuth2 access token as the password. */
export const TOKEN_USERNAME = 'oauth2accesstoken';

/** The extra hosts of `docker/registries`. @throws UsageError for an invalid value. */
export function extraRegistries(ctx: Pick<AppContext, 'props'>): string[] {
  return splitHostList(ctx.props.get('docker/registries') ?? '');
}

/** True when the helper may hand a Google token to `host` (normalised). */
export function servesHost(host: string, extra: readonly string[]): boolean {
  return isGoogleRegistryHost(host) || extra.includes(host);
}

/**
 * The host (normalised) of a server URL the helper serves, else undefined: the one rule `get` and `list` follow.
 * docker/registries is read only for a host that is not Google's.
 * @throws UsageError for an invalid docker/registries.
 */
export function servedHost(serverUrl: string, ctx: Pick<AppContext, 'props'>): string | undefined {
  const host = registryHost(serverUrl);
  return servesHost(host, isGoogleRegistryHost(host) ? [] : extraRegistries(ctx)) ? host : undefined;
}

/** Why a token source had nothing to offer, and what would give it something. */
export interface Nothing {
  why: string;
  /** The command that configures the source, if there is one. */
  fix?: string;
}

type SourceAnswer = {token: CachedToken} | {nothing: Nothing};

/** One source of the walk that had nothing: which, why, and the command that sets it up. */
export type SourceMiss = Nothing & {source: TokenSourceName};

/**
 * The walk over `docker/token_source`: the token of the first source that has credentials (with the sources tried
 * before it), or, when none has any, what each source lacked. Modules that report a miss (the helper's stderr line,
 * `gcauth doctor`) take this structure and word it with describeMisses.
 */
export type TokenSourceWalk = {token: CachedToken; source: TokenSourceName; tried: TokenSourceName[]} | {token?: undefined; misses: SourceMiss[]};

/** A message as a clause inside the hint: no leading capital (unless an acronym or a name), no final period. */
const sentenceCase = (message: string) => asClause(message).replace(/^([A-Z])(?=[a-z])/, (c) => c.toLowerCase());

/** `~/...` for a path under the home directory, as a user would type it. */
function shortPath(file: string, homeDir: string): string {
  return homeDir && file.startsWith(`${homeDir}${path.sep}`) ? `~${file.slice(homeDir.length)}` : file;
}

/**
 * Each source answers a token, or says it has nothing (it is not configured here). Credentials that exist but
 * fail throw: the user meant to authenticate, so Docker must stop rather than go on anonymously.
 */
const SOURCES: Record<TokenSourceName, (ctx: AppContext) => Promise<SourceAnswer>> = {
  async gcauth(ctx) {
    // A token handed to gcauth serves Docker as it serves every command (docker-credential-gcloud, being gcloud, does so
    // too), as given: Docker's min_token_lifetime cannot be applied to a token whose expiry is unknown.
    const given = givenActing(ctx);
    if (given) return {token: await accountAccessToken(ctx, given)};
    const account = ctx.props.get('core/account');
    if (!account) return {nothing: {why: 'no active account', fix: `${FIX.login()}, or ${FIX.activateKey()}`}};
    // `default`, or the VM's own email with nothing stored for it, is served by the metadata server, as in gcloud.
    const acting = {account: account === METADATA_ACCOUNT_ALIAS ? await metadataEmail(ctx) : account, metadata: account === METADATA_ACCOUNT_ALIAS};
    const chain = impersonationOf(ctx.props);
    if (chain) {
      // As gcloud's helper: with impersonation configured, registries get the target's token.
      const deps = {tokens: ctx.tokens, log: ctx.log, iamCredentials: () => ctx.api.iamCredentials(acting)};
      return {token: await impersonatedAccessToken(deps, acting.account, chain, {scopes: DEFAULT_SCOPES})};
    }
    return {token: await accountAccessToken(ctx, acting)};
  },

  // Only a file counts here: ADC's last resort, the metadata server, is the `metadata` source, in its own place.
  async adc(ctx) {
    const source = await findAdcSource(ctx);
    if (!source.file) {
      const file = shortPath(wellKnownAdcFile(ctx.env, ctx.homeDir, ctx.platform), ctx.homeDir);
      return {nothing: {why: `no GOOGLE_APPLICATION_CREDENTIALS and no ${file}`, fix: FIX.adcLogin}};
    }
    return {token: await adcAccessToken(ctx)};
  },

  async metadata(ctx) {
    try {
      return {token: await metadataAccessToken(ctx)};
    } catch (error) {
      if (error instanceof NoMetadataServerError) return {nothing: {why: sentenceCase(error.message)}};
      throw error;
    }
  },
};

/**
 * `docker/min_token_lifetime` in ms: what a token handed to Docker must still have left, since a long `docker push`
 * started with a nearly expired token fails halfway with a 401. @throws UsageError for an invalid value.
 */
export function minTokenLifetimeMs(ctx: Pick<AppContext, 'props'>): number {
  return durationSeconds(ctx.props.get('docker/min_token_lifetime') ?? DEFAULT_MIN_TOKEN_LIFETIME)! * 1000;
}

/** The sources of `docker/token_source` (or GCAUTH_DOCKER_TOKEN_SOURCE), in order. @throws UsageError for an invalid value. */
export function tokenSources(ctx: Pick<AppContext, 'props'>): TokenSourceName[] {
  return parseTokenSources(ctx.props.get('docker/token_source') ?? DEFAULT_TOKEN_SOURCES);
}

/**
 * A token from the first source of `docker/token_source` that has credentials. When none has any, "not found",
 * so Docker goes on anonymously (public images still pull), with one line on stderr naming each source tried,
 * why it had nothing and how to configure it.
 * @throws CredentialsNotFoundError when no source has credentials; AuthError, ApiError or UsageError from the first that has.
 */
async function helperToken(ctx: AppContext, host: string, minRemainingMs: number): Promise<{token: CachedToken; source: TokenSourceName; tried: TokenSourceName[]}> {
  const walk = await walkTokenSources(ctx, minRemainingMs);
  if (walk.token === undefined) {
    throw new CredentialsNotFoundError(`${HELPER_BIN}: no credentials for ${host}, so Docker goes on without them. Tried ${describeMisses(walk.misses)}.`);
  }
  return walk;
}

/**
 * Which source of `docker/token_source` the helper uses: the first that has credentials (with the sources tried before
 * it), with its token or the error its credentials failed with; or, when none has any, what each source lacked. The
 * one walk the helper (walkTokenSources) and `gcauth doctor` (which checks the identity the helper would use) share.
 */
export type TokenSourcePick =
  | {source: TokenSourceName; tried: TokenSourceName[]; token: CachedToken; error?: undefined}
  | {source: TokenSourceName; tried: TokenSourceName[]; token?: undefined; error: unknown}
  | {source?: undefined; misses: SourceMiss[]};

/** See TokenSourcePick. @throws UsageError for an invalid docker/token_source. */
export async function pickTokenSource(ctx: AppContext, minRemainingMs = minTokenLifetimeMs(ctx)): Promise<TokenSourcePick> {
  const misses: SourceMiss[] = [];
  const docker = withFreshness(ctx, {minRemainingMs});
  for (const source of tokenSources(ctx)) {
    const tried = misses.map((m) => m.source);
    let answer: SourceAnswer;
    try {
      answer = await SOURCES[source](docker);
    } catch (error) {
      return {source, tried, error};
    }
    if ('token' in answer) return {source, tried, token: answer.token};
    misses.push({source, ...answer.nothing});
  }
  return {misses};
}

/**
 * Tries the sources of `docker/token_source` in order (see TokenSourceWalk).
 * @throws AuthError, ApiError or UsageError from the first source that has credentials that fail.
 */
export async function walkTokenSources(ctx: AppContext, minRemainingMs = minTokenLifetimeMs(ctx)): Promise<TokenSourceWalk> {
  const pick = await pickTokenSource(ctx, minRemainingMs);
  if (pick.source === undefined) return {misses: pick.misses};
  if (pick.token === undefined) throw pick.error;
  return {token: pick.token, source: pick.source, tried: pick.tried};
}

/** The misses of a walk in words, the one rendering: `gcauth (no active account; run: gcauth auth login, ...), adc (...)`. */
export function describeMisses(misses: readonly SourceMiss[]): string {
  return misses.map(({source, why, fix}) => `${source} (${why}${fix ? `; run: ${fix}` : ''})`).join(', ');
}

/**
 * The helper's answers, over a context built on first use (an invocation that needs none never reads config).
 * With `fast` (the sh fast path asked for it, see fast-answer.ts), a get that succeeds pre-renders its answer.
 */
export function gcauthHelperBackend(context: () => Promise<AppContext>, fast?: FastAnswerProbe): HelperBackend {
  return {
    async get(serverUrl): Promise<HelperCredentials> {
      const ctx = await context();
      const host = servedHost(serverUrl, ctx);
      if (!host) throw new CredentialsNotFoundError();
      const minRemainingMs = minTokenLifetimeMs(ctx);
      const {token, source, tried} = await helperToken(ctx, host, minRemainingMs);
      // The fast path's one hook: everything it needs is decided in fast-answer.ts.
      if (fast) {
        const extraHosts = extraRegistries(ctx);
        const impersonated = impersonationOf(ctx.props) !== undefined;
        const answer = {host, source, tried, token, minRemainingMs, username: TOKEN_USERNAME, extraHosts, impersonated};
        renderFastAnswer(fast, ctx, answer, (h) => servesHost(h, extraHosts));
      }
      return {username: TOKEN_USERNAME, secret: token.token};
    },

    // Only Docker's credsStore uses list; it must always be valid JSON, so what cannot be read is left out, and so is
    // every host get would refuse (a credHelpers entry naming gcauth for Docker Hub, say): list promises an answer.
    async list() {
      const ctx = await context();
      const candidates: string[] = [];
      try {
        const config = await readDockerConfig(dockerConfigPath(ctx.env, ctx.homeDir, ctx.platform));
        for (const [host, helper] of Object.entries(credHelpersOf(config.data))) if (isGcauthHelper(helper)) candidates.push(host);
      } catch {
        // An unreadable config.json lists nothing from it.
      }
      try {
        candidates.push(...extraRegistries(ctx));
      } catch {
        // An invalid docker/registries lists nothing from it; get reports it.
      }
      const hosts = new Set<string>();
      for (const candidate of candidates) {
        try {
          const host = servedHost(candidate, ctx);
          if (host) hosts.add(host);
        } catch {
          // A host that needs an invalid docker/registries: get reports the error rather than serving it.
        }
      }
      return Object.fromEntries([...hosts].map((host) => [`https://${host}`, TOKEN_USERNAME]));
    },
  };
}
