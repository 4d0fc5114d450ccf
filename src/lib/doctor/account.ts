import {isVmAccount, resolveActingAccount, type ActingAccount} from '../auth/accounts.js';
import {impersonationOf} from '../auth/credentials/impersonation.js';
import {credentialType} from '../auth/credentials/registry.js';
import {metadataAccessToken, metadataEmail, metadataScopes} from '../auth/credentials/metadata.js';
import type {AppContext} from '../context.js';
import {describeMisses, pickTokenSource, type SourceMiss, tokenSources, type TokenSourcePick} from '../docker/helper.js';
import {asClause, FIX, SCOPES, shortScope} from '../messages.js';
import type {StoredCredential} from '../store/credential-store.js';
import type {CachedToken} from '../store/token-cache.js';
import {checkAdcAccount} from './adc.js';
import {exchangeFix, type FederatedIdentity} from './federation.js';
import type {AccountState} from './state.js';
import {type CheckResult, result} from './types.js';

const CHECK = 'account';
/** The doctor's fix for an account without working credentials (doctor/helper.ts gives it too). */
export const ACTIVATE_OR_LOGIN = `${FIX.activateKey()}   (or: ${FIX.login()})`;
const SCOPES_CHECK = 'vm-scopes';
/** Scopes with which a registry lets a token push (Container Registry and Artifact Registry alike). */
const PUSH_SCOPES: string[] = [SCOPES.cloudPlatform, SCOPES.devstorageReadWrite, SCOPES.devstorageFullControl];
const PULL_SCOPES = [...PUSH_SCOPES, SCOPES.devstorageReadOnly, SCOPES.cloudPlatformReadOnly];

/** The command that gives this account working credentials again. */
export function reactivateCommand(credential: StoredCredential | undefined): string {
  if (credential?.type === 'authorized_user') return FIX.login(credential.account);
  if (credential?.type === 'external_account') return `gcauth auth login --cred-file=${credential.file ?? 'FILE'}`;
  if (credential?.type === 'service_account') {
    return `gcauth auth activate-service-account ${credential.account} --key-file=NEW_KEY.json   (a new key: gcauth iam service-accounts keys create NEW_KEY.json --iam-account=${credential.account}, run as an account that may)`;
  }
  return FIX.activateKey();
}

type AccountContext = Pick<AppContext, 'env' | 'paths' | 'props' | 'store' | 'tokens' | 'log' | 'gce' | 'now' | 'homeDir' | 'platform' | 'network'>;

/**
 * No source of the helper has credentials: said as the helper says it. With gcauth among its sources, the account
 * check's verdict is gcauth's (no active account; the helper check names every source tried); without, the sources it
 * tried, and the active account it does not use.
 */
function noCredentials(ctx: AccountContext, misses: readonly SourceMiss[]): {check: CheckResult; state: AccountState} {
  const gcauth = misses.find((m) => m.source === 'gcauth');
  if (gcauth) return {check: result(CHECK, 'fail', gcauth.why, ACTIVATE_OR_LOGIN), state: {tokenOk: false}};
  const active = ctx.props.get('core/account');
  const unused = active ? `; it does not use the active account ${active}` : '';
  const message = `the Docker helper has no credentials (docker/token_source=${misses.map((m) => m.source).join(',')}): it tried ${describeMisses(misses)}${unused}`;
  return {check: result(CHECK, 'fail', message, misses.find((m) => m.fix)?.fix ?? ACTIVATE_OR_LOGIN), state: {tokenOk: false}};
}

/** The VM's account: whether the metadata server gives it a token now. */
async function checkVmAccount(ctx: AccountContext, account: string): Promise<{check: CheckResult; state: AccountState}> {
  try {
    await metadataAccessToken(ctx);
  } catch (error) {
    const message = `${account} (the VM's service account): the metadata server gives no token: ${asClause(error)}`;
    return {check: result(CHECK, 'fail', message, 'gcloud compute instances describe INSTANCE --zone=ZONE --format="value(serviceAccounts)"   (a VM needs a service account attached)'), state: {account, metadata: true, tokenOk: false}};
  }
  return {check: result(CHECK, 'ok', `${account} (the VM's service account, from the metadata server): a token can be had now`), state: {account, metadata: true, tokenOk: true}};
}

/**
 * The identity the Docker helper would use, by its own walk over docker/token_source (pickTokenSource): the active
 * account, the Application Default Credentials' file or the VM's account; whether a token can be had for it now, and
 * a fresh one; or, when no source has credentials, what each lacked.
 */
