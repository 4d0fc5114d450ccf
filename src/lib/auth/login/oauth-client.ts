/** The OAuth client `auth login` runs as: the user's own Desktop-app client, never gcloud's. */
import path from 'node:path';

import type {AppContext} from '../../context.js';
import {UsageError} from '../../errors.js';
import {fsErrorReason, readRegularFile, withoutBom} from '../../fs/read-file.js';

/** A Desktop-app OAuth client. */
export interface OAuthClientConfig {
  clientId: string;
  clientSecret: string;
}

/** How to get an OAuth client, for the message shown when none is configured. */
export const CREATE_CLIENT_HINT =
  'Create one: Cloud console > APIs & Services > Credentials > Create credentials > OAuth client ID > Application type "Desktop app", ' +
  'download its JSON, then run gcauth auth login --client-id-file=FILE, or set it once with ' +
  'gcauth config set auth/client_id CLIENT_ID and gcauth config set auth/client_secret CLIENT_SECRET.';

/**
 * Parses the client JSON the Cloud console downloads for a Desktop app: `{"installed": {client_id, client_secret, ...}}`.
 * @throws UsageError naming the file and what is wrong with it.
 */
export function parseClientIdFile(text: string, file: string): OAuthClientConfig {
  let data: unknown;
  try {
    data = JSON.parse(withoutBom(text));
  } catch {
    throw new UsageError(`Client ID file [${file}] is not JSON. ${CREATE_CLIENT_HINT}`);
  }
  const record = data as {installed?: Record<string, unknown>; web?: unknown} | null;
  if (record && typeof record === 'object' && record.web && !record.installed) {
    throw new UsageError(`Client ID file [${file}] is for a "Web application" client; auth login needs a "Desktop app" client. ${CREATE_CLIENT_HINT}`);
  }
  const installed = record && typeof record === 'object' ? record.installed : undefined;
  const clientId = installed?.client_id;
  const clientSecret = installed?.client_secret;
  if (typeof clientId !== 'string' || !clientId || typeof clientSecret !== 'string' || !clientSecret) {
    throw new UsageError(`Client ID file [${file}] has no "installed" client with client_id and client_secret. ${CREATE_CLIENT_HINT}`);
  }
  return {clientId, clientSecret};
}

/**
 * The OAuth client: `--client-id-file`, else properties auth/client_id and auth/client_secret.
 * @throws UsageError when none is configured (saying how to create one) or the file is unusable.
 */
export async function resolveOAuthClient(clientIdFile: string | undefined, ctx: Pick<AppContext, 'props'>): Promise<OAuthClientConfig> {
  if (clientIdFile) {
    let text: string;
    try {
      text = readRegularFile(clientIdFile);
    } catch (error) {
      throw new UsageError(`Unable to read client ID file [${path.resolve(clientIdFile)}]: ${fsErrorReason(error)}.`, {cause: error});
    }
    return parseClientIdFile(text, clientIdFile);
  }
  const clientId = ctx.props.get('auth/client_id');
  const clientSecret = ctx.props.get('auth/client_secret');
  if (!clientId || !clientSecret) {
    const missing = !clientId && !clientSecret ? 'No OAuth client is configured' : `Property [auth/${clientId ? 'client_secret' : 'client_id'}] is not set`;
    throw new UsageError(`${missing}: gcauth logs users in with your own OAuth client. ${CREATE_CLIENT_HINT}`);
  }
  return {clientId, clientSecret};
}
