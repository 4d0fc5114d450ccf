/** Writing Application Default Credentials files (the reading side is adc.ts). */
import type {AppContext} from '../../context.js';
import {writeSecureFile} from '../../fs/secure-fs.js';
import {wellKnownAdcFile} from './read.js';

export {type AuthorizedUserAdc, authorizedUserAdc} from '../credentials/user.js';

/**
 * Writes ADC JSON to the well-known file (or `file`), atomically, mode 0600. Returns the path written.
 * @throws the file system's error.
 */
export async function writeAdcFile(adc: Record<string, unknown>, ctx: Pick<AppContext, 'env' | 'homeDir' | 'platform'>, file?: string): Promise<string> {
  const target = file ?? wellKnownAdcFile(ctx.env, ctx.homeDir, ctx.platform);
  await writeSecureFile(target, `${JSON.stringify(adc, null, 2)}\n`);
  return target;
}
