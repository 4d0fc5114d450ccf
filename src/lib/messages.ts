/**
 * What gcauth says in more than one place: Google's OAuth scope names, and the commands and sentences that tell a
 * user how to get working credentials. One table, as google-auth-library keeps its messages in one object, so a
 * renamed command or a reworded hint changes everywhere at once. A leaf: it imports nothing.
 */

const SCOPE_PREFIX = 'https://www.googleapis.com/auth/';

/** Google's scope URL for a short name (`cloud-platform`), as gcloud expands `--scopes`. */
export const scopeUrl = (name: string): string => `${SCOPE_PREFIX}${name}`;

/** A scope as users type it: without Google's prefix. */
export const shortScope = (scope: string): string => (scope.startsWith(SCOPE_PREFIX) ? scope.slice(SCOPE_PREFIX.length) : scope);

/** The OAuth scopes gcauth asks for or names. */
export const SCOPES = {
  cloudPlatform: scopeUrl('cloud-platform'),
  cloudPlatformReadOnly: scopeUrl('cloud-platform.read-only'),
  userinfoEmail: scopeUrl('userinfo.email'),
  iam: scopeUrl('iam'),
  sqlserviceLogin: scopeUrl('sqlservice.login'),
  devstorageReadOnly: scopeUrl('devstorage.read_only'),
  devstorageReadWrite: scopeUrl('devstorage.read_write'),
  devstorageFullControl: scopeUrl('devstorage.full_control'),
} as const;

/** The commands that give gcauth credentials, as hints name them. */
export const FIX = {
  /** A browser login, for the given account when named. */
  login: (account?: string): string => `gcauth auth login${account ? ` ${account}` : ''}`,
  /** Activating a service-account key file, for the given account when named. */
  activateKey: (account?: string): string => `gcauth auth activate-service-account ${account ? `${account} ` : ''}--key-file=FILE`,
  /** Writing the well-known Application Default Credentials file. */
  adcLogin: 'gcauth auth application-default login',
  /** Choosing an account that is already logged in. */
  setAccount: 'gcauth config set account ACCOUNT',
  /** Enabling an API on a project (Service Usage). */
  enableService: (service: string, project: string): string => `gcauth services enable ${service} --project=${project}`,
} as const;

/** The sentences several messages end with. */
export const HINTS = {
  /** After a user's refresh token or OAuth client was refused. */
  loginAgain: `Run ${FIX.login()} again.`,
  /** After a service-account key was refused (lower case: it follows a colon). */
  newKey: `create a new key and run ${FIX.activateKey()}`,
  /** No account is set at all. */
  noActiveAccount: `You do not currently have an active account selected. Run ${FIX.login()}, or ${FIX.activateKey()}, or ${FIX.setAccount} for one already logged in.`,
  /** The role a source account needs on a service account it impersonates. */
  tokenCreatorRole: 'roles/iam.serviceAccountTokenCreator',
  /**
   * The ways to act as a service account without a key, with the commands that set them up (after an organization
   * policy refused a key).
   */
  keyless: (email: string): string =>
    `impersonate it (grant roles/iam.serviceAccountTokenCreator, then pass --impersonate-service-account=${email}), ` +
    `federate an outside identity (gcauth iam workload-identity-pools create-cred-config POOL_PROVIDER --service-account=${email} --output-file=FILE), ` +
    'or, on Google Cloud, attach it to the VM or workload and let the metadata server serve its tokens',
} as const;

/**
 * An error's message as a clause inside another sentence (`…: <clause>`): without its final period. The one way a
 * module embeds another's message; it reshapes, never parses.
 */
export const asClause = (error: unknown): string => (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
