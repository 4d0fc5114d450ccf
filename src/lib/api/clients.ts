import {resolveAccount} from '../auth/accounts.js';
import {GOOGLE_TOKEN_URL} from '../auth/transport.js';
import type {AppContext} from '../context.js';
import {API_ROOTS, apiRootUrl, onRootUrl} from './endpoints.js';
import type {IamApi} from './iam.js';
import type {ResourceManagerApi} from './resource-manager.js';
import {createSession, type RequestAuth} from './session.js';

/** API clients built on first use, so a command loads only the googleapis package it calls. */
export interface ApiClients {
  /** The account calls run as: `--account`, else `core/account`. @throws AuthError when none is set. */
  account(): string;
  iam(): Promise<IamApi>;
  resourceManager(): Promise<ResourceManagerApi>;
}

/** The API clients of a context; each is created once. */
export function createApiClients(ctx: Pick<AppContext, 'props' | 'tokens' | 'log'>): ApiClients {
  const account = () => resolveAccount(ctx);
  let session: Promise<RequestAuth> | undefined;
  const auth = () => (session ??= createSession({account: account(), tokens: ctx.tokens, log: ctx.log, tokenUrl: GOOGLE_TOKEN_URL}));
  let iam: Promise<IamApi> | undefined;
  let crm: Promise<ResourceManagerApi> | undefined;
  return {
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
  };
}