export async function checkAccount(ctx: AppContext): Promise<{check: CheckResult; state: AccountState}> {
  let pick: TokenSourcePick;
  try {
    pick = await pickTokenSource(ctx);
  } catch (error) {
    return {check: result(CHECK, 'fail', asClause(error), 'gcauth config unset docker/token_source'), state: {tokenOk: false}};
  }
  switch (pick.source) {
    case undefined:
      return noCredentials(ctx, pick.misses);
    case 'gcauth':
      return checkActiveAccount(ctx);
    case 'metadata':
      return checkVmAccount(ctx, await metadataEmail(ctx).catch(() => "the VM's service account"));
    case 'adc': {
      const active = ctx.props.get('core/account');
      const uses = `the Docker helper uses the Application Default Credentials (docker/token_source=${tokenSources(ctx).join(',')})`;
      return checkAdcAccount(ctx, pick, active ? `${uses}, not the active account ${active}` : `no active account; ${uses}`);
    }
  }
}

/** The active account (the configured one, or a token handed to gcauth), its credential, and whether a token can be had for it now. */
async function checkActiveAccount(ctx: AccountContext): Promise<{check: CheckResult; state: AccountState}> {
  let acting: ActingAccount;
  try {
    acting = await resolveActingAccount(ctx);
  } catch (error) {
    return {check: result(CHECK, 'fail', asClause(error), ACTIVATE_OR_LOGIN), state: {tokenOk: false}};
  }
  if (acting.metadata) return checkVmAccount(ctx, acting.account);
  const {account} = acting;
  if (acting.given) {
    return {check: result(CHECK, 'warn', `${account} is used instead of any account; gcauth neither checks nor refreshes it`), state: {account, tokenOk: true}};
  }
  const credential = await ctx.store.get(account);
  if (!credential) {
    if (await isVmAccount(ctx, account)) return checkVmAccount(ctx, account);
    return {check: result(CHECK, 'fail', `${account} is the active account, but gcauth holds no credential for it`, FIX.activateKey()), state: {account, tokenOk: false}};
  }
  const kind = (await credentialType(credential)).describe(credential);
  const identity: FederatedIdentity | undefined =
    credential.type === 'external_account' ? {config: credential.config, account, ...(credential.file ? {file: credential.file} : {})} : undefined;
  const chain = impersonationOf(ctx.props);
  const impersonating = chain ? `, impersonating ${chain.target}` : '';
  const failed = async (what: string, error: unknown) => ({
    check: result(CHECK, 'fail', `${account} (${kind}): ${what}: ${asClause(error)}`, identity ? await exchangeFix(ctx, identity, error) : reactivateCommand(credential)),
    state: {account, credential, tokenOk: false, ...(identity ? {identity} : {})},
  });
  let cached;
  try {
    cached = await ctx.tokens.getAccessToken(account);
  } catch (error) {
    return failed('no token can be had now', error);
  }
  // A cached token hides a revoked key or login until it expires (up to an hour): ask the token endpoint too.
  let proven: CachedToken;
  try {
    proven = await ctx.tokens.prove(credential);
  } catch (error) {
    return failed(`the cached token lasts until ${new Date(cached.expiry).toISOString()}, but no new token can be had`, error);
  }
  return {
    check: result(CHECK, 'ok', `${account} (${kind}${impersonating}): a token can be had now`),
    state: {account, credential, tokenOk: true, proven, cachedExpiry: cached.expiry, ...(identity ? {identity} : {})},
  };
}

/** A VM's access scopes: the registry refuses a push (or any request) whose token lacks a storage or cloud-platform scope. */
export async function checkVmScopes(ctx: Pick<AppContext, 'env' | 'paths' | 'props' | 'tokens' | 'log' | 'gce' | 'now'>, state: AccountState): Promise<CheckResult> {
  if (!state.metadata) return result(SCOPES_CHECK, 'skip', 'no metadata-server (VM) credentials in use');
  if (!state.tokenOk) return result(SCOPES_CHECK, 'skip', 'no token from the metadata server');
  const scopes = await metadataScopes(ctx);
  const short = scopes.map(shortScope).join(', ') || 'none';
  const fix = `stop the VM, then: gcloud compute instances set-service-account INSTANCE --zone=ZONE --service-account=${state.account} --scopes=cloud-platform, and start it again (on GKE: a node pool with --scopes=cloud-platform, or Workload Identity)`;
  if (scopes.some((s) => PUSH_SCOPES.includes(s))) return result(SCOPES_CHECK, 'ok', `the VM's scopes let its token pull and push (${short})`);
  if (scopes.some((s) => PULL_SCOPES.includes(s))) {
    return result(SCOPES_CHECK, 'warn', `the VM's scopes are read-only for registries (${short}): pulls work, pushes are refused`, fix);
  }
  return result(SCOPES_CHECK, 'fail', `the VM's scopes include no storage or cloud-platform scope (${short}): registries refuse its token`, fix);
}
