/**
 * The core of `gcauth doctor`: every reason Docker may answer `denied: requested access to the resource is
 * denied`, checked in the order a pull meets them (the CLI, the daemon's socket, config.json, the helper, the
 * account and its token, an external account's pool and principal, IAM, how long its tokens last, the key), each with one verdict and, where something is wrong, the fix.
 */
import {createApiClients} from '../api/clients.js';
import {impersonatedEmail} from '../auth/credentials/external-account.js';
import type {AppContext} from '../context.js';
import {checkAccount, checkVmScopes} from './account.js';
import type {AccountState} from './state.js';
import {checkConfigDir} from './config-dir.js';
import {checkDockerCli} from './docker-cli.js';
import {checkDockerConfig} from './docker-config.js';
import {checkDockerGroup} from './docker-group.js';
import {checkTokenLifetime, describeFederation, federationFacts, noFederation} from './federation.js';
import {checkHelper, checkHelperFastPath} from './helper.js';
import {checkKeyAge} from './key-age.js';
import {checkKeyPolicy} from './key-policy.js';
import {checkRegistryAccess} from './registry-access.js';
import {checkRegistryApi} from './registry-api.js';
import {parseDoctorTarget} from './target.js';
import {type CheckResult, type DoctorSystem, result} from './types.js';

export type {CheckResult, DoctorSystem} from './types.js';

export interface DoctorOptions {
  /** IMAGE_OR_HOST as typed; default gcr.io. */
  target?: string;
  /** The user and group database the group check reads; by default the context's user and /etc/group. */
  system?: DoctorSystem;
  /** Bounds of the child processes (docker version, the helper). */
  dockerTimeoutMs?: number;
  helperTimeoutMs?: number;
}

/** The running user as the group check reads it: the context's user and the system's group database. */
export function doctorSystem(ctx: Pick<AppContext, 'user'>): DoctorSystem {
  const {uid, gids, name} = ctx.user;
  return {
    uid,
    gids,
    userName: name,
    groupFile: '/etc/group',
    windowsGroups: async () => {
      const {execa} = await import('execa');
      return String((await execa('whoami', ['/groups', '/fo', 'csv', '/nh'], {timeout: 5_000, stdin: 'ignore'})).stdout);
    },
  };
}

/** A check that throws is a bug in it, not a verdict on the user's setup: report it and go on. */
async function guarded<T extends CheckResult | CheckResult[]>(check: string, run: () => Promise<T>): Promise<CheckResult[]> {
  try {
    const out = await run();
    return Array.isArray(out) ? out : [out];
  } catch (error) {
    return [result(check, 'fail', `the check itself failed: ${(error as Error).message}`, 'gcauth doctor --verbosity=debug')];
  }
}

/**
 * Runs every check, in order. Never throws for what it finds; each finding is a result.
 * @throws UsageError for an IMAGE_OR_HOST that is not a host or image reference (before any check runs).
 */
export async function runDoctor(options: DoctorOptions, ctx: AppContext): Promise<CheckResult[]> {
  const target = parseDoctorTarget(options.target);
  const results: CheckResult[] = [];
  results.push(...(await guarded('docker-cli', () => checkDockerCli(ctx, options.dockerTimeoutMs))));
  results.push(...(await guarded('docker-group', () => checkDockerGroup(ctx, options.system ?? doctorSystem(ctx)))));
  results.push(...(await guarded('docker-config', () => checkDockerConfig(ctx, target.host))));
  results.push(...(await guarded('config-dir', () => checkConfigDir(ctx))));
  results.push(...(await guarded('helper', () => checkHelper(ctx, target.host, options.helperTimeoutMs))));
  results.push(...(await guarded('helper-fast-path', () => checkHelperFastPath(ctx, target.host))));
  let state: AccountState = {tokenOk: false};
  results.push(
    ...(await guarded('account', async () => {
      const found = await checkAccount(ctx);
      state = found.state;
      return found.check;
    })),
  );
  results.push(
    ...(await guarded('federation', async () => {
      const {identity} = state;
      if (!identity) return noFederation();
      if (state.tokenOk) state = {...state, facts: await federationFacts(ctx, identity, state.proven)};
      return describeFederation(identity, state.facts, state.tokenOk);
    })),
  );
  results.push(...(await guarded('vm-scopes', () => checkVmScopes(ctx, state))));
  const asked = apiContextOf(ctx, state);
  results.push(...(await guarded('registry-api', () => checkRegistryApi(asked, target, state))));
  results.push(...(await guarded('registry-pull', () => checkRegistryAccess(asked, target, state))));
  results.push(...(await guarded('token-lifetime', async () => checkTokenLifetime(ctx, state.identity, state.facts, state))));
  results.push(...(await guarded('key-age', () => checkKeyAge(asked, state))));
  results.push(...(await guarded('key-policy', () => checkKeyPolicy(asked, state))));
  return results;
}

/**
 * The context the API checks ask with: the checked account's, or, for the Application Default Credentials (the Docker
 * helper's adc source), one whose calls carry the token the account check minted from them, as the helper's would,
 * without impersonation (the helper applies none to them).
 */
function apiContextOf(ctx: AppContext, state: AccountState): AppContext {
  const {identity, proven, adc} = state;
  if (!adc || !proven) return ctx;
  const account = state.account ?? (identity ? (impersonatedEmail(identity.config) ?? state.facts?.principal) : undefined) ?? 'the Application Default Credentials';
  const given = {token: proven.token, origin: `minted from the Application Default Credentials in [${adc.file}]`};
  return {...ctx, api: createApiClients(ctx, {account, metadata: false, given})};
}

/** True when no check failed: the command's exit status is 0. */
export const doctorPassed = (results: readonly CheckResult[]): boolean => results.every((r) => r.status !== 'fail');

/** The human report: `STATUS  check: message`, and for warn and fail the fix on the next line. */
export function renderDoctorReport(results: readonly CheckResult[]): string {
  return results
    .map((r) => `${r.status.padEnd(4)}  ${r.check}: ${r.message}\n${r.fix ? `      fix: ${r.fix}\n` : ''}`)
    .join('');
}
