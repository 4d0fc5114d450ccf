/** Types of scripts/launch.js for the TypeScript tests. */
import type {Readable} from 'node:stream';

export const repoRoot: string;
export const cliBin: string;
export const helperBin: string;
export const EMULATOR_READY: RegExp;

export function findOnPath(name: string, pathVar?: string): string | undefined;

export interface RunOptions {
  /** The child's whole environment (default this process's); undefined values are left out. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  input?: string | Buffer | Readable | AsyncIterable<string | Buffer>;
  timeoutMs?: number;
  /** Called with all of stderr so far whenever more arrives. */
  onStderr?: (stderrSoFar: string) => void;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  all: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  error: Error | undefined;
  ms: number;
}

export function run(file: string, args: string[], options?: RunOptions): Promise<RunResult>;
export function runCli(args: string[], options?: RunOptions): Promise<RunResult>;

export interface Exit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export function stopPid(pid: number, exited: Promise<unknown>, graceMs?: number): Promise<void>;

export class ExitedBeforeReadyError extends Error {
  constructor(name: string, exit: Exit, log: string);
  readonly log: string;
}

export interface StartProcessOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  ready: RegExp;
  readyOn?: 'stderr' | 'both';
  readyTimeoutMs?: number;
  name?: string;
}

export interface StartedProcess {
  pid: number;
  match: RegExpExecArray;
  exited: Promise<Exit>;
  log(): string;
  stop(): Promise<void>;
}

export function startProcess(file: string, args: string[], options: StartProcessOptions): Promise<StartedProcess>;

export interface StartedEmulator {
  url: string;
  pid: number;
  dataDir: string;
  exited: Promise<Exit>;
  stderr(): string;
  stop(): Promise<void>;
}

export function startEmulator(options: {dataDir: string; env?: Record<string, string | undefined>; args?: string[]; cwd?: string}): Promise<StartedEmulator>;
