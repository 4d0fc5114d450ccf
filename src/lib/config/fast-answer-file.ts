/**
 * Where docker-credential-gcauth's pre-rendered answer lives in the config dir, and its removal. Kept here, apart
 * from docker/fast-answer.ts, so the stores that must discard it on every write (credentials, configurations, the
 * token cache) import two names and node:fs, and config (the lowest layer) reaches into no domain module.
 */
import {rmSync} from 'node:fs';
import path from 'node:path';

/** The answer's file name in the config dir; bin/docker-credential-gcauth reads the same name. */
export const FAST_ANSWER_FILE = 'docker-helper-answer';

/** The answer's path for a config dir. */
export const fastAnswerPath = (configDir: string) => path.join(configDir, FAST_ANSWER_FILE);

/** The temp file a process writes the answer to before renaming it into place: named for its writer's pid. */
export const fastAnswerTempPath = (configDir: string, pid: number) => path.join(configDir, `${FAST_ANSWER_FILE}.${pid}.tmp`);

const TEMP_NAME = new RegExp(`^${FAST_ANSWER_FILE}\\.([1-9]\\d{0,9})\\.tmp$`);

/** The writer's pid of a name fastAnswerTempPath gives, else undefined. */
export function fastAnswerTempPid(name: string): number | undefined {
  const match = TEMP_NAME.exec(name);
  return match ? Number(match[1]) : undefined;
}

/**
 * Removes the pre-rendered answer, so a change of account, credential or property never leaves one behind (the
 * sh side also refuses an answer whose files changed; this makes it gone, not merely refused). Never throws.
 */
export function discardFastAnswer(configDir: string): void {
  try {
    rmSync(fastAnswerPath(configDir), {force: true});
  } catch {
    // A config dir that cannot be written cannot hold a fresh answer either: the sh side checks the files.
  }
}
