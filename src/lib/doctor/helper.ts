import {statSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import type {AppContext} from '../context.js';
import {findOnPath, isOnPath} from '../docker/configure.js';
import {answerSummary} from '../docker/fast-answer.js';
import {fastAnswerPath} from '../config/fast-answer-file.js';
import {describeMisses, HELPER_BIN, helperBinFor, servedHost, walkTokenSources} from '../docker/helper.js';
import {isGoogleRegistryHost} from '../docker/registries.js';
import {fsErrorReason, readRegularFile} from '../fs/read-file.js';
import {redactText as redact} from '../redact.js';
import {ACTIVATE_OR_LOGIN} from './account.js';
import {type CheckResult, result} from './types.js';

const CHECK = 'helper';
/** Each helper run may take this long (a refresh with its retries stays well inside it). */
export const HELPER_TIMEOUT_MS = 15_000;
/** The sentinel of Docker's protocol for "no credentials for this host". */
const NOT_FOUND = 'credentials not found in native keychain';

/** What `docker-credential-gcauth get` answered, as Docker would take it. */
export type HelperAnswer = {kind: 'token'; username: string} | {kind: 'not-found'} | {kind: 'error'; message: string};

/** Classifies a `get` run: protocol JSON with a secret, the not-found sentinel, or anything else (an error). */
export function classifyHelperGet(exitCode: number | undefined, stdout: string, stderr: string): HelperAnswer {
  const out = stdout.trim();
  if (exitCode === 0) {
    try {
      const parsed = JSON.parse(out) as {Username?: unknown; Secret?: unknown};
      if (typeof parsed.Secret === 'string' && parsed.Secret !== '') return {kind: 'token', username: String(parsed.Username ?? '')};
    } catch {
      // not protocol JSON: an error below
    }
    return {kind: 'error', message: 'answered without a secret'};
  }
  if (out === NOT_FOUND) return {kind: 'not-found'};
  return {kind: 'error', message: redact(out || stderr.trim() || `exit ${exitCode ?? 'by signal'}`).split('\n')[0]!};
}

/**
 * What the helper tried for a host it serves and found no credentials for, from the same walk over the same
 * configuration, in this process: `: it tried SOURCE (WHY; run: FIX), ...`, or nothing for a host it does not serve.
 */
async function whatWasTried(ctx: AppContext, host: string): Promise<string> {
  try {
    if (!servedHost(host, ctx)) return '';
    const walk = await walkTokenSources(ctx);
    return walk.token === undefined ? `: it tried ${describeMisses(walk.misses)}.` : '';
  } catch {
    // A source whose credentials fail here answered not-found to the helper a moment ago: nothing to add.
    return '';
  }
}

/** This installation's bin directory, for a PATH fix (…/dist/lib/doctor → the package root). */
function installBinDir(): string {
  return path.join(fileURLToPath(new URL('../../../', import.meta.url)), 'bin');
}

type Runner = (args: string[], input: string | undefined) => Promise<{exitCode?: number; stdout: string; stderr: string; timedOut: boolean}>;

function helperRunner(ctx: Pick<AppContext, 'env'>, bin: string, timeoutMs: number): Runner {
  return async (args, input) => {
    const {execa} = await import('execa');
    const r = await execa(bin, args, {env: ctx.env, extendEnv: false, timeout: timeoutMs, reject: false, input, stdin: input === undefined ? 'ignore' : undefined});
    return {exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr), timedOut: Boolean(r.timedOut)};
  };
}

