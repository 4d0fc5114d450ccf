import type {iamcredentials_v1} from '@googleapis/iamcredentials';

import type {MintedToken} from '../auth/credentials/service-account-refresher.js';
import {PermissionDeniedError} from '../errors.js';
import {HINTS} from '../messages.js';
import {withApiErrors} from './api-error.js';
import {serviceAccountName} from './iam.js';
import type {RequestAuth} from './session.js';

/** Who to impersonate: the target and the chain of delegates between the caller and it. */
export interface ImpersonationChain {
  target: string;
  delegates: string[];
}

/** IAM Credentials v1 over @googleapis/iamcredentials, called as the source account, with Google errors typed. */
export class IamCredentialsApi {
  private constructor(
    private readonly client: iamcredentials_v1.Iamcredentials,
    private readonly account: string,
  ) {}

  /** Loads @googleapis/iamcredentials (lazily: only impersonation pays for it). */
  static async create(rootUrl: string, auth: RequestAuth, account: string): Promise<IamCredentialsApi> {
    const {iamcredentials_v1: v1} = await import('@googleapis/iamcredentials');
    return new IamCredentialsApi(new v1.Iamcredentials({rootUrl, auth: auth as never}), account);
  }

  /**
   * An access token of the target for `scopes`, valid for lifetimeSeconds.
   * @throws PermissionDeniedError naming iam.serviceAccounts.getAccessToken when the caller may not mint it; ApiError.
   */
  generateAccessToken(chain: ImpersonationChain, scopes: string[], lifetimeSeconds: number): Promise<MintedToken> {
    return this.onTarget(chain.target, async () => {
      const {data} = await this.client.projects.serviceAccounts.generateAccessToken({
        name: serviceAccountName(chain.target),
        requestBody: {delegates: delegateNames(chain), scope: scopes, lifetime: `${lifetimeSeconds}s`},
      });
      const expiry = data.expireTime ? Date.parse(data.expireTime) : Number.NaN;
      if (!data.accessToken || Number.isNaN(expiry)) throw new Error('generateAccessToken answered without an accessToken and expireTime');
      return {token: data.accessToken, expiry};
    });
  }

  /**
   * An OpenID Connect id token of the target for `audience` (its `exp` is read from the token).
   * @throws PermissionDeniedError when the caller may not mint it; ApiError.
   */
  generateIdToken(chain: ImpersonationChain, audience: string, includeEmail: boolean): Promise<string> {
    return this.onTarget(chain.target, async () => {
      const {data} = await this.client.projects.serviceAccounts.generateIdToken({
        name: serviceAccountName(chain.target),
        requestBody: {delegates: delegateNames(chain), audience, includeEmail},
      });
      if (!data.token) throw new Error('generateIdToken answered without a token');
      return data.token;
    });
  }

  private async onTarget<T>(target: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await withApiErrors({account: this.account, resource: `service account [${target}]`}, fn);
    } catch (error) {
      if (!(error instanceof PermissionDeniedError)) throw error;
      // The generic hint names project roles; what impersonation needs is a role on the target itself.
      const kind = this.account.endsWith('.gserviceaccount.com') ? 'serviceAccount' : 'user';
      throw new PermissionDeniedError(error.message, {
        cause: error.cause,
        status: error.status,
        hint: `Grant it on the target: gcauth iam service-accounts add-iam-policy-binding ${target} --member=${kind}:${this.account} --role=${HINTS.tokenCreatorRole}`,
      });
    }
  }
}

// The API names delegates as resources; gcloud sends null rather than an empty list.
const delegateNames = (chain: ImpersonationChain): string[] | undefined =>
  chain.delegates.length > 0 ? chain.delegates.map(serviceAccountName) : undefined;
