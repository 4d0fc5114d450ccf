/**
 * PLACEHOLDER for the metadata-server client (issue 9, part 1), written on the standalone-helper branch only so
 * that docker-credential-gcauth's `metadata` token source compiles and can be tested as "not on GCE". The real
 * module, with detection, caching and single-flight, comes from another branch and replaces this file at merge.
 * It keeps exactly the exported names and signatures the real one has; put no other logic here.
 */
import type {AppContext} from '../context.js';
import {AuthError} from '../errors.js';
import type {CachedToken} from '../store/token-cache.js';

/** No metadata server answers: gcauth is not running on Google Compute Engine (or GKE). */
export class NoMetadataServerError extends AuthError {}

/**
 * An access token of the VM's service account from the metadata server (placeholder: never one).
 * @throws NoMetadataServerError always, in this placeholder.
 */
export async function metadataAccessToken(_ctx: Pick<AppContext, 'env' | 'paths' | 'props' | 'tokens' | 'log'>, _scopes?: string[]): Promise<CachedToken> {
  throw new NoMetadataServerError('not running on Google Compute Engine (no metadata server found)');
}
