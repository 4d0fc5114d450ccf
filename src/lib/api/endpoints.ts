import type {Properties} from '../config/resolver.js';
import type {RequestAuth} from './session.js';

/** Google's production base URLs; `api_endpoint_overrides/<api>` replaces one (the emulator, a proxy). */
export const API_ROOTS = {
  iam: 'https://iam.googleapis.com/',
  cloudresourcemanager: 'https://cloudresourcemanager.googleapis.com/',
  iamcredentials: 'https://iamcredentials.googleapis.com/',
  artifactregistry: 'https://artifactregistry.googleapis.com/',
  serviceusage: 'https://serviceusage.googleapis.com/',
  orgpolicy: 'https://orgpolicy.googleapis.com/',
} as const;

export type ApiName = keyof typeof API_ROOTS;

/** Base URL of an API, ending in `/`; the client appends `v1/...`. */
export function apiRootUrl(props: Properties, api: ApiName): string {
  return props.get(`api_endpoint_overrides/${api}`) ?? API_ROOTS[api];
}

/**
 * googleapis-common resolves every request against a client's `rootUrl` with `new URL('/v1/...', rootUrl)`,
 * which drops a path in the root: `{url}/iam/` would be sent `{url}/v1/...`. So clients keep Google's own
 * root, and each prepared request is moved onto the configured one here.
 */
export function onRootUrl(auth: RequestAuth, api: ApiName, rootUrl: string): RequestAuth {
  const google = API_ROOTS[api];
  if (rootUrl === google) return auth;
  return {
    request: (options) => {
      const url = String(options.url);
      return auth.request({...options, url: url.startsWith(google) ? rootUrl + url.slice(google.length) : url});
    },
  };
}
