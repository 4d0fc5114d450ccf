/** What one doctor check found. `skip`: the check does not apply, or is a slot not filled yet. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** One line of the report; `fix` is the command (or step) that resolves a warn or fail, else null. */
export interface CheckResult {
  check: string;
  status: CheckStatus;
  message: string;
  fix: string | null;
}

/** Builds a result; a fix is kept only where something is wrong. */
export function result(check: string, status: CheckStatus, message: string, fix?: string): CheckResult {
  return {check, status, message, fix: status === 'warn' || status === 'fail' ? (fix ?? null) : null};
}

/** The user and process the group check reads: injectable, so a test can be a user outside the docker group. */
export interface DoctorSystem {
  /** The effective uid (undefined on Windows). */
  uid?: number;
  /** The process's group ids (`process.getgroups()`): what the running session may use now. */
  gids: number[];
  userName: string;
  /** The group database (`/etc/group`). */
  groupFile: string;
  /** Windows: the output of `whoami /groups /fo csv /nh`. */
  windowsGroups?: () => Promise<string>;
}
