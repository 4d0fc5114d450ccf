import type {AppContext} from '../context.js';
import {impersonationOf} from '../auth/impersonation.js';
import type {StoredCredential} from '../store/credential-store.js';
import {type CheckResult, result} from './types.js';

const CHECK = 'account';
const ACTIVATE = 'gcauth auth activate-service-account --key-file=FILE';

/** What the account check learnt, for the checks that call APIs as that account. */
export interface AccountState {
  account?: string;
  credential?: StoredCredential;
  /** A token could be had now; without one, API checks are skipped. */
  tokenOk: boolean;
}

/** The command that gives this account working credentials again. */
export function reactivateCommand(credential: StoredCredential | undefined): string {
  if (credential?.type === 'authorized_user') return `gcauth auth login ${credential.account}`;
  if (credential?.type === 'service_account') {
    return `gcauth auth activate-service-account ${credential.account} --key-file=NEW_KEY.json   (a new key: gcauth iam service-accounts keys create NEW_KEY.json --iam-account=${credential.account}, run as an account that may)`;
  }
  return ACTIVATE;
}

/** The active account, its stored credential, and whether the token service can give a token for it now. */
export async function checkAccount(ctx: Pick<AppContext, 'props' | 'store' | 'tokens'>): Promise<{check: CheckResult; state: AccountState}> {
  const adc = ctx.props.get('docker/token_source') === 'adc' ? ' (note: docker/token_source=adc, so the Docker helper uses Application Default Credentials instead)' : '';
  const account = ctx.props.get('core/account');
  if (!account) {
    return {check: result(CHECK, 'fail', `no active account${adc}`, `${ACTIVATE}   (or: gcauth auth login)`), state: {tokenOk: false}};
  }
  const credential = await ctx.store.get(account);
  if (!credential) {
    return {check: result(CHECK, 'fail', `${account} is the active account, but gcauth holds no credential for it${adc}`, ACTIVATE), state: {account, tokenOk: false}};
  }
  const kind = credential.type === 'service_account' ? 'service-account key' : 'user login';
  const chain = impersonationOf(ctx.props);
  const acting = chain ? `, impersonating ${chain.target}` : '';
  const failed = (what: string, error: unknown) => ({
    check: result(CHECK, 'fail', `${account} (${kind}): ${what}: ${(error as Error).message.replace(/\.$/, '')}${adc}`, reactivateCommand(credential)),
    state: {account, credential, tokenOk: false},
  });
  let cached;
  try {
    cached = await ctx.tokens.getAccessToken(account);
  } catch (error) {
    return failed('no token can be had now', error);
  }
  // A cached token hides a revoked key or login until it expires (up to an hour): ask the token endpoint too.
  try {
    await ctx.tokens.prove(credential);
  } catch (error) {
    return failed(`the cached token lasts until ${new Date(cached.expiry).toISOString()}, but no new token can be had`, error);
  }
  return {check: result(CHECK, 'ok', `${account} (${kind}${acting}): a token can be had now${adc}`), state: {account, credential, tokenOk: true}};
}

/**
 * A VM's access scopes (read-only scopes cannot push). A slot until metadata-server credentials land: the lead
 * fills it with the scopes of the VM's token.
 */
export async function checkVmScopes(): Promise<CheckResult> {
  return result('vm-scopes', 'skip', 'no metadata-server (VM) credentials in use');
}
