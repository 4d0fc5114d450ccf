/** Typed errors: each carries its exit code, and exitCodeFor() is the one mapping from error to exit status. */
import {dirname} from 'node:path';

export class GcauthError extends Error {
  readonly exitCode: number = 1;
  /** An optional second line telling the user what to do next. */
  readonly hint?: string;

  constructor(message: string, options?: {hint?: string; cause?: unknown}) {
    super(message, options?.cause === undefined ? undefined : {cause: options.cause});
    this.name = new.target.name;
    this.hint = options?.hint;
  }
}

/** Bad flags, arguments or input files: the user can fix the command line. */
export class UsageError extends GcauthError {
  override readonly exitCode = 2;
}

/** Credentials are missing, refused or unusable. */
export class AuthError extends GcauthError {
  override readonly exitCode = 4;
}

/** The user declined a prompt or interrupted the command. */
export class CancelledError extends GcauthError {
  override readonly exitCode = 130;
}

/** A named thing (account, configuration, resource) does not exist. */
export class NotFoundError extends GcauthError {}

/** A remote API answered with an error, or could not be reached. */
export class ApiError extends GcauthError {
  readonly status?: number;

  constructor(message: string, options?: {hint?: string; cause?: unknown; status?: number}) {
    super(message, options);
    this.status = options?.status;
  }
}

/** The caller lacks an IAM permission on a resource (HTTP 403). */
export class PermissionDeniedError extends ApiError {}

/** The resource changed or exists already (HTTP 409: ABORTED on a stale etag, ALREADY_EXISTS on create). */
export class ConflictError extends ApiError {
  /** Google's status word, e.g. ABORTED or ALREADY_EXISTS. */
  readonly reason?: string;

  constructor(message: string, options?: {hint?: string; cause?: unknown; status?: number; reason?: string}) {
    super(message, options);
    this.reason = options?.reason;
  }
}

/** Exit status for any thrown value: typed errors carry theirs; anything else is a bug (1). */
export function exitCodeFor(error: unknown): number {
  if (error instanceof GcauthError) return error.exitCode;
  const oclifExit = (error as {oclif?: {exit?: number}} | undefined)?.oclif?.exit;
  return typeof oclifExit === 'number' ? oclifExit : 1;
}

/**
 * What the user reads for a file system error code, reads and writes alike: the one table of these words.
 * The write refusals among them (read-only, no permission, full) are conditions no retry cures, so a lock or a write
 * gives up at once on them.
 */
export const FS_ERROR_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the path is too long',
  EIO: 'an input/output error',
  EROFS: 'it is on a read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
};
const WRITE_REFUSALS = FS_ERROR_REASONS as Record<'EROFS' | 'EACCES' | 'EPERM' | 'ENOSPC' | 'EDQUOT', string>;

/** gcauth may not create or change files in a directory: a read-only file system, or no permission. */
export class NotWritableError extends GcauthError {
  constructor(
    readonly dir: string,
    readonly code: 'EROFS' | 'EACCES' | 'EPERM',
    options?: {cause?: unknown},
  ) {
    super(`Cannot write in [${dir}]: ${WRITE_REFUSALS[code]}. Set GCAUTH_CONFIG to a writable directory, or use a writable home.`, options);
  }
}

/** The disk, or the user's quota, has no room for a file; the file was left as it was. */
export class DiskFullError extends GcauthError {
  constructor(
    readonly file: string,
    readonly code: 'ENOSPC' | 'EDQUOT',
    options?: {cause?: unknown},
  ) {
    super(`Cannot write [${file}]: ${WRITE_REFUSALS[code]}. It was left as it was; free some space and run the command again.`, options);
  }
}

/**
 * The typed error for a file system error that no retry cures (see WRITE_REFUSALS), met while writing `file`;
 * undefined for any other error. A refused directory is named from the path the system call reported.
 */
export function writeRefusal(error: unknown, file: string): NotWritableError | DiskFullError | undefined {
  const {code, path: failed} = (error ?? {}) as NodeJS.ErrnoException;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new DiskFullError(file, code, {cause: error});
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return new NotWritableError(dirname(failed ?? file), code, {cause: error});
  return undefined;
}
