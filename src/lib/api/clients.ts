import {resolveAccount} from '../auth/accounts.js';
import {impersonatedAccessToken, impersonationOf} from '../auth/impersonation.js';
import {DEFAULT_SCOPES} from '../auth/token-service.js';
import {GOOGLE_TOKEN_URL} from '../auth/transport.js';
import type {AppContext} from '../context.js';
import {API_ROOTS, apiRootUrl, onRootUrl} from './endpoints.js';
import type {ArtifactRegistryApi} from './artifact-registry.js';
import type {IamApi} from './iam.js';
import type {IamCredentialsApi} from './iam-credentials.js';
import type {ResourceManagerApi} from './resource-manager.js';
import {createSession, type RequestAuth} from './session.js';

/** API clients built on first use, so a command loads only the googleapis package it calls. */
export interface ApiClients {
  /**
   * The account calls run as: the impersonated service account when impersonating, else `--account`, else
   * `core/account`. @throws AuthError when none is set.
   */
  account(): string;
  iam(): Promise<IamApi>;
  resourceManager(): Promise<ResourceManagerApi>;
  /** IAM Credentials, always called as the account's own credential (the impersonation source). */
  iamCredentials(): Promise<IamCredentialsApi>;
  artifactRegistry(): Promise<ArtifactRegistryApi>;
}

/** The API clients of a context; each is created once. */
export function createApiClients(ctx: Pick<AppContext, 'props' | 'tokens' | 'log'>): ApiClients {
  const source = () => resolveAccount(ctx);
  const account = () => impersonationOf(ctx.props)?.target ?? source();
  let sourceSession: Promise<RequestAuth> | undefined;
  let session: Promise<RequestAuth> | undefined;
  const sourceAuth = () => (sourceSession ??= createSession({account: source(), tokens: ctx.tokens, log: ctx.log, tokenUrl: GOOGLE_TOKEN_URL}));
  // With impersonation every other API is called with the target's token, minted (and cached) through IAM Credentials.
  const auth = () =>
    (session ??= (() => {
      const chain = impersonationOf(ctx.props);
      if (!chain) return sourceAuth();
      const from = source();
      const deps = {tokens: ctx.tokens, log: ctx.log, iamCredentials: () => clients.iamCredentials()};
      return createSession({
        account: chain.target,
        tokens: ctx.tokens,
        log: ctx.log,
        tokenUrl: GOOGLE_TOKEN_URL,
        accessToken: () => impersonatedAccessToken(deps, from, chain, {scopes: DEFAULT_SCOPES}),
      });
    })());
  let iam: Promise<IamApi> | undefined;
  let crm: Promise<ResourceManagerApi> | undefined;
  let iamCredentials: Promise<IamCredentialsApi> | undefined;
  let artifactRegistry: Promise<ArtifactRegistryApi> | undefined;
  const clients: ApiClients = {
    account,
    iam: () =>
      (iam ??= (async () => {
        const {IamApi} = await import('./iam.js');
        return IamApi.create(API_ROOTS.iam, onRootUrl(await auth(), 'iam', apiRootUrl(ctx.props, 'iam')), account());
      })()),
    resourceManager: () =>
      (crm ??= (async () => {
        const {ResourceManagerApi} = await import('./resource-manager.js');
        return ResourceManagerApi.create(
          API_ROOTS.cloudresourcemanager,
          onRootUrl(await auth(), 'cloudresourcemanager', apiRootUrl(ctx.props, 'cloudresourcemanager')),
          account(),
        );
      })()),
    iamCredentials: () =>
      (iamCredentials ??= (async () => {
        const {IamCredentialsApi} = await import('./iam-credentials.js');
        return IamCredentialsApi.create(
          API_ROOTS.iamcredentials,
          onRootUrl(await sourceAuth(), 'iamcredentials', apiRootUrl(ctx.props, 'iamcredentials')),
          source(),
        );
      })()),
    artifactRegistry: () =>
      (artifactRegistry ??= (async () => {
        const {ArtifactRegistryApi} = await import('./artifact-registry.js');
        return new ArtifactRegistryApi(apiRootUrl(ctx.props, 'artifactregistry'), await auth(), account());
      })()),
  };
  return clients;
}
