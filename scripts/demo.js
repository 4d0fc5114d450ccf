// `npm run demo`: starts the emulator on a free port in a temp dir and walks the built CLI through
// the flows gcauth exists for, narrating each command and its output. Offline: the only server is the
// emulator on 127.0.0.1. Later issues add flows as entries in STEPS.
//
// Usage: node scripts/demo.js   (after `npm run build`)
import {accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {cliBin as cli, findOnPath, repoRoot, run, startEmulator} from './launch.js';

export {cli};
const STEP_TIMEOUT_MS = 60_000;

// Tokens, JWTs and PEM keys are shown as a short prefix: a demo log must never carry a whole secret.
const SECRETS = [/ya29\.[\w.-]+/g, /eyJ[\w-]*\.[\w-]*\.[\w-]*/g, /-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g];

/** Replaces every secret in text by its first 12 characters and its length. */
export function mask(text) {
  let out = text;
  for (const pattern of SECRETS) out = out.replace(pattern, (m) => `${m.slice(0, 12)}…(${m.length} chars, masked)`);
  return out;
}

/** Parses `export NAME=VALUE` lines (values optionally single- or double-quoted). */
export function parseExports(text) {
  const env = {};
  for (const line of text.split('\n')) {
    const m = /^export ([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2].replace(/^'(.*)'$/s, '$1').replace(/^"(.*)"$/s, '$1');
  }
  return env;
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Whether the demo can show the browser login: Debian's Chromium and playwright-core are both there. */
const HAVE_CHROMIUM = (() => {
  try {
    accessSync(path.join(repoRoot, 'node_modules', 'playwright-core', 'package.json'));
    accessSync(process.env.CHROMIUM_PATH || '/usr/bin/chromium', constants.X_OK);
    return true;
  } catch {
    return false;
  }
})();

/**
 * What a person with a browser on another machine does for `auth login --no-launch-browser`: opens the URL,
 * presses Allow, and copies the address the browser lands on. Returns that address.
 */
async function approveElsewhere(url) {
  const page = await fetch(url);
  const html = await page.text();
  const request = /name="request" value="([^"]+)"/.exec(html)?.[1];
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const user = /value="([^"]+)"[^>]*checked/.exec(html)?.[1];
  if (!page.ok || !request || !action) throw new Error(`no consent form at ${url}`);
  const decided = await fetch(new URL(action, url), {method: 'POST', body: new URLSearchParams({request, decision: 'allow', user: user ?? ''}), redirect: 'manual'});
  const landing = decided.headers.get('location');
  if (!landing) throw new Error(`the consent page answered ${decided.status} without a redirect`);
  return landing;
}

/**
 * The demo, in order. Each step runs `gcauth ...args` with the demo's environment.
 * - args: the arguments, or a function of the demo state `s` (s.dataDir, s.ownerKeyFile, s.url, s.env, ...).
 * - check(result, s): throws when the output is not what the flow needs; runs after the expected exit.
 * - exitCode: the exit status the step must end with (default 0; a step that shows a refusal expects 1).
 * - stdin: text to feed the command.
 * Add a flow (IAM provisioning, docker login, user login) by adding entries here.
 */
