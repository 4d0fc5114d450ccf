/**
 * Docker's config.json, edited the way gcloud does it rather than docker/cli's `Save()` (which drops every key
 * it does not know): parsed as a generic object, only `credHelpers` changed, every other key and value kept in
 * its order, then written atomically over the symlink's target, keeping the file's mode. gcauth's own edits hold
 * `config.json.lock` (beside the path as configured) from the read to the write.
 */
import {readlink, stat} from 'node:fs/promises';
import path from 'node:path';

import {pathFor} from '../config/paths.js';
import {GcauthError} from '../errors.js';
import {fsErrorReason, jsonErrorAt, readRegularFileIfExists, withoutBom} from '../fs/read-file.js';
import {ensureDir, FILE_MODE, updateFile} from '../fs/secure-fs.js';

/** A config.json that cannot be read, parsed or written; nothing was changed. */
export class DockerConfigError extends GcauthError {}

/**
 * Docker's config file: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json` (on Windows the home dir is
 * `%USERPROFILE%`, as Docker's). A trailing separator, or a UNC path on Windows, resolves as Docker's filepath.Join does.
 */
export function dockerConfigPath(env: Record<string, string | undefined>, homeDir: string, platform: NodeJS.Platform = process.platform): string {
  const p = pathFor(platform);
  return p.resolve(env.DOCKER_CONFIG || p.join(homeDir, '.docker'), 'config.json');
}

/** A config.json as read: its text, its parsed object and where writes must go. */
export interface DockerConfigFile {
  /** The path as configured (shown to the user). */
  path: string;
  /** The file writes replace: the path with symlinks followed (it may not exist yet). */
  target: string;
  exists: boolean;
  /** The file's text ('' when absent). */
  text: string;
  /** The parsed object (`{}` for an absent or empty file). */
  data: Record<string, unknown>;
  /** The existing file's permission bits. */
  mode?: number;
}

// EEXIST comes from mkdir: a file stands where a directory should be.
const describeCode = (error: unknown) => ((error as NodeJS.ErrnoException).code === 'EEXIST' ? 'a part of the path is not a directory' : fsErrorReason(error));

/** Follows a chain of symlinks to the file a write must replace; a dangling link's target is returned as is. */
async function resolveTarget(file: string): Promise<string> {
  let current = file;
  for (let hops = 0; hops < 40; hops++) {
    let link: string;
    try {
      link = await readlink(current);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EINVAL' || code === 'ENOENT' || code === 'UNKNOWN') return current;
      throw error;
    }
    current = path.resolve(path.dirname(current), link);
  }
  throw Object.assign(new Error('too many symbolic links'), {code: 'ELOOP'});
}

/** Why credHelpers (a parsed value) is not a map of host → helper name, or undefined. */
function credHelpersProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return '"credHelpers" is not an object';
  const bad = Object.entries(value).find(([, helper]) => typeof helper !== 'string');
  return bad ? `"credHelpers" maps [${bad[0]}] to ${JSON.stringify(bad[1])}, not to a helper name` : undefined;
}

/**
 * Reads and parses config.json. An absent, empty or whitespace-only file is `{}`.
 * @throws DockerConfigError when it cannot be read, is not JSON, is not an object, or its credHelpers is not a map of names.
 */
export async function readDockerConfig(file: string): Promise<DockerConfigFile> {
  let target = file;
  let text: string | undefined;
  let mode: number | undefined;
  try {
    target = await resolveTarget(file);
    text = readRegularFileIfExists(target);
    if (text !== undefined) mode = (await stat(target)).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new DockerConfigError(`Cannot read the Docker config file [${file}]: ${describeCode(error)}.`);
    }
  }
  const exists = text !== undefined;
  const body = withoutBom(text ?? '');
  let data: unknown = {};
  if (body.trim()) {
    try {
      data = JSON.parse(body);
    } catch (error) {
      throw new DockerConfigError(`The Docker config file [${file}] is not valid JSON${jsonErrorAt(error)}. Fix or move it, then run again.`);
    }
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new DockerConfigError(`The Docker config file [${file}] does not hold a JSON object. Fix or move it, then run again.`);
  }
  const problem = credHelpersProblem((data as Record<string, unknown>).credHelpers);
  if (problem) throw new DockerConfigError(`The Docker config file [${file}] is malformed: ${problem}. Fix it, then run again.`);
  return {path: file, target, exists, text: text ?? '', data: data as Record<string, unknown>, mode};
}

/** The credHelpers map of a parsed config (checked by readDockerConfig), itself rather than a copy: it may hold 100k hosts. */
export function credHelpersOf(data: Record<string, unknown>): Readonly<Record<string, string>> {
  return (data.credHelpers as Record<string, string> | undefined) ?? {};
}

/**
 * The config with credHelpers replaced, every other key kept in place; an empty map removes the key.
 * credHelpers keeps its position when it exists and goes last when it is new.
 */
export function withCredHelpers(data: Record<string, unknown>, credHelpers: Record<string, string>): Record<string, unknown> {
  const out = {...data};
  if (Object.keys(credHelpers).length > 0) out.credHelpers = credHelpers;
  else delete out.credHelpers;
  return out;
}

/**
 * Serialises a config the way its current text is laid out: the same indentation unit (a tab, Docker's own,
 * for a new or one-line file), line endings and final newline.
 */
export function formatDockerConfig(data: Record<string, unknown>, like: string): string {
  const indent = /\n([ \t]+)\S/.exec(like)?.[1] ?? '\t';
  const eol = like.includes('\r\n') ? '\r\n' : '\n';
  const finalNewline = like === '' || /\n$/.test(like);
  const text = JSON.stringify(data, null, indent);
  // No copy of a large file's text for the common case of `\n` line ends.
  return (eol === '\n' ? text : text.replace(/\n/g, eol)) + (finalNewline ? eol : '');
}

/**
 * Replaces the config file's target atomically (temp file in the same directory, fsync, rename), keeping the
 * existing file's mode, else 0600; a missing directory is created 0700.
 * @throws DockerConfigError when the directory or the file cannot be written; the old file is then untouched.
 */
export async function writeDockerConfig(file: DockerConfigFile, text: string): Promise<void> {
  try {
    await ensureDir(path.dirname(file.target));
    const {default: writeFileAtomic} = await import('write-file-atomic');
    await writeFileAtomic(file.target, text, {mode: file.mode ?? FILE_MODE, fsync: true});
  } catch (error) {
    throw new DockerConfigError(`Cannot write the Docker config file [${file.path}]: ${describeCode(error)}. It was not changed.`);
  }
}

/**
 * Locked read-modify-write of config.json: its lock (a `config.json.lock` directory beside it) is held while it is
 * read and while `edit` writes it, so concurrent gcauth processes never lose each other's entries.
 * @throws DockerConfigError when it cannot be read, or locked (a directory that may not be written); what edit throws.
 */
export async function updateDockerConfig<R>(file: string, edit: (current: DockerConfigFile) => Promise<R>): Promise<R> {
  let locked = false;
  const read = (configFile: string) => {
    locked = true;
    return readDockerConfig(configFile);
  };
  try {
    return await updateFile(file, read, edit);
  } catch (error) {
    // A file system error (raw, or typed with its errno code) before the lock was had means the lock directory could
    // not be made beside config.json: the write would fail the same way, so it is reported as that write's failure.
    if (locked || typeof (error as NodeJS.ErrnoException).code !== 'string') throw error;
    throw new DockerConfigError(`Cannot write the Docker config file [${file}]: ${describeCode(error)}. It was not changed.`);
  }
}