/** docker-credential-gcauth is on PATH, answers `version`, and what its `get` gives Docker for `host`. */
export async function checkHelper(ctx: AppContext, host: string, timeoutMs = HELPER_TIMEOUT_MS): Promise<CheckResult> {
  // On Windows Docker runs the Node helper's bin (see NODE_HELPER_NAME), which configure-docker names there.
  const bin = helperBinFor(ctx.platform);
  if (!(await isOnPath(bin, ctx))) {
    // On Windows the runnable shims are in npm's global prefix, not in the package's bin directory.
    const fix = ctx.platform === 'win32' ? 'add the folder `npm prefix -g` prints to your user Path, then open a new terminal' : `export PATH="${installBinDir()}:$PATH"   (in your shell profile)`;
    return result(CHECK, 'fail', `${bin} is not on PATH, so Docker cannot run it`, fix);
  }
  const run = helperRunner(ctx, bin, timeoutMs);
  const version = await run(['version'], undefined);
  if (version.exitCode !== 0) {
    return result(CHECK, 'fail', `\`${bin} version\` ${version.timedOut ? `did not answer within ${timeoutMs / 1000} s` : `failed: ${redact(version.stdout || version.stderr).trim().split('\n')[0]}`}`, `${bin} version`);
  }
  const name = version.stdout.trim().split('\n')[0];
  const get = await run(['get'], host);
  if (get.timedOut) return result(CHECK, 'fail', `${name} did not answer \`get\` for ${host} within ${timeoutMs / 1000} s`, `echo ${host} | ${bin} get`);
  const answer = classifyHelperGet(get.exitCode, get.stdout, get.stderr);
  switch (answer.kind) {
    case 'token':
      return result(CHECK, 'ok', `${name} answers ${host} with a token (username ${answer.username})`);
    case 'not-found':
      return result(CHECK, 'fail', `${name} has no credentials for ${host}${await whatWasTried(ctx, host)}`, ACTIVATE_OR_LOGIN);
    default:
      return result(CHECK, 'fail', `${name} failed for ${host}: ${answer.message}`, `echo ${host} | ${bin} get`);
  }
}

/**
 * The helper's POSIX sh fast path (issue 10): is the PATH's docker-credential-gcauth the sh program, and is there
 * an answer it can use for `host` (rendered by the get the helper check just ran)? A warning at most: without it
 * every get starts Node, slower but the same answer.
 */
export async function checkHelperFastPath(ctx: Pick<AppContext, 'env' | 'platform' | 'paths' | 'now'>, host: string): Promise<CheckResult> {
  const check = 'helper-fast-path';
  if (ctx.platform === 'win32') return result(check, 'skip', 'Windows runs the Node helper');
  const bin = await findOnPath(HELPER_BIN, ctx);
  if (!bin) return result(check, 'skip', `${HELPER_BIN} is not on PATH`);
  let head: string;
  try {
    head = readRegularFile(bin);
  } catch (error) {
    return result(check, 'warn', `cannot read ${bin}: ${fsErrorReason(error)}`);
  }
  if (!head.startsWith('#!/bin/sh\n')) {
    return result(check, 'warn', `${bin} is not the sh fast path, so every get starts Node`, `export PATH="${installBinDir()}:$PATH"   (this installation's ${HELPER_BIN} is the sh program)`);
  }
  const answer = readAnswer(fastAnswerPath(ctx.paths.configDir));
  if (!answer) return result(check, 'warn', `${bin} is the sh fast path, but no answer is rendered for it: each get starts Node (the metadata server, impersonation and failing gets are not rendered)`);
  const {deadline, hosts} = answer;
  // The sh serves Google's port-less names by registries.ts's rule, and the answer's listed hosts.
  const served = hosts.includes(host) || (!host.includes(':') && isGoogleRegistryHost(host));
  if (!served) return result(check, 'warn', `the fast path's answer does not cover ${host}: Node answers it`);
  if (!(deadline * 1000 > ctx.now())) return result(check, 'warn', `the fast path's answer has expired: the next get starts Node and renders a new one`);
  return result(check, 'ok', `${bin} answers ${host} without starting Node until ${new Date(deadline * 1000).toISOString()}`);
}

/** The answer the sh would read (a 0600 file, whole), summarised. */
function readAnswer(file: string): ReturnType<typeof answerSummary> {
  try {
    return (statSync(file).mode & 0o777) === 0o600 ? answerSummary(readRegularFile(file)) : undefined;
  } catch {
    return undefined;
  }
}
