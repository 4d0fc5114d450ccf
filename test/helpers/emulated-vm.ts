/**
 * The emulator's metadata server set up as one test's VM through the admin routes, so that an in-process emulator
 * and an emulator process are driven alike: the VM's account, scopes and fault, a delay on token answers, and what
 * the server was asked (its request log, cleared here).
 */
import type {MetadataFault} from '../../src/emulator/metadata.js';
import {admin, type EmulatorStats} from './emulator.js';

export const TOKEN_PATH = '/computeMetadata/v1/instance/service-accounts/default/token';
export const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

export interface VmOptions {
  /** The VM's account: an email (ID@PROJECT.iam.gserviceaccount.com is made on first use), or null for none. */
  serviceAccount: string | null;
  /** Full scope URLs; default cloud-platform. */
  scopes?: string[];
  fault?: MetadataFault;
  /** Delay before each token answer (the latency fault limited to the token path), so concurrent callers overlap. */
  tokenDelayMs?: number;
}

export interface EmulatedVm {
  /** host:port, what GCE_METADATA_HOST takes. */
  host: string;
  /** Every metadata request's path and query since set-up, in order. */
  requests(): Promise<string[]>;
  /** Token requests only. */
  tokenRequests(): Promise<string[]>;
  /** Changes the fault live; null lifts it. */
  setFault(fault: MetadataFault | null): Promise<void>;
  /** Whose an access token the emulator issued is (an email, by its client id) and its scopes; undefined for one it does not know. */
  tokenOwner(token: string): Promise<{account: string; scopes: string[]} | undefined>;
  stats(): Promise<EmulatorStats>;
}

/** Makes the emulator at `url` the VM `options` describe, its other faults off and its stats and request log cleared. */
export async function emulatedVm(url: string, options: VmOptions): Promise<EmulatedVm> {
  await admin(url, 'metadata', {serviceAccount: options.serviceAccount, scopes: options.scopes ?? [CLOUD_PLATFORM], fault: null});
  if (options.fault) await admin(url, 'metadata', {fault: options.fault});
  await admin(url, 'faults', options.tokenDelayMs ? {latencyMs: options.tokenDelayMs, paths: [TOKEN_PATH]} : {});
  await admin(url, 'reset-stats', {});
  const requests = async () => ((await admin(url, 'metadata/requests')) as {requests: string[]}).requests;
  return {
    host: new URL(url).host,
    requests,
    tokenRequests: async () => (await requests()).filter((r) => r.includes('/token')),
    setFault: async (fault) => {
      await admin(url, 'metadata', {fault});
    },
    tokenOwner: async (token) => {
      const info = (await (await fetch(`${url}/tokeninfo?access_token=${encodeURIComponent(token)}`)).json()) as {azp?: string; scope?: string};
      const accounts = ((await admin(url, 'state')) as {serviceAccounts: Record<string, {uniqueId: string}>}).serviceAccounts;
      const account = Object.entries(accounts).find(([, a]) => a.uniqueId === info.azp)?.[0];
      return account === undefined ? undefined : {account, scopes: (info.scope ?? '').split(' ')};
    },
    stats: async () => (await admin(url, 'stats')) as EmulatorStats,
  };
}
