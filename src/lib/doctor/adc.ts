/**
 * The doctor's view of the Application Default Credentials when they are what the Docker helper uses (its `adc` token
 * source comes first with a file): who the file acts as, a token had as the helper has it and a fresh one, and the fix
 * for a file whose token cannot be had. External accounts are federation.ts's (checkAdcExternalAccount).
 */
import {stat} from 'node:fs/promises';

import {adcAccessToken, findAdcSource} from '../auth/adc/read.js';
import {impersonatedEmail} from '../auth/credentials/external-account.js';
import {credentialFileReader} from '../auth/credentials/files.js';
import {credentialType} from '../auth/credentials/registry.js';
import type {CredFileContext} from '../auth/credentials/types.js';
import type {ExternalAccountConfig} from '../auth/credentials/stored.js';
import {type AppContext, withFreshness} from '../context.js';
import {readRegularFile, withoutBom} from '../fs/read-file.js';
import {asClause, FIX, HINTS} from '../messages.js';
import type {StoredCredential} from '../store/credential-store.js';
import type {CachedToken} from '../store/token-cache.js';
import type {AccountState} from './state.js';
import {checkAdcExternalAccount} from './federation.js';
import {type CheckResult, result} from './types.js';

const CHECK = 'account';

/** Who an ADC file acts as, as far as it can be told: the account, its stored-credential shape (a user or a key), the words for it. */
interface AdcIdentity {
  type?: string;
  account?: string;
  credential?: StoredCredential;
  /** `ACCOUNT (KIND)`, or what is known of the file when it names no account. */
  named: string;
}

const credFileContext = (ctx: AppContext): CredFileContext => ({
  explicitTokenUrl: () => ctx.tokens.explicitTokenUrl(),
  log: ctx.log,
  network: ctx.network,
  now: ctx.now,
  env: ctx.env,
});

/** The file's JSON object, or undefined (minting reports what is wrong with it, as the helper does). */
function readJson(file: string): Record<string, unknown> | undefined {
  try {
    const json: unknown = JSON.parse(withoutBom(readRegularFile(file)));
    return json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A user or key file read as `auth login --cred-file` reads it (which names the account a gcloud ADC file leaves
 * empty by one refresh), or undefined when it cannot be (the token check says why).
 */
async function readCredential(ctx: AppContext, file: string, data: Record<string, unknown>): Promise<StoredCredential | undefined> {
  const reader = typeof data.type === 'string' ? credentialFileReader(data.type) : undefined;
  if (!reader) return undefined;
  try {
    return (await reader({file, text: JSON.stringify(data), data}, credFileContext(ctx))).credential;
  } catch (error) {
    ctx.log.debug(`the ADC file [${file}] was not read as a credential: ${asClause(error)}`);
    return undefined;
  }
}

/** The impersonated service account of an impersonated_service_account file (the same URL rule as an external account's). */
function impersonationTarget(data: Record<string, unknown>): string | undefined {
  try {
    return impersonatedEmail(data as unknown as ExternalAccountConfig);
  } catch {
    return undefined;
  }
}

async function adcIdentity(ctx: AppContext, file: string, data: Record<string, unknown> | undefined): Promise<AdcIdentity> {
  const type = typeof data?.type === 'string' ? data.type : undefined;
  if (!data || !type) return {named: 'not a credential file gcauth reads'};
  if (type === 'impersonated_service_account') {
    const target = impersonationTarget(data);
    const source = data.source_credentials as {type?: unknown} | undefined;
    const from = typeof source?.type === 'string' ? `, its source credentials of type ${source.type}` : '';
    return target ? {type, account: target, named: `${target} (impersonated${from})`} : {type, named: `an impersonated_service_account file${from}`};
  }
  const credential = await readCredential(ctx, file, data);
  if (!credential) return {type, named: `a file of type ${type}`};
  if (credential.type === 'service_account') {
    // Without IAM's word, a key's age counts from when the file was last written, not from an activation here.
    const written = await stat(file).then((s) => new Date(s.mtimeMs).toISOString(), () => credential.addedAt);
    const keyed = {...credential, addedAt: written};
    return {type, account: credential.account, credential: keyed, named: `${credential.account} (${(await credentialType(keyed)).describe(keyed)})`};
  }
  return {type, account: credential.account, credential, named: `${credential.account} (${(await credentialType(credential)).describe(credential)})`};
}

/** The errors an error was caused by, itself first. */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e && chain.length < 8; e = (e as {cause?: unknown}).cause) chain.push(e);
  return chain;
}