export const STEPS = [
  {
    title: 'Point gcauth at the emulator (the demo applies these exports)',
    args: (s) => ['emulator', 'env-init', '--data-dir', s.dataDir],
    check: (r, s) => {
      const exports = parseExports(r.stdout);
      assert(exports.GCAUTH_AUTH_TOKEN_HOST, 'env-init printed no GCAUTH_AUTH_TOKEN_HOST');
      Object.assign(s.env, exports);
    },
  },
  {
    title: 'Activate the emulator owner service account from its JSON key',
    args: (s) => ['auth', 'activate-service-account', `--key-file=${s.ownerKeyFile}`],
    check: (r) => {
      assert(r.stdout === '', 'activate-service-account wrote to stdout');
      assert(/Activated service account credentials for: \[/.test(r.stderr), 'no activation line on stderr');
    },
  },
  {
    title: 'Print an access token (stdout is the token alone, ready for a pipe)',
    args: ['auth', 'print-access-token'],
    check: (r, s) => {
      assert(/^\S+\n?$/.test(r.stdout), 'print-access-token printed more than one token');
      s.token = r.stdout.trim();
    },
  },
  {
    title: 'The same token as JSON, with its expiry (served from the cache)',
    args: ['auth', 'print-access-token', '--format=json'],
    check: (r, s) => {
      const json = JSON.parse(r.stdout);
      assert(json.token === s.token, 'the cached token differs from the one printed before');
      assert(!Number.isNaN(Date.parse(json.expiry)), 'no expiry in the JSON output');
    },
  },
  {
    title: 'List the credentialed accounts (the active one is marked)',
    args: ['auth', 'list'],
    check: (r) => assert(/^\*\s+\S+@/m.test(r.stdout), 'no active account marked'),
  },
  {
    title: 'Show the properties in effect',
    args: ['config', 'list'],
    check: (r, s) => {
      assert(/^account = \S+@/m.test(r.stdout), 'core/account is not set');
      s.project = /^project = (\S+)$/m.exec(r.stdout)?.[1];
      assert(s.project, 'core/project is not set');
      s.pusher = `ci-pusher@${s.project}.iam.gserviceaccount.com`;
    },
  },
  // The page's first precondition: the registry API (and the APIs the flow calls) enabled on the project.
  {
    title: 'Nothing is enabled yet: IAM refuses the project with SERVICE_DISABLED, and says how to enable it',
    args: ['iam', 'service-accounts', 'list'],
    exitCode: 1,
    check: (r) => assert(/^ERROR: .*\(iam\.googleapis\.com\) is not enabled on project \S+, .*gcauth services enable iam\.googleapis\.com --project=/.test(r.stderr), 'no SERVICE_DISABLED line naming the fix'),
  },
  {
    title: 'Enable the registry API first, as the page says, with the APIs the provisioning flow calls',
    args: [
      'services',
      'enable',
      'artifactregistry.googleapis.com',
      'iam.googleapis.com',
      'iamcredentials.googleapis.com',
      'cloudresourcemanager.googleapis.com',
      'sts.googleapis.com',
    ],
    check: (r) => assert(/^Operation "operations\/\S+" finished successfully\.$/m.test(r.stderr), 'no finished operation on stderr'),
  },
  {
    title: 'List the enabled services',
    args: ['services', 'list', '--enabled'],
    check: (r) => assert(/^artifactregistry\.googleapis\.com\s+Artifact Registry API$/m.test(r.stdout), 'the registry API is not listed as enabled'),
  },
  // The seed's provisioning flow: an identity for CI that may push images to one repository (least privilege), and its key.
  {
    title: 'Create the service account CI will push images as',
    args: ['iam', 'service-accounts', 'create', 'ci-pusher', '--display-name=CI image pusher'],
    check: (r) => assert(/Created service account \[ci-pusher\]/.test(r.stderr), 'no creation line on stderr'),
  },
  {
    title: 'Create the Docker repository CI pushes to (us-docker.pkg.dev/PROJECT/images)',
    args: ['artifacts', 'repositories', 'create', 'images', '--repository-format=docker', '--location=us', '--description=CI images'],
    check: (r) => assert(/Created repository \[images\]/.test(r.stderr), 'no creation line on stderr'),
  },
  {
    title: "And another team's repository, which CI must not write to",
    args: ['artifacts', 'repositories', 'create', 'other', '--repository-format=docker', '--location=us'],
    check: (r) => assert(/Created repository \[other\]/.test(r.stderr), 'no creation line on stderr'),
  },
  {
    title: 'Least privilege: grant it writer on that ONE repository, not a project-wide role (stdout: the repository\'s new policy)',
    args: (s) => ['artifacts', 'repositories', 'add-iam-policy-binding', 'images', '--location=us', `--member=serviceAccount:${s.pusher}`, '--role=roles/artifactregistry.writer'],
    check: (r, s) => {
      assert(r.stdout.includes(`serviceAccount:${s.pusher}`), 'the printed policy lacks the new member');
      assert(/Updated IAM policy for repository \[images\]/.test(r.stderr), 'no update line on stderr');
    },
  },
  {
    title: 'Grant it again: the binding is there, so nothing is written',
    args: (s) => ['artifacts', 'repositories', 'add-iam-policy-binding', 'images', '--location=us', `--member=serviceAccount:${s.pusher}`, '--role=roles/artifactregistry.writer', '--format=none'],
    check: (r) => assert(/already has \[roles\/artifactregistry\.writer\] on repository \[images\]/.test(r.stderr), 'the second grant did not say it changed nothing'),
  },
  {
    title: 'Create its key (written 0600, only after the API call succeeded)',
    args: (s) => ['iam', 'service-accounts', 'keys', 'create', path.join(s.root, 'ci-pusher-key.json'), `--iam-account=${s.pusher}`],
    check: (r, s) => {
      const mode = statSync(path.join(s.root, 'ci-pusher-key.json')).mode & 0o777;
      assert(mode === 0o600, `the key file has mode ${mode.toString(8)}, not 600`);
      assert(/^created key \[\w+\] of type \[json\]/.test(r.stderr), 'no "created key" line on stderr');
    },
  },
  {
    title: "List the account's keys",
    args: (s) => ['iam', 'service-accounts', 'keys', 'list', `--iam-account=${s.pusher}`, '--managed-by=user'],
    check: (r) => assert(/^KEY_ID/.test(r.stdout) && r.stdout.trim().split('\n').length === 2, 'expected one user-managed key'),
  },
  {
    title: 'On the CI machine: activate the new key (it becomes the active account)',
    args: (s) => ['auth', 'activate-service-account', `--key-file=${path.join(s.root, 'ci-pusher-key.json')}`],
    check: (r, s) => assert(r.stderr.includes(`[${s.pusher}]`), 'activation did not name ci-pusher'),
  },
  {
    title: 'Print a token as ci-pusher: what `docker login -u oauth2accesstoken --password-stdin` reads',
    args: ['auth', 'print-access-token'],
    check: (r, s) => {
      assert(/^\S+\n?$/.test(r.stdout), 'print-access-token printed more than one token');
      assert(r.stdout.trim() !== s.token, "ci-pusher's token is the owner's");
      s.pusherToken = r.stdout.trim();
    },
  },
  {
    title: 'The registry front gives ci-pusher a push token for its repository (the token endpoint Docker calls before a push)',
    exec: (s) => registryToken(s, 'images'),
    check: (r) => assert(/^200 /.test(r.stdout), 'the push token for images was refused'),
  },
  {
    title: "And refuses a push to the other repository, in Artifact Registry's words",
    exec: (s) => registryToken(s, 'other'),
    check: (r, s) =>
      assert(
        r.stdout.includes(`403 Permission "artifactregistry.repositories.uploadArtifacts" denied on resource "projects/${s.project}/locations/us/repositories/other" (or it may not exist)`),
        'the push to the other repository was not refused with the denial',
      ),
  },
  {
    title: "Back as the owner (--account): ci-pusher is in the repository's policy",
    args: (s) => ['artifacts', 'repositories', 'get-iam-policy', 'images', '--location=us', `--account=emulator-owner@${s.project}.iam.gserviceaccount.com`],
    check: (r, s) => assert(r.stdout.includes(`serviceAccount:${s.pusher}`) && /^version: \d$/m.test(r.stdout), 'the policy lacks ci-pusher'),
  },
  {
    title: "The project's policy does not name ci-pusher",
    args: (s) => ['projects', 'get-iam-policy', s.project, `--account=emulator-owner@${s.project}.iam.gserviceaccount.com`],
    check: (r, s) => assert(!r.stdout.includes(`serviceAccount:${s.pusher}`), "ci-pusher holds a project-wide role"),
  },
  {
    title: "Log the docker CLI in to the emulator's registry front with ci-pusher's token, piped",
    skip: () => (findOnPath('docker') ? undefined : 'the docker CLI is not installed'),
    // Docker tries https first and, for a loopback registry, falls back to plain http: the emulator speaks http,
    // so Docker logs one `level=info msg="Error logging in to endpoint, trying next endpoint"` line for the https
    // attempt. It is that fallback, not a failure. The scratch config maps the host to gcauth in credHelpers, as
    // configure-docker would, so Docker hands the password to docker-credential-gcauth (which keeps nothing: it
    // mints tokens itself) instead of writing it base64-encoded into config.json with its unencrypted-storage warning.
    note: "Docker's `trying next endpoint` info line below is its https attempt before the plain-http fallback it uses for a loopback registry; the password goes to docker-credential-gcauth (credHelpers), so nothing is stored unencrypted.",
    exec: (s) => dockerLogin(s, s.env, s.pusherToken),
    check: (r) => {
      assert(/Login Succeeded/.test(r.stdout), 'docker did not say Login Succeeded');
      assert(!/stored unencrypted/.test(r.stderr), 'docker stored the password unencrypted');
    },
  },
  // Keyless CI: a GitHub-Actions-shaped job of the emulator's CI issuer gets Google tokens through Workload Identity
  // Federation. The owner provisions (--account), the job runs in a config dir that never held a key.
  {
    title: "Keyless CI: make a shell a GitHub Actions job of the emulator's CI token issuer (its request URL and bearer secret)",
    args: (s) => ['emulator', 'env-init', '--data-dir', s.dataDir, '--ci'],
    check: (r, s) => {
      const exports = parseExports(r.stdout);
      assert(exports.ACTIONS_ID_TOKEN_REQUEST_URL && exports.ACTIONS_ID_TOKEN_REQUEST_TOKEN, 'env-init --ci printed no ACTIONS_ID_TOKEN_REQUEST_* variables');
      s.owner = `emulator-owner@${s.project}.iam.gserviceaccount.com`;
      s.ciEnv = {...s.env, ...exports, GCAUTH_CONFIG: path.join(s.root, 'ci-config')};
    },
  },
  {
    title: 'As the owner: a workload identity pool for CI',
    args: (s) => ['iam', 'workload-identity-pools', 'create', 'ci-pool', '--location=global', '--display-name=CI', `--account=${s.owner}`],
    check: (r) => assert(/Created workload identity pool \[ci-pool\]/.test(r.stderr), 'no creation line on stderr'),
  },
  {
    title: "An OIDC provider in it that trusts the CI issuer, maps the job's claims, and admits only the example-org repositories",
    args: (s) => [
      'iam', 'workload-identity-pools', 'providers', 'create-oidc', 'github', '--location=global', '--workload-identity-pool=ci-pool',
      `--issuer-uri=${s.url}/ci`,
      '--attribute-mapping=google.subject=assertion.sub,attribute.repository=assertion.repository',
      "--attribute-condition=assertion.repository_owner == 'example-org'",
      `--account=${s.owner}`,
    ],
    check: (r) => assert(/Created workload identity pool provider \[github\]/.test(r.stderr), 'no creation line on stderr'),
  },
  {
    title: "The provider's resource name ($PROVIDER below), which the credential configuration and the policy member name",
    args: (s) => ['iam', 'workload-identity-pools', 'providers', 'describe', 'github', '--location=global', '--workload-identity-pool=ci-pool', '--format=value(name)', `--account=${s.owner}`],
    check: (r, s) => {
      const name = r.stdout.trim();
      assert(/^projects\/\d+\/locations\/global\/workloadIdentityPools\/ci-pool\/providers\/github$/.test(name), `not a provider name: ${name}`);
      s.provider = name;
      s.ciMember = `principalSet://iam.googleapis.com/${name.replace(/\/providers\/github$/, '')}/attribute.repository/example-org/example-repo`;
    },
  },
  {
    title: "Least privilege: the job's repository (any branch) may push and pull images in the images repository, and nothing else; no service account, no key",
    args: (s) => ['artifacts', 'repositories', 'add-iam-policy-binding', 'images', '--location=us', `--member=${s.ciMember}`, '--role=roles/artifactregistry.writer', '--format=none', `--account=${s.owner}`],
    check: (r) => assert(/Updated IAM policy for repository \[images\]/.test(r.stderr), 'the binding was not written'),
  },
  {
    title: "In the job: a credential configuration whose source is the job's token URL (as a GitHub Actions job writes it)",
    exec: (s) => {
      const url = `${s.ciEnv.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=https://iam.googleapis.com/${s.provider}`;
      const args = (requestUrl, token) => [
        'iam', 'workload-identity-pools', 'create-cred-config', s.provider,
        `--credential-source-url=${requestUrl}`, `--credential-source-headers=Authorization=Bearer ${token}`,
        '--credential-source-type=json', '--credential-source-field-name=value', '--output-file=wif.json',
      ];
      // Shown with the job's variables, as a workflow step writes it; run with their values.
      const shown = args('"$ACTIONS_ID_TOKEN_REQUEST_URL&audience=https://iam.googleapis.com/$PROVIDER"', '$ACTIONS_ID_TOKEN_REQUEST_TOKEN"')
        .map((a) => a.replace('=Authorization=Bearer $', '="Authorization=Bearer $'));
      return {file: process.execPath, argv: [cli, ...args(url, s.ciEnv.ACTIONS_ID_TOKEN_REQUEST_TOKEN)], display: `gcauth ${shown.join(' ')}`, env: s.ciEnv};
    },
    check: (r, s) => {
      const file = path.join(s.root, 'wif.json');
      assert((statSync(file).mode & 0o777) === 0o600, 'wif.json is not 0600');
      const config = JSON.parse(readFileSync(file, 'utf8'));
      assert(config.type === 'external_account' && config.credential_source.url.startsWith(s.ciEnv.ACTIONS_ID_TOKEN_REQUEST_URL), 'wif.json is not a url-sourced external_account file');
      assert(/Created credential configuration file \[wif\.json\]/.test(r.stderr), 'no "Created credential configuration file" line');
    },
  },
  {
    title: "Offline only: send the file's STS requests to the emulator (a real job keeps sts.googleapis.com)",
    exec: (s) => ({file: 'sed', argv: ['-i', `s#https://sts.googleapis.com#${s.url}/sts#`, 'wif.json'], display: `sed -i 's#https://sts.googleapis.com#${s.url}/sts#' wif.json`, env: s.env}),
    check: (r, s) => assert(JSON.parse(readFileSync(path.join(s.root, 'wif.json'), 'utf8')).token_url === `${s.url}/sts/v1/token`, 'token_url does not name the emulator'),
  },
  {
    title: 'Log in with it: gcauth exchanges the job token at the STS and names the federated principal, as gcloud does',
    exec: (s) => ({file: process.execPath, argv: [cli, 'auth', 'login', '--cred-file=wif.json'], display: 'gcauth auth login --cred-file=wif.json', env: s.ciEnv}),
    check: (r) =>
      assert(
        /Authenticated with external account credentials for: \[principal:\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/global\/workloadIdentityPools\/ci-pool\/subject\/repo:example-org\/example-repo:ref:refs\/heads\/main\]/.test(r.stderr),
        'auth login did not name the job\'s principal',
      ),
  },
  {
    title: 'A federated access token (the job token is read again for every exchange: CI tokens live minutes)',
    exec: (s) => ({file: process.execPath, argv: [cli, 'auth', 'print-access-token'], display: 'gcauth auth print-access-token', env: s.ciEnv}),
    check: (r, s) => {
      assert(/^\S+\n?$/.test(r.stdout), 'print-access-token printed more than one token');
      s.ciToken = r.stdout.trim();
    },
  },
  {
    title: "docker login to the emulator's registry front with the federated token, piped",
    skip: () => (findOnPath('docker') ? undefined : 'the docker CLI is not installed'),
    exec: (s) => dockerLogin(s, s.ciEnv, s.ciToken),
    check: (r) => assert(/Login Succeeded/.test(r.stdout), 'docker did not say Login Succeeded'),
  },
  {
    title: 'Or no docker login at all: the helper, as Docker runs it for gcr.io, answers with the same federated token',
    exec: (s) => ({file: path.join(repoRoot, 'bin', 'docker-credential-gcauth'), argv: ['get'], display: 'echo gcr.io | docker-credential-gcauth get', input: 'gcr.io\n', env: s.ciEnv}),
    check: (r, s) => {
      const answer = JSON.parse(r.stdout);
      assert(answer.Username === 'oauth2accesstoken' && answer.Secret === s.ciToken, 'the helper did not answer with the federated token');
    },
  },
  // A developer's day: a user login in the browser against the emulator's consent page.
  {
    title: "A developer's own OAuth client (a Desktop app client from the Cloud console; the emulator takes any)",
    args: ['config', 'set', 'auth/client_id', 'demo-desktop-client.apps.example'],
    check: (r) => assert(/Updated property \[auth\/client_id\]/.test(r.stderr), 'config set did not confirm auth/client_id'),
  },
  {
    title: 'Its secret',
    args: ['config', 'set', 'auth/client_secret', 'demo-desktop-secret'],
    check: (r, s) => {
      assert(/Updated property \[auth\/client_secret\]/.test(r.stderr), 'config set did not confirm auth/client_secret');
      s.env.GCAUTH_AUTH_AUTH_HOST ??= `${s.url}/o/oauth2/v2/auth`;
    },
  },
  HAVE_CHROMIUM
    ? {
        title: "Log in as a user in a real browser: BROWSER opens the consent page in headless Chromium, which clicks Allow",
        exec: (s) => ({
          file: process.execPath,
          argv: [cli, 'auth', 'login'],
          display: 'gcauth auth login',
          env: {...s.env, BROWSER: `${process.execPath} ${path.join(repoRoot, 'test', 'helpers', 'chromium-browser.mjs')}`},
        }),
        check: (r) => assert(/You are now logged in as \[user@example\.com\]/.test(r.stderr), 'auth login did not log in user@example.com'),
      }
    : {
        title: 'Log in as a user with --no-launch-browser (Chromium is not installed): the URL is opened "elsewhere" and the address it lands on pasted back',
        exec: (s) => {
          let seen;
          const url = new Promise((resolve) => (seen = resolve));
          return {
            file: process.execPath,
            argv: [cli, 'auth', 'login', '--no-launch-browser'],
            display: 'gcauth auth login --no-launch-browser',
            env: s.env,
            input: (async function* paste() {
              yield `${await approveElsewhere(await url)}\n`;
            })(),
            onStderr: (text) => {
              const found = /(https?:\/\/\S+\/o\/oauth2\/v2\/auth\?\S+)/.exec(text);
              if (found) seen(found[1]);
            },
          };
        },
        check: (r) => assert(/You are now logged in as \[user@example\.com\]/.test(r.stderr), 'auth login did not log in user@example.com'),
      },
  {
    title: "Print the user's access token (refreshed from the stored refresh token when it runs low)",
    args: ['auth', 'print-access-token'],
    check: (r) => assert(/^\S+\n?$/.test(r.stdout), 'print-access-token printed more than one token'),
  },
  {
    title: 'Both kinds of account are listed; the user is now active',
    args: ['auth', 'list'],
    check: (r) => assert(/^\*\s+user@example\.com$/m.test(r.stdout), 'the user is not the active account'),
  },
  // An emulated VM: a fresh config dir that never saw a key, the emulator's metadata server as the machine's.
  {
    title: 'An emulated VM: point gcauth at the emulator and at its metadata server, in a config dir that holds no key',
    args: (s) => ['emulator', 'env-init', '--data-dir', s.dataDir, '--metadata'],
    check: (r, s) => {
      const exports = parseExports(r.stdout);
      assert(exports.GCE_METADATA_HOST, 'env-init --metadata printed no GCE_METADATA_HOST');
      const {METADATA_SERVER_DETECTION: _off, ...env} = s.env;
      s.vmEnv = {...env, ...exports, GCAUTH_CONFIG: path.join(s.root, 'vm-config')};
    },
  },
  {
    title: "With no account configured, the VM's service account is the active one (as gcloud on a VM)",
    exec: (s) => ({file: process.execPath, argv: [cli, 'auth', 'list'], display: 'gcauth auth list', env: s.vmEnv}),
    check: (r, s) => {
      const vm = /^\*\s+(\S+-compute@developer\.gserviceaccount\.com)$/m.exec(r.stdout);
      assert(vm, "the VM's default service account is not listed as active");
      s.vmAccount = vm[1];
    },
  },
  {
    title: 'A token with no key anywhere: it comes from the metadata server',
    exec: (s) => ({file: process.execPath, argv: [cli, 'auth', 'print-access-token'], display: 'gcauth auth print-access-token', env: s.vmEnv}),
    check: (r, s) => {
      assert(/^\S+\n?$/.test(r.stdout), 'print-access-token printed more than one token');
      s.vmToken = r.stdout.trim();
    },
  },
  {
    title: "The standalone helper, as Docker runs it, answers gcr.io from its metadata source (the same cached token)",
    exec: (s) => ({
      file: path.join(repoRoot, 'bin', 'docker-credential-gcauth'),
      argv: ['get'],
      display: 'echo gcr.io | docker-credential-gcauth get',
      input: 'gcr.io\n',
      env: s.vmEnv,
    }),
    check: (r, s) => {
      const answer = JSON.parse(r.stdout);
      assert(answer.Username === 'oauth2accesstoken' && answer.Secret === s.vmToken, "the helper did not answer with the VM's token");
    },
  },
];


/**
 * `docker login` to the emulator's registry front with a token on stdin, in a scratch Docker config that maps the
 * emulator's host to gcauth in credHelpers (made once), as configure-docker would.
 */
function dockerLogin(s, env, token) {
  const docker = path.join(s.root, 'docker');
  const helperDir = path.join(s.root, 'helper-bin');
  if (!existsSync(helperDir)) {
    mkdirSync(docker, {recursive: true});
    mkdirSync(helperDir, {recursive: true});
    writeFileSync(path.join(docker, 'config.json'), `${JSON.stringify({credHelpers: {[new URL(s.url).host]: 'gcauth'}}, null, 2)}\n`);
    symlinkSync(path.join(repoRoot, 'bin', 'docker-credential-gcauth'), path.join(helperDir, 'docker-credential-gcauth'));
  }
  return {
    file: 'docker',
    argv: ['login', '-u', 'oauth2accesstoken', '--password-stdin', s.url],
    display: `gcauth auth print-access-token | docker login -u oauth2accesstoken --password-stdin ${s.url}`,
    input: token,
    // No daemon: the CLI then logs in client-side.
    env: {...env, PATH: `${helperDir}${path.delimiter}${env.PATH ?? ''}`, DOCKER_CONFIG: docker, DOCKER_HOST: 'unix:///nonexistent.sock'},
  };
}

/**
 * What Docker asks the registry front's token endpoint before pushing us-docker.pkg.dev/PROJECT/REPOSITORY/app, as
 * ci-pusher (its access token as the password): prints the status and, on a refusal, the registry's message.
 */
function registryToken(s, repository) {
  const image = `us-docker.pkg.dev/${s.project}/${repository}/app`;
  const url = `${s.url}/v2/token?service=gcauth-emulator-registry&scope=repository:${image}:push,pull`;
  const script =
    'const [url, token] = process.argv.slice(1);' +
    "const r = await fetch(url, {headers: {authorization: 'Basic ' + Buffer.from('oauth2accesstoken:' + token).toString('base64')}});" +
    'const body = await r.json();' +
    "console.log(r.status + ' ' + (r.ok ? 'token granted' : body.errors[0].message));";
  return {
    file: process.execPath,
    argv: ['--input-type=module', '-e', script, url, s.pusherToken],
    display: `curl -u "oauth2accesstoken:$(gcauth auth print-access-token)" "${url}"   # run here with Node's fetch; prints the status and the refusal`,
    env: s.env,
  };
}

/** The environment of every step: the caller's, minus any gcauth or gcloud settings that would leak in. */
export function cleanEnv(configDir) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(GCAUTH_|CLOUDSDK_|GCE_METADATA_|GOOGLE_APPLICATION_CREDENTIALS$)/.test(k)));
  // No step may probe a real metadata server; the emulated-VM steps name the emulator's instead.
  return {...env, GCAUTH_CONFIG: configDir, NO_COLOR: '1', METADATA_SERVER_DETECTION: 'none'};
}

