/** What doctor's account check learnt of the identity the Docker helper uses, for the checks that act as it. */
import type {StoredCredential} from '../store/credential-store.js';
import type {CachedToken} from '../store/token-cache.js';
import type {FederatedIdentity, FederationFacts} from './federation.js';

/** What the account check learnt, for the checks that call APIs as that account. */
export interface AccountState {
  account?: string;
  credential?: StoredCredential;
  /** The account is the VM's, its tokens from the metadata server. */
  metadata?: boolean;
  /**
   * The identity is the Application Default Credentials' (the Docker helper's adc source): their file and its type. The
   * API checks ask with the token minted from them (proven), as the helper hands it to Docker.
   */
  adc?: {file: string; type?: string};
  /** A token could be had now; without one, API checks are skipped. */
  tokenOk: boolean;
  /** An external account in use (stored, or the ADC file the helper uses): the federation checks look at it. */
  identity?: FederatedIdentity;
  /** The token minted just now (the account's proof), and when the cached one expires. */
  proven?: CachedToken;
  cachedExpiry?: number;
  /** What the federation check learnt of the external account (its principal, the member to grant). */
  facts?: FederationFacts;
}
