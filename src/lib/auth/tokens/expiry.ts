/**
 * A minted token's expiry on the context's clock (ctx.now), so a test's fake clock governs minted tokens as it
 * governs the cache that judges them. Used by every minter.
 */

/** How long a token is taken to last when its issuer does not say: an hour, Google's default lifetime. */
export const ASSUMED_LIFETIME_MS = 3600_000;

/** The expiry the issuer stated (a JWT's `exp`, IAM Credentials' `expireTime`: instants), else an hour from now. */
export const expiryOr = (expiry: number | null | undefined, now: () => number): number => expiry ?? now() + ASSUMED_LIFETIME_MS;

/**
 * The expiry google-auth-library stamped on a token it just received, moved onto the context's clock. The library
 * stamps `expiry_date` as its own now + `expires_in`, and its clock is the machine's: the lifetime it saw is kept and
 * counted from now(), so on the real clock nothing changes. Without a stamp, an hour from now.
 */
export function libraryExpiry(expiryDate: number | null | undefined, now: () => number): number {
  return expiryDate == null ? now() + ASSUMED_LIFETIME_MS : now() + (expiryDate - Date.now());
}