async function main() {
  const root = mkdtempSync(path.join(tmpdir(), 'gcauth-demo-'));
  const dataDir = path.join(root, 'emulator');
  const configDir = path.join(root, 'config');
  const show = (text) => text.split(root).join('$DEMO');
  let emulator;
  let failed = 0;
  try {
    const env = cleanEnv(configDir);
    console.log(`# gcauth demo: everything lives in a temp dir, shown as $DEMO (${root})`);
    // --no-services: the project starts as a new one at Google does, with no API enabled; the flow's first step enables them.
    console.log(`$ gcauth emulator start --port 0 --data-dir ${show(dataDir)} --no-services &`);
    emulator = await startEmulator({dataDir, env, args: ['--no-services']});
    console.log(`Emulator listening on ${emulator.url} (pid ${emulator.pid})\n`);
    const s = {root, dataDir, configDir, url: emulator.url, ownerKeyFile: path.join(dataDir, 'owner-key.json'), env: {...env}};

    for (const step of STEPS) {
      console.log(`# ${step.title}`);
      if (step.note) console.log(`# (${step.note})`);
      const skip = step.skip?.(s);
      if (skip) {
        console.log(`(skipped: ${skip})\n`);
        continue;
      }
      // A step runs gcauth with args, or (exec) another program, e.g. docker fed a token on stdin.
      const {file, argv, display, input, env, onStderr} = step.exec
        ? step.exec(s)
        : (() => {
            const args = typeof step.args === 'function' ? step.args(s) : step.args;
            return {file: process.execPath, argv: [cli, ...args], display: `gcauth ${args.join(' ')}`, input: step.stdin, env: s.env};
          })();
      console.log(`$ ${show(display)}`);
      const r = await run(file, argv, {env, cwd: root, input, onStderr, timeoutMs: STEP_TIMEOUT_MS});
      if (r.all) console.log(show(mask(r.all.replace(/\n$/, ''))));
      let problem;
      if (r.timedOut) problem = `timed out after ${STEP_TIMEOUT_MS} ms`;
      else if (r.error) problem = `could not run ${file}: ${r.error.message}`;
      else if (r.exitCode !== (step.exitCode ?? 0)) problem = `exit code ${r.exitCode}`;
      else {
        try {
          step.check?.(r, s);
        } catch (error) {
          problem = error.message;
        }
      }
      if (problem) {
        failed++;
        console.log(`!! step failed: ${problem}`);
      }
      console.log('');
    }
  } finally {
    if (emulator) {
      await emulator.stop();
      console.log(`# stopped the emulator (pid ${emulator.pid}) and removed $DEMO`);
    }
    rmSync(root, {recursive: true, force: true});
  }
  if (failed > 0) {
    console.log(`demo: ${failed} of ${STEPS.length} steps failed`);
    process.exitCode = 1;
  } else {
    console.log(`demo: all ${STEPS.length} steps passed`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`demo failed: ${error.stack ?? error}`);
    process.exitCode = 1;
  });
}
