import type {iam_v1} from '@googleapis/iam';

import type {Policy, PolicyResource} from '../iam/policy.js';
import {withApiErrors} from './api-error.js';
import type {RequestAuth} from './session.js';

export type ServiceAccount = iam_v1.Schema$ServiceAccount;
export type ServiceAccountKey = iam_v1.Schema$ServiceAccountKey;
export type WorkloadIdentityPool = iam_v1.Schema$WorkloadIdentityPool;
export type WorkloadIdentityPoolProvider = iam_v1.Schema$WorkloadIdentityPoolProvider;
export type Operation = iam_v1.Schema$Operation;

/** `--key-file-type` values and the API's names for them. */
export const KEY_FILE_TYPES = {json: 'TYPE_GOOGLE_CREDENTIALS_FILE', p12: 'TYPE_PKCS12_FILE'} as const;
export type KeyFileType = keyof typeof KEY_FILE_TYPES;

/** `--managed-by` values and the API's key types. */
export const KEY_MANAGERS = {user: 'USER_MANAGED', system: 'SYSTEM_MANAGED'} as const;
export type KeyManager = keyof typeof KEY_MANAGERS;

// IAM's largest page; fewer round trips for `list`.
const PAGE_SIZE = 100;

/** Resource name of a service account; `-` lets IAM find the project from the email. */
export const serviceAccountName = (email: string): string => `projects/-/serviceAccounts/${email}`;

/** IAM v1 over @googleapis/iam, as one account, with Google errors turned into typed errors. */
export class IamApi {
  private constructor(
    private readonly client: iam_v1.Iam,
    private readonly account: string,
  ) {}

  /** Loads @googleapis/iam (lazily: only commands that call IAM pay for it). */
  static async create(rootUrl: string, auth: RequestAuth, account: string): Promise<IamApi> {
    const {iam_v1: v1} = await import('@googleapis/iam');
    return new IamApi(new v1.Iam({rootUrl, auth: auth as never}), account);
  }

  /** @throws ConflictError when the account exists; PermissionDeniedError; ApiError. */
  createServiceAccount(project: string, accountId: string, fields: {displayName?: string; description?: string}): Promise<ServiceAccount> {
    const serviceAccount = Object.fromEntries(Object.entries(fields).filter(([, v]) => v));
    return this.call(`project [${project}]`, async () =>
      (await this.client.projects.serviceAccounts.create({name: `projects/${project}`, requestBody: {accountId, serviceAccount}})).data,
    );
  }

  /** Every service account of a project, following all pages. */
  listServiceAccounts(project: string): Promise<ServiceAccount[]> {
    return this.call(`project [${project}]`, async () => {
      const accounts: ServiceAccount[] = [];
      let pageToken: string | undefined;
      do {
        const {data} = await this.client.projects.serviceAccounts.list({name: `projects/${project}`, pageSize: PAGE_SIZE, pageToken});
        accounts.push(...(data.accounts ?? []));
        pageToken = data.nextPageToken ?? undefined;
      } while (pageToken);
      return accounts;
    });
  }

  getServiceAccount(email: string): Promise<ServiceAccount> {
    return this.onAccount(email, async () => (await this.client.projects.serviceAccounts.get({name: serviceAccountName(email)})).data);
  }

  async deleteServiceAccount(email: string): Promise<void> {
    await this.onAccount(email, () => this.client.projects.serviceAccounts.delete({name: serviceAccountName(email)}));
  }

  async setServiceAccountDisabled(email: string, disabled: boolean): Promise<void> {
    const name = serviceAccountName(email);
    const accounts = this.client.projects.serviceAccounts;
    await this.onAccount(email, () => (disabled ? accounts.disable({name, requestBody: {}}) : accounts.enable({name, requestBody: {}})));
  }

  /** Creates a key; its `privateKeyData` is the base64 key file, returned this once only. */
  createKey(email: string, type: KeyFileType): Promise<ServiceAccountKey> {
    return this.onAccount(email, async () =>
      (await this.client.projects.serviceAccounts.keys.create({name: serviceAccountName(email), requestBody: {privateKeyType: KEY_FILE_TYPES[type]}})).data,
    );
  }

  /** Uploads the public half of a key pair the caller keeps: a PEM X.509 certificate wrapping an RSA key. */
  uploadKey(email: string, certificatePem: string): Promise<ServiceAccountKey> {
    return this.onAccount(email, async () =>
      (await this.client.projects.serviceAccounts.keys.upload({name: serviceAccountName(email), requestBody: {publicKeyData: Buffer.from(certificatePem).toString('base64')}})).data,
    );
  }

  listKeys(email: string, managedBy?: KeyManager): Promise<ServiceAccountKey[]> {
    const keyTypes = managedBy ? [KEY_MANAGERS[managedBy]] : undefined;
    return this.onAccount(email, async () => (await this.client.projects.serviceAccounts.keys.list({name: serviceAccountName(email), keyTypes})).data.keys ?? []);
  }

