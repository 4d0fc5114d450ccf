import {accountAccessToken, type AccountContext, type ActingAccount, resolveAccount, resolveActingAccount} from '../auth/accounts.js';
import {impersonatedAccessToken, impersonationOf} from '../auth/credentials/impersonation.js';
import {metadataScopes} from '../auth/credentials/metadata.js';
import {DEFAULT_SCOPES, type TokenService} from '../auth/tokens/token-service.js';
import {GOOGLE_TOKEN_URL} from '../auth/tokens/transport.js';
import type {Properties} from '../config/resolver.js';
import {GIVEN_TOKEN_ORIGIN, isScopeInsufficient, TOKEN_SCOPES} from './api-error.js';
import {API_ROOTS, apiRootUrl, onRootUrl} from './endpoints.js';
import type {ArtifactRegistryApi} from './artifact-registry.js';
import type {IamApi} from './iam.js';
import type {IamCredentialsApi} from './iam-credentials.js';
import type {ResourceManagerApi} from './resource-manager.js';
import type {OrgPolicyApi} from './org-policy.js';
import type {ServiceUsageApi} from './service-usage.js';
import {createSession, type RequestAuth} from './session.js';

/** API clients built on first use, so a command loads only the googleapis package it calls. */
export interface ApiClients {
  /**
   * The account calls run as: the impersonated service account when impersonating, else `--account`, else
   * `core/account`, else (once a client was built on GCE) the VM's service account. @throws AuthError when none is set.
   */
  account(): string;
  iam(): Promise<IamApi>;
  resourceManager(): Promise<ResourceManagerApi>;
  /**
   * IAM Credentials, always called as the account's own credential (the impersonation source): `source` when
   * given (a command's ACCOUNT argument), else the acting account.
   */
  iamCredentials(source?: ActingAccount): Promise<IamCredentialsApi>;
  artifactRegistry(): Promise<ArtifactRegistryApi>;
  serviceUsage(): Promise<ServiceUsageApi>;
  orgPolicy(): Promise<OrgPolicyApi>;
}

/**
 * Wraps a session so a 403 for missing OAuth scopes carries the scopes the token has (the VM's, read from the
 * metadata server, or the ones gcauth asked for), for the message toApiError builds.
 */
function withTokenScopes(auth: RequestAuth, scopes: () => Promise<string[] | undefined>): RequestAuth {
  return {
    async request(options) {
      try {
        return await auth.request(options);
      } catch (error) {
        if (isScopeInsufficient(error) && error && typeof error === 'object') {
          const held = await scopes().catch(() => undefined);
          if (held) Object.assign(error, {[TOKEN_SCOPES]: held});
        }
        throw error;
      }
    },
  };
}

/** Wraps a session whose bearer is a given token so its failures say where the token came from, as gcloud's do. */
function withGivenToken(auth: RequestAuth, origin: string | undefined): RequestAuth {
  if (origin === undefined) return auth;
  return {
    async request(options) {
      try {
        return await auth.request(options);
      } catch (error) {
        if (error && typeof error === 'object') Object.assign(error, {[GIVEN_TOKEN_ORIGIN]: origin});
        throw error;
      }
    },
  };
}

/**
 * The API clients of a context; each is created once. `as`, when given, is who every call runs as instead of the
 * acting account and any impersonation (doctor's Application Default Credentials, which the Docker helper uses as they are).
 */
