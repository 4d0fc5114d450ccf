/** Writing Application Default Credentials files (the reading side is adc.ts). */
import type {AppContext} from '../../context.js';
import {writeSecureFile} from '../../fs/secure-fs.js';
import {wellKnownAdcFile} from './read.js';

/** An `authorized_user` ADC file as gcloud writes it and google-auth-library reads it. */
export interface AuthorizedUserAdc {
  type: 'authorized_user';
  client_id: string;
  client_secret: string;
  refresh_token: string;
  quota_project_id?: string;
  universe_domain?: string;
  [field: string]: unknown;
}

/** The ADC JSON for a user's refresh token. */
export function authorizedUserAdc(user: {clientId: string; clientSecret: string; refreshToken: string; quotaProjectId?: string}): AuthorizedUserAdc {
  return {
    client_id: user.clientId,
    client_secret: user.clientSecret,
    refresh_token: user.refreshToken,
    type: 'authorized_user',
    universe_domain: 'googleapis.com',
    ...(user.quotaProjectId ? {quota_project_id: user.quotaProjectId} : {}),
  };
}

/**
 * Writes ADC JSON to the well-known file (or `file`), atomically, mode 0600. Returns the path written.
 * @throws the file system's error.
 */
export async function writeAdcFile(adc: Record<string, unknown>, ctx: Pick<AppContext, 'env' | 'homeDir' | 'platform'>, file?: string): Promise<string> {
  const target = file ?? wellKnownAdcFile(ctx.env, ctx.homeDir, ctx.platform);
  await writeSecureFile(target, `${JSON.stringify(adc, null, 2)}\n`);
  return target;
}