  async deleteKey(email: string, keyId: string): Promise<void> {
    await this.call(`key [${keyId}] of service account [${email}]`, () =>
      this.client.projects.serviceAccounts.keys.delete({name: `${serviceAccountName(email)}/keys/${keyId}`}),
    );
  }

  /** Disables a key (no token can be minted with it) or enables it again. */
  async setKeyDisabled(email: string, keyId: string, disabled: boolean): Promise<void> {
    const name = `${serviceAccountName(email)}/keys/${keyId}`;
    const keys = this.client.projects.serviceAccounts.keys;
    await this.call(`key [${keyId}] of service account [${email}]`, () => (disabled ? keys.disable({name, requestBody: {}}) : keys.enable({name, requestBody: {}})));
  }

  /** The account's own IAM policy (who may act as it, mint its tokens, manage its keys). */
  serviceAccountPolicy(email: string): PolicyResource {
    const resource = serviceAccountName(email);
    const accounts = this.client.projects.serviceAccounts;
    return {
      kind: 'service account',
      id: email,
      setPermission: 'iam.serviceAccounts.setIamPolicy',
      test: (permissions) =>
        this.onAccount(email, async () => (await accounts.testIamPermissions({resource, requestBody: {permissions}})).data.permissions ?? []),
      get: (requestedPolicyVersion) =>
        this.onAccount(email, async () => (await accounts.getIamPolicy({resource, 'options.requestedPolicyVersion': requestedPolicyVersion})).data as Policy),
      set: (policy) => this.onAccount(email, async () => (await accounts.setIamPolicy({resource, requestBody: {policy}})).data as Policy),
    };
  }

  /** Creates a pool under `parent` (`projects/P/locations/L`); the answer is a long-running operation. */
  createWorkloadIdentityPool(parent: string, id: string, pool: WorkloadIdentityPool): Promise<Operation> {
    return this.call(`workload identity pool [${id}]`, async () =>
      (await this.client.projects.locations.workloadIdentityPools.create({parent, workloadIdentityPoolId: id, requestBody: pool})).data,
    );
  }

  getWorkloadIdentityPool(name: string): Promise<WorkloadIdentityPool> {
    return this.call(`workload identity pool [${name}]`, async () => (await this.client.projects.locations.workloadIdentityPools.get({name})).data);
  }

  /** Every pool under `parent`, following all pages; soft-deleted ones only with showDeleted. */
  listWorkloadIdentityPools(parent: string, showDeleted: boolean): Promise<WorkloadIdentityPool[]> {
    return this.call(`location [${parent}]`, () =>
      this.allPages(async (pageToken) => {
        const {data} = await this.client.projects.locations.workloadIdentityPools.list({parent, pageSize: PAGE_SIZE, pageToken, showDeleted: showDeleted || undefined});
        return {items: data.workloadIdentityPools, next: data.nextPageToken};
      }),
    );
  }

  deleteWorkloadIdentityPool(name: string): Promise<Operation> {
    return this.call(`workload identity pool [${name}]`, async () => (await this.client.projects.locations.workloadIdentityPools.delete({name})).data);
  }

  /** Creates a provider in pool `parent`; the answer is a long-running operation. */
  createWorkloadIdentityPoolProvider(parent: string, id: string, provider: WorkloadIdentityPoolProvider): Promise<Operation> {
    return this.call(`workload identity pool provider [${id}]`, async () =>
      (await this.client.projects.locations.workloadIdentityPools.providers.create({parent, workloadIdentityPoolProviderId: id, requestBody: provider})).data,
    );
  }

  getWorkloadIdentityPoolProvider(name: string): Promise<WorkloadIdentityPoolProvider> {
    return this.call(`workload identity pool provider [${name}]`, async () => (await this.client.projects.locations.workloadIdentityPools.providers.get({name})).data);
  }

  listWorkloadIdentityPoolProviders(parent: string, showDeleted: boolean): Promise<WorkloadIdentityPoolProvider[]> {
    return this.call(`workload identity pool [${parent}]`, () =>
      this.allPages(async (pageToken) => {
        const {data} = await this.client.projects.locations.workloadIdentityPools.providers.list({parent, pageSize: PAGE_SIZE, pageToken, showDeleted: showDeleted || undefined});
        return {items: data.workloadIdentityPoolProviders, next: data.nextPageToken};
      }),
    );
  }

  deleteWorkloadIdentityPoolProvider(name: string): Promise<Operation> {
    return this.call(`workload identity pool provider [${name}]`, async () =>
      (await this.client.projects.locations.workloadIdentityPools.providers.delete({name})).data,
    );
  }

  private async allPages<T>(page: (token: string | undefined) => Promise<{items?: T[] | null; next?: string | null}>): Promise<T[]> {
    const all: T[] = [];
    let token: string | undefined;
    do {
      const {items, next} = await page(token);
      all.push(...(items ?? []));
      token = next ?? undefined;
    } while (token);
    return all;
  }

  private onAccount<T>(email: string, fn: () => Promise<T>): Promise<T> {
    return this.call(`service account [${email}]`, fn);
  }

  private call<T>(resource: string, fn: () => Promise<T>): Promise<T> {
    return withApiErrors({account: this.account, resource}, fn);
  }
}