export function createApiClients(ctx: AccountContext & {tokens: TokenService; props: Properties}, as?: ActingAccount): ApiClients {
  let acting: Promise<ActingAccount> | undefined;
  let resolved: ActingAccount | undefined;
  const source = () => (acting ??= (as ? Promise.resolve(as) : resolveActingAccount(ctx)).then((a) => (resolved = a)));
  const impersonation = () => (as ? undefined : impersonationOf(ctx.props));
  const account = () => impersonation()?.target ?? resolved?.account ?? as?.account ?? resolveAccount(ctx);
  const heldScopes = (who: ActingAccount) => async () => (who.given ? undefined : who.metadata ? metadataScopes(ctx) : DEFAULT_SCOPES);
  const sessionOf = async (who: ActingAccount) =>
    withGivenToken(
      withTokenScopes(
        await createSession({
          account: who.account,
          tokens: ctx.tokens,
          log: ctx.log,
          network: ctx.network,
          tokenUrl: GOOGLE_TOKEN_URL,
          accessToken: () => accountAccessToken(ctx, who),
        }),
        heldScopes(who),
      ),
      who.given?.origin,
    );
  let sourceSession: Promise<RequestAuth> | undefined;
  let session: Promise<RequestAuth> | undefined;
  const sourceAuth = (who?: ActingAccount) => (sourceSession ??= (async () => sessionOf(who ?? (await source())))());
  // With impersonation every other API is called with the target's token, minted (and cached) through IAM Credentials.
  const auth = () =>
    (session ??= (async () => {
      const from = await source();
      const chain = impersonation();
      if (!chain) return sourceAuth(from);
      const deps = {tokens: ctx.tokens, log: ctx.log, iamCredentials: () => clients.iamCredentials(from)};
      return withTokenScopes(
        await createSession({
          account: chain.target,
          tokens: ctx.tokens,
          log: ctx.log,
          network: ctx.network,
          tokenUrl: GOOGLE_TOKEN_URL,
          accessToken: () => impersonatedAccessToken(deps, from.account, chain, {scopes: DEFAULT_SCOPES}),
        }),
        async () => DEFAULT_SCOPES,
      );
    })());
  let iam: Promise<IamApi> | undefined;
  let crm: Promise<ResourceManagerApi> | undefined;
  let iamCredentials: Promise<IamCredentialsApi> | undefined;
  let artifactRegistry: Promise<ArtifactRegistryApi> | undefined;
  let serviceUsage: Promise<ServiceUsageApi> | undefined;
  let orgPolicy: Promise<OrgPolicyApi> | undefined;
  const clients: ApiClients = {
    account,
    iam: () =>
      (iam ??= (async () => {
        const [{IamApi}, session] = await Promise.all([import('./iam.js'), auth()]);
        return IamApi.create(API_ROOTS.iam, onRootUrl(session, 'iam', apiRootUrl(ctx.props, 'iam')), account());
      })()),
    resourceManager: () =>
      (crm ??= (async () => {
        const [{ResourceManagerApi}, session] = await Promise.all([import('./resource-manager.js'), auth()]);
        return ResourceManagerApi.create(API_ROOTS.cloudresourcemanager, onRootUrl(session, 'cloudresourcemanager', apiRootUrl(ctx.props, 'cloudresourcemanager')), account());
      })()),
    iamCredentials: (given?: ActingAccount) =>
      (iamCredentials ??= (async () => {
        const who = given ?? (await source());
        const [{IamCredentialsApi}, session] = await Promise.all([import('./iam-credentials.js'), given ? sessionOf(given) : sourceAuth(who)]);
        return IamCredentialsApi.create(API_ROOTS.iamcredentials, onRootUrl(session, 'iamcredentials', apiRootUrl(ctx.props, 'iamcredentials')), who.account);
      })()),
    artifactRegistry: () =>
      (artifactRegistry ??= (async () => {
        const {ArtifactRegistryApi} = await import('./artifact-registry.js');
        return new ArtifactRegistryApi(apiRootUrl(ctx.props, 'artifactregistry'), await auth(), account());
      })()),
    serviceUsage: () =>
      (serviceUsage ??= (async () => {
        const {ServiceUsageApi} = await import('./service-usage.js');
        return new ServiceUsageApi(apiRootUrl(ctx.props, 'serviceusage'), await auth(), account());
      })()),
    orgPolicy: () =>
      (orgPolicy ??= (async () => {
        const {OrgPolicyApi} = await import('./org-policy.js');
        return new OrgPolicyApi(apiRootUrl(ctx.props, 'orgpolicy'), await auth(), account());
      })()),
  };
  return clients;
}