/** The member a binding names for the source credentials of an impersonated file, when they can be read. */
async function sourceMember(ctx: AppContext, file: string, data: Record<string, unknown>): Promise<string | undefined> {
  const source = data.source_credentials;
  if (!source || typeof source !== 'object' || Array.isArray(source)) return undefined;
  // An external account's principal is federation's to name (it takes an exchange): the fix leaves MEMBER to fill in.
  const type = (source as {type?: unknown}).type;
  if (type !== 'authorized_user' && type !== 'service_account') return undefined;
  const credential = await readCredential(ctx, file, source as Record<string, unknown>);
  if (credential?.type === 'authorized_user') return `user:${credential.account}`;
  if (credential?.type === 'service_account') return `serviceAccount:${credential.account}`;
  return undefined;
}

/** What gives the file working credentials again, from its type and, for an impersonation, from which request was refused. */
async function adcFix(ctx: AppContext, file: string, data: Record<string, unknown> | undefined, identity: AdcIdentity, error: unknown): Promise<string> {
  if (identity.type === 'service_account' && identity.account) {
    return `gcauth iam service-accounts keys create new-key.json --iam-account=${identity.account} && mv new-key.json ${file}   (a new key in its place, run as an account that may)`;
  }
  if (identity.type === 'impersonated_service_account' && data && identity.account) {
    const url = String(data.service_account_impersonation_url ?? '');
    // The request IAM Credentials refused, not the source's refresh: the source may not mint the target's tokens.
    const refusedByIam = causes(error).some((e) => {
      const request = (e as {config?: {url?: unknown}}).config?.url;
      return request !== undefined && String(request) === url;
    });
    if (refusedByIam) {
      const member = (await sourceMember(ctx, file, data)) ?? 'MEMBER';
      return `gcauth iam service-accounts add-iam-policy-binding ${identity.account} --member=${member} --role=${HINTS.tokenCreatorRole}   (as an account that may set the service account's policy)`;
    }
    return `${FIX.adcLogin} --impersonate-service-account=${identity.account}`;
  }
  return FIX.adcLogin;
}

/**
 * The account check when the Docker helper uses the ADC file: its external account (federation.ts), or any other file
 * gcauth reads, whose token is had as the helper has it (pick: the helper's walk), then minted afresh (a cached token
 * hides a revoked key or login). `lead` says why the ADC are what is checked.
 */
export async function checkAdcAccount(ctx: AppContext, pick: {token?: CachedToken; error?: unknown}, lead: string): Promise<{check: CheckResult; state: AccountState}> {
  let file: string | undefined;
  try {
    file = (await findAdcSource(ctx)).file;
  } catch (error) {
    return {check: result(CHECK, 'fail', `${lead}: ${asClause(error)}`, `unset GOOGLE_APPLICATION_CREDENTIALS, or point it at a credential file, or run: ${FIX.adcLogin}`), state: {tokenOk: false}};
  }
  if (!file) return {check: result(CHECK, 'fail', `${lead}: ${asClause(pick.error ?? 'the file is gone')}`, FIX.adcLogin), state: {tokenOk: false}};
  const data = readJson(file);
  if (data?.type === 'external_account') {
    const federated = await checkAdcExternalAccount(ctx, file, lead);
    if (federated) {
      const {ok, message, fix, identity, proven} = federated;
      return {check: result(CHECK, ok ? 'ok' : 'fail', message, fix), state: {tokenOk: ok, adc: {file, type: 'external_account'}, ...(identity ? {identity} : {}), ...(proven ? {proven} : {})}};
    }
  }
  const identity = await adcIdentity(ctx, file, data);
  const named = `${lead}: [${file}], ${identity.named}`;
  const base: AccountState = {tokenOk: false, adc: {file, ...(identity.type ? {type: identity.type} : {})}, ...(identity.account ? {account: identity.account} : {}), ...(identity.credential ? {credential: identity.credential} : {})};
  const failed = async (what: string, error: unknown) => ({check: result(CHECK, 'fail', `${named}: ${what}: ${asClause(error)}`, await adcFix(ctx, file, data, identity, error)), state: base});
  if (pick.token === undefined) return failed('no token can be had now', pick.error);
  let proven;
  try {
    // A refresh forced as config-helper forces one: only a token minted from now on serves.
    proven = await adcAccessToken(withFreshness(ctx, {issuedAfter: ctx.now()}));
  } catch (error) {
    return failed(`the cached token lasts until ${new Date(pick.token.expiry).toISOString()}, but no new token can be had`, error);
  }
  return {check: result(CHECK, 'ok', `${named}: a token can be had now`), state: {...base, tokenOk: true, proven, cachedExpiry: pick.token.expiry}};
}
