/**
 * The one way tests, the demo and the bench start programs: run a command to its exit, start a long-running
 * one and wait for its ready line (never a sleep), stop it by PID. Plain JavaScript so that both the Node
 * scripts and the TypeScript tests (through launch.d.ts) import it.
 */
import {spawn} from 'node:child_process';
import {accessSync, constants} from 'node:fs';
import path from 'node:path';
import {createInterface} from 'node:readline';
import {Readable} from 'node:stream';
import {fileURLToPath} from 'node:url';

/** The repository root, wherever the caller runs from. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The built CLI entry point. */
export const cliBin = path.join(repoRoot, 'bin', 'run.js');
/** The built credential helper, run as Docker runs it: by its file, through its shebang. */
export const helperBin = path.join(repoRoot, 'bin', 'docker-credential-gcauth');
/** What `gcauth emulator start` prints on stderr once it accepts connections. */
export const EMULATOR_READY = /Emulator listening on (\S+)/;

const READY_DEADLINE_MS = 30_000;
const STOP_GRACE_MS = 10_000;

/** The absolute path of an executable named `name` on PATH, or undefined. */
export function findOnPath(name, pathVar = process.env.PATH ?? '') {
  for (const dir of pathVar.split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Where stdin comes from: nothing, a string, or a stream or async iterable piped in (e.g. typed once a prompt shows). */
function feedStdin(child, input) {
  if (input === undefined) return;
  child.stdin.on('error', () => undefined); // a program that exits without reading its input is not an error here
  if (typeof input === 'string' || Buffer.isBuffer(input)) child.stdin.end(input);
  else (typeof input.pipe === 'function' ? input : Readable.from(input)).pipe(child.stdin);
}

/**
 * Runs `file args` to its exit with exactly `env` and never rejects: stdout, stderr, both interleaved (`all`),
 * exit code (null when killed or not started), signal, `timedOut` (SIGKILLed after timeoutMs), `error` (could not
 * start), and `ms` of wall time from spawn to exit.
 */
export function run(file, args, {env = process.env, cwd = repoRoot, input, timeoutMs, onStderr} = {}) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(file, args, {env, cwd, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']});
    feedStdin(child, input);
    let stdout = '';
    let stderr = '';
    let all = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      stdout += d;
      all += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d) => {
      stderr += d;
      all += d;
      onStderr?.(stderr);
    });
    let timedOut = false;
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, timeoutMs);
    let settled = false;
    const settle = (exitCode, signal, error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({stdout, stderr, all, exitCode, signal, timedOut, error, ms: Number(process.hrtime.bigint() - started) / 1e6});
    };
    child.on('error', (error) => settle(null, null, error));
    child.on('close', (code, signal) => settle(code, signal, undefined));
  });
}

/** Runs the built CLI (`node bin/run.js args`); see run(). */
export function runCli(args, options = {}) {
  return run(process.execPath, [cliBin, ...args], options);
}

/** SIGTERM to pid, SIGKILL after graceMs if `exited` has not settled by then; resolves when it has. */
export async function stopPid(pid, exited, graceMs = STOP_GRACE_MS) {
  const signal = (name) => {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const killer = setTimeout(() => signal('SIGKILL'), graceMs);
  await exited;
  clearTimeout(killer);
}

/** Thrown by startProcess when the program exits before its ready line; `log` holds what it printed. */
export class ExitedBeforeReadyError extends Error {
  constructor(name, exit, log) {
    super(`${name} exited (code ${exit.exitCode}, signal ${exit.signal}) before it was ready:\n${log}`);
    this.log = log;
  }
}

/**
 * Starts a long-running program and resolves once a line of its output (stderr, or also stdout with
 * `readyOn: 'both'`) matches `ready`, with that match. Its output is read for its whole life, so a chatty log
 * never blocks it. Rejects (after SIGKILL) if no such line comes within readyTimeoutMs, or with
 * ExitedBeforeReadyError if it exits first. stop() ends it by PID and is idempotent.
 */
export async function startProcess(file, args, {env = process.env, cwd = repoRoot, ready, readyOn = 'stderr', readyTimeoutMs = READY_DEADLINE_MS, name = path.basename(file)}) {
  const child = spawn(file, args, {env, cwd, stdio: ['ignore', readyOn === 'both' ? 'pipe' : 'ignore', 'pipe']});
  let log = '';
  const exited = new Promise((resolve) => {
    child.on('error', () => resolve({exitCode: null, signal: null}));
    child.on('close', (exitCode, signal) => resolve({exitCode, signal}));
  });
  const match = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not report ready within ${readyTimeoutMs} ms:\n${log}`));
    }, readyTimeoutMs);
    for (const stream of readyOn === 'both' ? [child.stdout, child.stderr] : [child.stderr]) {
      createInterface({input: stream}).on('line', (line) => {
        log += `${line}\n`;
        const m = ready.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        }
      });
    }
    void exited.then((exit) => {
      clearTimeout(timer);
      reject(new ExitedBeforeReadyError(name, exit, log));
    });
  });
  let stopping;
  return {
    pid: child.pid,
    match,
    exited,
    log: () => log,
    stop: () => (stopping ??= stopPid(child.pid, exited)),
  };
}

/**
 * Starts the built CLI's `gcauth emulator start --host 127.0.0.1 --port 0 --data-dir dataDir ...args` with
 * exactly `env` and resolves once it prints its ready line: {url, pid, dataDir, stderr(), exited, stop()}.
 */
export async function startEmulator({dataDir, env = process.env, args = [], cwd = repoRoot}) {
  const p = await startProcess(process.execPath, [cliBin, 'emulator', 'start', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, ...args], {
    env,
    cwd,
    ready: EMULATOR_READY,
    name: 'the emulator',
  });
  return {url: p.match[1], pid: p.pid, dataDir, exited: p.exited, stderr: p.log, stop: p.stop};
}
