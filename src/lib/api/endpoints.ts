import type {Properties} from '../config/resolver.js';

/** Google's production base URLs; `api_endpoint_overrides/<api>` replaces one (the emulator, a proxy). */
export const API_ROOTS = {
  iam: 'https://iam.googleapis.com/',
  cloudresourcemanager: 'https://cloudresourcemanager.googleapis.com/',
  iamcredentials: 'https://iamcredentials.googleapis.com/',
} as const;

export type ApiName = keyof typeof API_ROOTS;

/** Base URL of an API, ending in `/`; the client appends `v1/...`. */
export function apiRootUrl(props: Properties, api: ApiName): string {
  return props.get(`api_endpoint_overrides/${api}`) ?? API_ROOTS[api];
}
