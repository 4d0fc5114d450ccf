/** Typed errors: each carries its exit code, and exitCodeFor() is the one mapping from error to exit status. */

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
