import {statSync} from 'node:fs';

import type {AppContext} from '../context.js';
import {otherUserMayWrite, untrustedPathFix} from '../fs/secure-fs.js';
import {type CheckResult, result} from './types.js';

/**
 * gcauth's config dir and credentials.json: may another user write them? By the rule the stores, the helper and
 * the sh fast path refuse them by, so a warning here is why every command and every get then fails.
 */
export async function checkConfigDir(ctx: Pick<AppContext, 'paths' | 'platform'>): Promise<CheckResult> {
  const check = 'config-dir';
  if (ctx.platform === 'win32') return result(check, 'skip', 'Windows has no file owners to compare');
  const {configDir, credentialsFile} = ctx.paths;
  for (const [target, isDir] of [[configDir, true], [credentialsFile, false]] as const) {
    let why: string | undefined;
    try {
      why = otherUserMayWrite(statSync(target));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    if (why) {
      return result(check, 'warn', `${target}: ${why}, so gcauth and its helper refuse to read credentials, settings or answers there`, untrustedPathFix(target, why, isDir));
    }
  }
  return result(check, 'ok', `${configDir} and its credentials can be written by you alone`);
}
