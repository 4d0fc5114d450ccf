// `npm run bench`: start-up cost of gcauth's hot commands, measured against `node -e 0` (the floor
// for any Node CLI) and, where installed, the real gcloud, all in one run against one emulator.
// Rows run alternately (round-robin, starting row rotated each round) so a machine that slows down
// mid-run slows every row alike. Not a test: figures depend on the machine and its load.
//
// Usage: node scripts/bench.js [--runs N] [--rss-runs N] [--json] [--check] [--rows ID,...]
//   --runs N      timed runs per row (default 15), after one untimed warm-up run
//   --rss-runs N  extra runs per row under /usr/bin/time for peak RSS (default 3)
//   --json        machine-readable output on stdout
//   --check       exit 1 when a target is not met
//   --rows ID,... only these rows (and the node -e 0 baseline), without the helper loops; e.g. gcauth-config-helper,gcloud-config-helper
//
// Wall time: from spawn to exit of the command itself (no wrapper), median over the timed runs.
// Peak RSS: GNU time's %M (the kernel's maxrss of the command's process, via wait4), the maximum over
// separate untimed runs, so the wrapper never inflates the timings; "n/a" where /usr/bin/time is absent.
// For gcloud, %M is the largest single process of its tree (gcloud's wrapper script execs Python).
import {accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {cpus, loadavg, tmpdir} from 'node:os';
import path from 'node:path';
import {parseArgs} from 'node:util';

import {ARTIFACT_REGISTRY_HOSTS, GCR_DEFAULT_HOSTS} from '../dist/lib/docker/registries.js';
import {cleanEnv, parseExports} from './demo.js';
import {cliBin as cli, run as launch, startEmulator} from './launch.js';

const TIME = '/usr/bin/time';
const GCLOUD = process.env.GCLOUD_BIN || '/usr/bin/gcloud';
const RUN_TIMEOUT_MS = 60_000;

/** Targets of issue 2 §9, checked on the rows that carry them: ratio to `node -e 0`, peak RSS. */
const TARGETS = {maxRatio: 2.0, maxRssMb: 80};
/** Target of issue 3 §7: `projects add-iam-policy-binding` in at most 0.4x gcloud's time. */
const ADD_BINDING_TARGETS = {maxRatioTo: {id: 'gcloud-add-binding', name: 'gcloud', max: 0.4}};
/** Target of issue 4 §5: the credential helper's `get` with a cached token. */
const HELPER_TARGETS = {maxRatio: 1.3, maxRssMb: 60};
const HELPER = path.join(path.dirname(cli), 'docker-credential-gcauth.cjs');
const GCLOUD_HELPER = process.env.GCLOUD_HELPER_BIN || '/usr/bin/docker-credential-gcloud';
/** Issue 10: the sh fast path of the helper, and Go's floor (Debian's ECR helper answering a miss). */
const FAST_HELPER = path.join(path.dirname(cli), 'docker-credential-gcauth');
const FAST_HELPER_TARGETS = {maxRatio: 0.25, maxRssMb: 10, maxRatioTo: {id: 'go-helper-miss', name: 'docker-credential-ecr-login', max: 1.0}};
const GO_HELPER = process.env.GO_HELPER_BIN || '/usr/bin/docker-credential-ecr-login';
/** Issue 10 §3: every configure-docker host, one sequential get each (docker build's GetAllCredentials) in under 1.5 s. */
const LOOP_TARGET_MS = 1500;
/** How many times the fast path's loop runs; its median is the figure. */
const FAST_LOOP_RUNS = 3;
/** Issue 19: proxy properties for the cached print-access-token row (type http, a port nothing listens on). */
const BENCH_PROXY = {GCAUTH_PROXY_TYPE: 'http', GCAUTH_PROXY_ADDRESS: '127.0.0.1', GCAUTH_PROXY_PORT: '9', GCAUTH_CORE_CUSTOM_CA_CERTS_FILE: '/nonexistent/ca.pem'};
/** Concurrent writers in the contention figure (issue 3 §7). */
const WRITERS = 20;

const isExecutable = (file) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The repository the repository-binding rows grant on; made once, by the owner, before either row runs. */
const BENCH_REPOSITORY = 'bench-images';

async function createBenchRepository(s) {
  if (s.benchRepository) return;
  await run(process.execPath, [cli, 'auth', 'activate-service-account', `--key-file=${s.ownerKeyFile}`], s.env, {mustSucceed: true});
  await run(process.execPath, [cli, 'artifacts', 'repositories', 'create', BENCH_REPOSITORY, '--repository-format=docker', '--location=us'], s.env, {mustSucceed: true});
  await run(GCLOUD, ['auth', 'activate-service-account', `--key-file=${s.ownerKeyFile}`], s.gcloudEnv, {mustSucceed: false});
  s.benchRepository = true;
}

/** The service the `services enable` rows enable: disabled through the admin route before each run, so each run changes it. */
const BENCH_SERVICE = 'run.googleapis.com';
async function disableBenchService(s) {
  const res = await fetch(`${s.url}/__admin/services`, {method: 'POST', body: JSON.stringify({project: s.project, services: [BENCH_SERVICE], enabled: false})});
  check(res.ok, `the emulator did not disable ${BENCH_SERVICE}: ${res.status}`);
}

/**
 * What is measured, in display order. A row:
 * - id, label; baseline: true for the row ratios are taken against;
 * - cmd(s) → [file, args, env, stdin?]: the command, with the bench state s (s.env for gcauth, s.gcloudEnv, ...);
 * - unavailable(s) → a reason string to skip the row, else undefined;
 * - setup(s): runs once before any measurement (e.g. activate an account so the token is cached);
 * - before(s): runs, unmeasured, before each run (e.g. disable the service a timed `services enable` then enables);
 * - expect(stdout, s): throws when a run's output is wrong (a failed run invalidates the bench);
 * - targets: {maxRatio, maxRssMb} (against `node -e 0`) and {maxRatioTo: {id, name, max}} (against another row, `name` in the table) to mark met / not met;
 * - compareTo: {id, name}: another row whose median this one's is shown as a ratio to, with no target.
 */
/** The Node helper's answer for gcr.io: one protocol JSON object with an access token. */
const expectHelperAnswer = (out) => check(/^\{"ServerURL":"gcr\.io","Username":"oauth2accesstoken","Secret":"ya29\.\S+"\}\n?$/.test(out), `unexpected helper answer: ${out}`);

const ROWS = [
  {
    id: 'node',
    label: 'node -e 0',
    baseline: true,
    cmd: (s) => [process.execPath, ['-e', '0'], s.env],
  },
  {
    id: 'gcauth-version',
    label: 'gcauth --version',
    cmd: (s) => [process.execPath, [cli, '--version'], s.env],
    expect: (out) => check(/^gcauth\/\S+ /.test(out), `unexpected --version output: ${out}`),
  },
  {
    id: 'gcauth-print-access-token',
    label: 'gcauth auth print-access-token (cached)',
    targets: TARGETS,
    setup: async (s) => {
      await run(process.execPath, [cli, 'auth', 'activate-service-account', `--key-file=${s.ownerKeyFile}`], s.env, {mustSucceed: true});
    },
    cmd: (s) => [process.execPath, [cli, 'auth', 'print-access-token'], s.env],
    expect: (out) => check(/^ya29\.\S+\n$/.test(out), 'print-access-token did not print one token'),
  },
  // Issue 19: with a proxy configured, a cached token still loads no proxy agent (nothing listens on port 9: the
  // cached path must not reach it).
  {
    id: 'gcauth-print-access-token-proxy',
    label: 'gcauth auth print-access-token (cached, proxy/* set)',
    targets: {maxRatioTo: {id: 'gcauth-print-access-token', name: 'no proxy', max: 1.1}},
    cmd: (s) => [process.execPath, [cli, 'auth', 'print-access-token'], {...s.env, ...BENCH_PROXY}],
    expect: (out) => check(/^ya29\.\S+\n$/.test(out), 'print-access-token with a proxy set did not print one token'),
  },
  {
    id: 'gcloud-print-access-token',
    label: 'gcloud auth print-access-token (cached)',
    unavailable: () => (isExecutable(GCLOUD) ? undefined : `${GCLOUD} not installed`),
    setup: async (s) => {
      await run(GCLOUD, ['auth', 'activate-service-account', `--key-file=${s.ownerKeyFile}`], s.gcloudEnv, {mustSucceed: true});
    },
    cmd: (s) => [GCLOUD, ['auth', 'print-access-token'], s.gcloudEnv],
    expect: (out) => check(/^ya29\.\S+\n$/.test(out), 'gcloud print-access-token did not print one token'),
  },
  // What kubectl's gke-gcloud-auth-plugin runs before requests: the token and id token, both cached after the warm-up.
  {
    id: 'gcauth-config-helper',
    label: 'gcauth config config-helper --format=json (cached)',
    setup: async (s) => {
      await run(process.execPath, [cli, 'auth', 'activate-service-account', `--key-file=${s.ownerKeyFile}`], s.env, {mustSucceed: true});
    },
    cmd: (s) => [process.execPath, [cli, 'config', 'config-helper', '--format=json'], s.env],
    expect: (out) => check(/"access_token": "ya29\.\S+"/.test(out) && /"id_token": "ey/.test(out), 'config-helper printed no token and id token'),
  },
  {
    id: 'gcloud-config-helper',
    label: 'gcloud config config-helper --format=json (cached)',
    unavailable: () => (isExecutable(GCLOUD) ? undefined : `${GCLOUD} not installed`),
    setup: async (s) => {
      await run(GCLOUD, ['auth', 'activate-service-account', `--key-file=${s.ownerKeyFile}`], s.gcloudEnv, {mustSucceed: true});
    },
    cmd: (s) => [GCLOUD, ['config', 'config-helper', '--format=json'], s.gcloudEnv],
    expect: (out) => check(/"access_token": "ya29\.\S+"/.test(out), 'gcloud config-helper printed no token'),
  },
  // What Docker runs before every pull and push of a gcr.io image.
  {
    id: 'gcauth-helper-get',
    label: 'echo gcr.io | docker-credential-gcauth get',
    targets: HELPER_TARGETS,
    unavailable: () => (isExecutable(HELPER) ? undefined : `${HELPER} not built`),
    cmd: (s) => [process.execPath, [HELPER, 'get'], s.env, 'gcr.io'],
    expect: expectHelperAnswer,
  },
  // An emulated VM (issue 9): no account, no key; the helper's metadata source, its token cached after the warm-up.
  {
    id: 'gcauth-helper-get-metadata',
    label: 'echo gcr.io | docker-credential-gcauth get (Node; VM, metadata source)',
    targets: HELPER_TARGETS,
    unavailable: () => (isExecutable(HELPER) ? undefined : `${HELPER} not built`),
    setup: async (s) => {
      const {METADATA_SERVER_DETECTION: _off, ...env} = s.env;
      s.vmEnv = {...env, GCAUTH_CONFIG: path.join(s.root, 'vm-config'), GCE_METADATA_HOST: new URL(s.url).host};
    },
    cmd: (s) => [process.execPath, [HELPER, 'get'], s.vmEnv, 'gcr.io'],
    expect: expectHelperAnswer,
  },
  // Issue 10: the installed helper is the sh fast path; a cached answer needs no Node at all.
  {
    id: 'gcauth-helper-fast',
    label: 'echo gcr.io | docker-credential-gcauth get (sh fast path)',
    targets: FAST_HELPER_TARGETS,
    unavailable: () => (isExecutable(FAST_HELPER) ? undefined : `${FAST_HELPER} missing`),
    setup: async (s) => {
      await run(FAST_HELPER, ['get'], s.env, {mustSucceed: true, input: 'gcr.io'});
      check(existsSync(path.join(s.env.GCAUTH_CONFIG, 'docker-helper-answer')), 'the Node helper rendered no fast-path answer');
    },
    cmd: (s) => [FAST_HELPER, ['get'], s.env, 'gcr.io'],
    expect: (out) => check(/^\{"ServerURL":"gcr\.io","Username":"oauth2accesstoken","Secret":"ya29\.\S+"\}\n$/.test(out), `unexpected fast helper answer: ${out}`),
  },
  {
    id: 'go-helper-miss',
    label: 'echo gcr.io | docker-credential-ecr-login get (Go, a miss)',
    unavailable: () => (isExecutable(GO_HELPER) ? undefined : `${GO_HELPER} not installed (apt-get install amazon-ecr-credential-helper)`),
    okCodes: [0, 1],
    cmd: (s) => [GO_HELPER, ['get'], {...s.env, HOME: s.root}, 'gcr.io'],
  },
  {
    id: 'gcloud-helper-get',
    label: 'echo gcr.io | docker-credential-gcloud get',
    unavailable: () => (isExecutable(GCLOUD_HELPER) && isExecutable(GCLOUD) ? undefined : `${GCLOUD_HELPER} not installed`),
    cmd: (s) => [GCLOUD_HELPER, ['get'], s.gcloudEnv, 'gcr.io'],
    expect: (out) => check(/"Secret": ?"ya29\./.test(out), `unexpected gcloud helper answer: ${out}`),
  },
  // Issue 18: a federated CI identity (Workload Identity Federation, an external_account file whose source is the
  // emulator's CI job token URL), direct access, no service account: cached, then one STS exchange per run.
  {
    id: 'gcauth-print-access-token-wif',
    label: 'gcauth auth print-access-token (cached, federated)',
    targets: TARGETS,
    compareTo: {id: 'gcloud-print-access-token-wif', name: 'gcloud'},
    setup: async (s) => {
      s.wifEnv ??= await federatedLogin(s, 'wif-config');
    },
    cmd: (s) => [process.execPath, [cli, 'auth', 'print-access-token'], s.wifEnv],
    expect: (out) => check(/^ya29\.\S+\n$/.test(out), 'print-access-token did not print one token'),
  },
  {
    id: 'gcloud-print-access-token-wif',
    label: 'gcloud auth print-access-token (cached, federated)',
    unavailable: () => (isExecutable(GCLOUD) ? undefined : `${GCLOUD} not installed`),
    setup: async (s) => {
      s.gcloudWifEnv = await gcloudFederatedLogin(s, 'gcloud-wif-config');
    },
    cmd: (s) => [GCLOUD, ['auth', 'print-access-token'], s.gcloudWifEnv],
    expect: (out) => check(/^ya29\.\S+\n$/.test(out), 'gcloud print-access-token did not print one token'),
  },
  {
    id: 'gcauth-helper-get-wif',
    label: 'echo gcr.io | docker-credential-gcauth get (Node, federated)',
    targets: HELPER_TARGETS,
    unavailable: () => (isExecutable(HELPER) ? undefined : `${HELPER} not built`),
    setup: async (s) => {
      s.wifEnv ??= await federatedLogin(s, 'wif-config');
    },
    cmd: (s) => [process.execPath, [HELPER, 'get'], s.wifEnv, 'gcr.io'],
    expect: expectHelperAnswer,
  },
  {
    id: 'gcauth-helper-fast-wif',
    label: 'echo gcr.io | docker-credential-gcauth get (sh fast path, federated)',
    targets: FAST_HELPER_TARGETS,
    unavailable: () => (isExecutable(FAST_HELPER) ? undefined : `${FAST_HELPER} missing`),
    setup: async (s) => {
      s.wifEnv ??= await federatedLogin(s, 'wif-config');
      await run(FAST_HELPER, ['get'], s.wifEnv, {mustSucceed: true, input: 'gcr.io'});
      check(existsSync(path.join(s.wifEnv.GCAUTH_CONFIG, 'docker-helper-answer')), 'the Node helper rendered no fast-path answer for the federated account');
    },
    cmd: (s) => [FAST_HELPER, ['get'], s.wifEnv, 'gcr.io'],
    expect: (out) => check(/^\{"ServerURL":"gcr\.io","Username":"oauth2accesstoken","Secret":"ya29\.\S+"\}\n$/.test(out), `unexpected fast helper answer: ${out}`),
  },
  // Uncached: the token cache is emptied before every run, so each one reads the job token and exchanges it at the STS.
  {
    id: 'gcauth-exchange-wif',
    label: 'gcauth auth print-access-token (federated, uncached: one STS exchange)',
    compareTo: {id: 'gcloud-exchange-wif', name: 'gcloud'},
    setup: async (s) => {
      s.wifFreshEnv = await federatedLogin(s, 'wif-fresh-config');
    },
    cmd: (s) => {
      rmSync(path.join(s.wifFreshEnv.GCAUTH_CONFIG, 'access_tokens'), {recursive: true, force: true});
      return [process.execPath, [cli, 'auth', 'print-access-token'], s.wifFreshEnv];
    },
    expect: (out) => check(/^ya29\.\S+\n$/.test(out), 'print-access-token did not print one token'),
  },
  {
    id: 'gcloud-exchange-wif',
    label: 'gcloud auth print-access-token (federated, uncached: one STS exchange)',
    unavailable: () => (isExecutable(GCLOUD) ? undefined : `${GCLOUD} not installed`),
    setup: async (s) => {
      s.gcloudWifFreshEnv = await gcloudFederatedLogin(s, 'gcloud-wif-fresh-config');
    },
    // gcloud keeps access tokens in access_tokens.db (SQLite) beside credentials.db; without it, it exchanges again.
    cmd: (s) => {
      rmSync(path.join(s.gcloudWifFreshEnv.CLOUDSDK_CONFIG, 'access_tokens.db'), {force: true});
      return [GCLOUD, ['auth', 'print-access-token'], s.gcloudWifFreshEnv];
    },
    expect: (out) => check(/^ya29\.\S+\n$/.test(out), 'gcloud print-access-token did not print one token'),
  },
  // Each run grants a new member, so both tools read, change and write the policy every time.
  {
    id: 'gcauth-add-binding',
    label: 'gcauth projects add-iam-policy-binding',
    targets: ADD_BINDING_TARGETS,
    cmd: (s) => [process.execPath, [cli, 'projects', 'add-iam-policy-binding', s.project, `--member=user:gcauth-${nextMember(s)}@example.com`, '--role=roles/viewer'], s.env],
    expect: (out) => check(/^bindings:\n/.test(out) && /user:gcauth-\d+@example\.com/.test(out), 'gcauth printed no policy with the new member'),
  },
  {
    id: 'gcloud-add-binding',
    label: 'gcloud projects add-iam-policy-binding',
    unavailable: () => (isExecutable(GCLOUD) ? undefined : `${GCLOUD} not installed`),
    cmd: (s) => [GCLOUD, ['projects', 'add-iam-policy-binding', s.project, `--member=user:gcloud-${nextMember(s)}@example.com`, '--role=roles/viewer'], s.gcloudEnv],
    expect: (out) => check(/^bindings:\n/.test(out) && /user:gcloud-\d+@example\.com/.test(out), 'gcloud printed no policy with the new member'),
  },
  // Issue 20: a grant on one repository, each run a new member (read, change, write the repository's policy).
  {
    id: 'gcauth-repo-add-binding',
    label: `gcauth artifacts repositories add-iam-policy-binding ${BENCH_REPOSITORY}`,
    compareTo: {id: 'gcloud-repo-add-binding', name: 'gcloud'},
    setup: createBenchRepository,
    cmd: (s) => [process.execPath, [cli, 'artifacts', 'repositories', 'add-iam-policy-binding', BENCH_REPOSITORY, '--location=us', `--member=user:gcauth-${nextMember(s)}@example.com`, '--role=roles/artifactregistry.reader'], s.env],
    expect: (out) => check(/^bindings:\n/.test(out) && /user:gcauth-\d+@example\.com/.test(out), 'gcauth printed no policy with the new member'),
  },
  {
    id: 'gcloud-repo-add-binding',
    label: `gcloud artifacts repositories add-iam-policy-binding ${BENCH_REPOSITORY}`,
    unavailable: () => (isExecutable(GCLOUD) ? undefined : `${GCLOUD} not installed`),
    setup: createBenchRepository,
    cmd: (s) => [GCLOUD, ['artifacts', 'repositories', 'add-iam-policy-binding', BENCH_REPOSITORY, '--location=us', `--member=user:gcloud-${nextMember(s)}@example.com`, '--role=roles/artifactregistry.reader'], s.gcloudEnv],
    expect: (out) => check(/^bindings:\n/.test(out) && /user:gcloud-\d+@example\.com/.test(out), 'gcloud printed no policy with the new member'),
  },
  // Issue 22: the page's first step. Each run enables a disabled service: the enable call, then the operation's poll.
  {
    id: 'gcauth-services-enable',
    label: `gcauth services enable ${BENCH_SERVICE}`,
    compareTo: {id: 'gcloud-services-enable', name: 'gcloud'},
    setup: async (s) => {
      await run(process.execPath, [cli, 'auth', 'activate-service-account', `--key-file=${s.ownerKeyFile}`], s.env, {mustSucceed: true});
    },
    before: disableBenchService,
    cmd: (s) => [process.execPath, [cli, 'services', 'enable', BENCH_SERVICE], s.env],
    expect: (out) => check(out === '', `gcauth services enable printed on stdout: ${out}`),
  },
  {
    id: 'gcloud-services-enable',
    label: `gcloud services enable ${BENCH_SERVICE}`,
    unavailable: () => (isExecutable(GCLOUD) ? undefined : `${GCLOUD} not installed`),
    setup: async (s) => {
      await run(GCLOUD, ['auth', 'activate-service-account', `--key-file=${s.ownerKeyFile}`], s.gcloudEnv, {mustSucceed: true});
    },
    before: disableBenchService,
    cmd: (s) => [GCLOUD, ['services', 'enable', BENCH_SERVICE], s.gcloudEnv],
    expect: (out) => check(out === '', `gcloud services enable printed on stdout: ${out}`),
  },
];

const nextMember = (s) => (s.members = (s.members ?? 0) + 1);


/**
 * Issue 18, once per bench: as the owner (in a config dir of its own), a workload identity pool whose OIDC provider
 * trusts the emulator's CI issuer, the project role for one repository's jobs (principalSet), a CI job whose tokens
 * live an hour (the STS's token never outlives the job's, and must stay cached through the run), and the
 * credential configuration `create-cred-config` writes for it, its STS URLs pointed at the emulator.
 * Resolves with the file's path.
 */
function federationFile(s) {
  s.federationFile ??= (async () => {
    const env = {...s.env, GCAUTH_CONFIG: path.join(s.root, 'wif-admin-config')};
    const gcauth = async (...args) => (await run(process.execPath, [cli, ...args], env, {mustSucceed: true})).stdout;
    const pool = ['--location=global', '--workload-identity-pool=bench-pool'];
    await gcauth('auth', 'activate-service-account', `--key-file=${s.ownerKeyFile}`);
    await gcauth('iam', 'workload-identity-pools', 'create', 'bench-pool', '--location=global');
    await gcauth('iam', 'workload-identity-pools', 'providers', 'create-oidc', 'github', ...pool, `--issuer-uri=${s.url}/ci`, '--attribute-mapping=google.subject=assertion.sub,attribute.repository=assertion.repository');
    const provider = (await gcauth('iam', 'workload-identity-pools', 'providers', 'describe', 'github', ...pool, '--format=value(name)')).trim();
    const member = `principalSet://iam.googleapis.com/${provider.replace(/\/providers\/github$/, '')}/attribute.repository/bench-org/app`;
    await gcauth('projects', 'add-iam-policy-binding', s.project, `--member=${member}`, '--role=roles/artifactregistry.writer', '--format=none');
    const res = await fetch(`${s.url}/__admin/ci/jobs`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({repository: 'bench-org/app', ref: 'refs/heads/main', lifetimeSeconds: 3600})});
    check(res.ok, `the emulator made no CI job: ${res.status}`);
    const job = await res.json();
    const file = path.join(s.root, 'wif.json');
    await gcauth(
      'iam', 'workload-identity-pools', 'create-cred-config', provider,
      `--credential-source-url=${job.requestUrl}&audience=https://iam.googleapis.com/${provider}`, `--credential-source-headers=Authorization=Bearer ${job.requestToken}`,
      '--credential-source-type=json', '--credential-source-field-name=value', `--output-file=${file}`,
    );
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll('https://sts.googleapis.com', `${s.url}/sts`));
    return file;
  })();
  return s.federationFile;
}

/** `gcauth auth login --cred-file` with the federation's file, in its own config dir; resolves with that environment. */
async function federatedLogin(s, dir) {
  const env = {...s.env, GCAUTH_CONFIG: path.join(s.root, dir)};
  await run(process.execPath, [cli, 'auth', 'login', `--cred-file=${await federationFile(s)}`], env, {mustSucceed: true});
  return env;
}

/** The same for gcloud, in a CLOUDSDK_CONFIG of its own. */
async function gcloudFederatedLogin(s, dir) {
  const env = {...s.gcloudEnv, CLOUDSDK_CONFIG: path.join(s.root, dir)};
  writeGceMarker(env.CLOUDSDK_CONFIG);
  await run(GCLOUD, ['auth', 'login', `--cred-file=${await federationFile(s)}`], env, {mustSucceed: true});
  return env;
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** Runs a command to its exit (scripts/launch.js); resolves with wall ms, exit code, stdout and stderr. */
async function run(file, args, env, {mustSucceed = false, input, timeoutMs = RUN_TIMEOUT_MS} = {}) {
  const r = await launch(file, args, {env, input, timeoutMs});
  if (r.error) throw r.error;
  if (mustSucceed && r.exitCode !== 0) throw new Error(`${path.basename(file)} ${args.join(' ')} exited ${r.exitCode ?? r.signal}:\n${r.stderr}`);
  return {ms: r.ms, code: r.exitCode, signal: r.signal, stdout: r.stdout, stderr: r.stderr};
}

/** Peak RSS in MB of one run under GNU time, or undefined when it cannot be measured. */
async function peakRssMb(file, args, env, scratch, input, okCodes = [0]) {
  const out = path.join(scratch, 'time.out');
  const r = await run(TIME, ['-f', '%M', '-o', out, file, ...args], env, {input});
  if (!okCodes.includes(r.code)) throw new Error(`${path.basename(file)} ${args.join(' ')} exited ${r.code} under ${TIME}:\n${r.stderr}`);
  const kb = Number.parseInt(readFileSync(out, 'utf8').trim().split('\n').pop(), 10);
  return Number.isFinite(kb) ? kb / 1024 : undefined;
}

async function tokenRequestCount(url) {
  const res = await fetch(`${url}/__admin/stats`);
  const {tokenRequests, byRoute} = await res.json();
  // An external account's token comes from the STS, not the OAuth token endpoint.
  return tokenRequests.accessToken + tokenRequests.idToken + tokenRequests.unsupportedGrant + (byRoute['POST /sts/v1/token'] ?? 0);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

function gcloudEnvFor(base, exports, configDir) {
  const env = {...base, ...exports};
  // No GCE metadata probe, no prompts, no usage reporting or update checks: gcloud talks to the emulator only.
  return {
    ...env,
    CLOUDSDK_CONFIG: configDir,
    CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
    CLOUDSDK_CORE_CHECK_GCE_METADATA: 'false',
    CLOUDSDK_METRICS_ENVIRONMENT: 'gcauth-bench',
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
    CLOUDSDK_SURVEY_DISABLE_PROMPTS: 'true',
  };
}

async function measure({runs, rssRuns, only}) {
  const root = mkdtempSync(path.join(tmpdir(), 'gcauth-bench-'));
  const dataDir = path.join(root, 'emulator');
  let emulator;
  try {
    const base = cleanEnv(path.join(root, 'gcauth-config'));
    emulator = await startEmulator({dataDir, env: base, args: ['--no-request-log']});
    const info = JSON.parse(readFileSync(path.join(dataDir, 'emulator.json'), 'utf8'));
    const s = {root, dataDir, url: emulator.url, project: info.project, ownerKeyFile: info.ownerKeyFile};
    s.env = {...base, ...parseExports((await run(process.execPath, [cli, 'emulator', 'env-init', '--data-dir', dataDir], base, {mustSucceed: true})).stdout)};
    const gcloudConfig = path.join(root, 'gcloud-config');
    const gcloudExports = parseExports((await run(process.execPath, [cli, 'emulator', 'env-init', '--data-dir', dataDir, '--gcloud'], base, {mustSucceed: true})).stdout);
    s.gcloudEnv = gcloudEnvFor(Object.fromEntries(Object.entries(base).filter(([k]) => k !== 'GCAUTH_CONFIG')), gcloudExports, gcloudConfig);

    const rows = [];
    const skipped = [];
    for (const row of ROWS) {
      if (only && !row.baseline && !only.includes(row.id)) continue;
      const reason = row.unavailable?.(s);
      if (reason) skipped.push({id: row.id, label: row.label, reason});
      else rows.push({row, times: [], rss: [], tokenRequests: 0});
    }
    writeGceMarker(gcloudConfig);
    for (const r of rows) await r.row.setup?.(s);
    // Setup activates accounts, which must have reached the emulator: proof that the counter below counts.
    const setupTokenRequests = await tokenRequestCount(s.url);

    // One untimed warm-up of each row: disk cache, Python bytecode, the first token fetch if any.
    for (const r of rows) await timedRun(r, s, {record: false});
    for (let i = 0; i < runs; i++) {
      for (let j = 0; j < rows.length; j++) await timedRun(rows[(i + j) % rows.length], s, {record: true});
    }
    const haveTime = isExecutable(TIME);
    if (haveTime) {
      for (let i = 0; i < rssRuns; i++) {
        for (const r of rows) {
          await r.row.before?.(s);
          const [file, args, env, input] = r.row.cmd(s);
          const mb = await peakRssMb(file, args, env, root, input, r.row.okCodes);
          if (mb !== undefined) r.rss.push(mb);
        }
      }
    }

    // The loops before the contention runs, whose 40 processes leave this small machine busy for a while.
    const loops = only ? [] : await helperLoops(s);

    const contention = [];
    for (const tool of ['gcauth', 'gcloud']) {
      if (rows.some((r) => r.row.id === `${tool}-add-binding`)) contention.push(await contend(tool, s));
    }

    const baseline = rows.find((r) => r.row.baseline);
    const baseMedian = median(baseline.times);
    return {
      contention,
      loops,
      runs,
      rssRuns: haveTime ? rssRuns : 0,
      setupTokenRequests,
      rssMethod: haveTime ? `${TIME} -f %M (maxrss of the command's process)` : `n/a: ${TIME} not found`,
      machine: {cpus: cpus().length, loadavg1: Number(loadavg()[0].toFixed(2)), node: process.version},
      rows: rows.map((r) => {
        const med = median(r.times);
        const peak = r.rss.length ? Math.max(...r.rss) : undefined;
        const out = {
          id: r.row.id,
          label: r.row.label,
          medianMs: round(med),
          minMs: round(Math.min(...r.times)),
          maxMs: round(Math.max(...r.times)),
          ratio: round(med / baseMedian, 2),
          peakRssMb: peak === undefined ? null : round(peak),
          tokenRequests: r.row.baseline ? null : r.tokenRequests,
        };
        const t = r.row.targets;
        if (t?.maxRatio !== undefined) {
          out.targets = {
            ratio: {max: t.maxRatio, met: out.ratio <= t.maxRatio},
            rssMb: {max: t.maxRssMb, met: peak === undefined ? null : peak <= t.maxRssMb},
          };
        }
        const compared = r.row.compareTo && rows.find((x) => x.row.id === r.row.compareTo.id);
        if (compared) out.compare = {id: compared.row.id, name: r.row.compareTo.name, ratio: round(med / median(compared.times), 2)};
        const other = t?.maxRatioTo && rows.find((x) => x.row.id === t.maxRatioTo.id);
        if (other) {
          const ratio = round(med / median(other.times), 2);
          out.targets = {...(t.maxRatio !== undefined ? out.targets : {}), ratioTo: {id: other.row.id, name: t.maxRatioTo.name, label: other.row.label, ratio, max: t.maxRatioTo.max, met: ratio <= t.maxRatioTo.max}};
        }
        return out;
      }),
      skipped,
    };
  } finally {
    await emulator?.stop();
    rmSync(root, {recursive: true, force: true});
  }
}

/**
 * WRITERS processes of one tool add WRITERS different members to one project's policy at once
 * (issue 3 §6): wall time for all of them, how many failed, how many 409s the emulator answered, and
 * how many of the members the policy holds afterwards (read back through gcauth).
 */
async function contend(tool, s) {
  const role = `roles/${tool === 'gcauth' ? 'browser' : 'iam.securityReviewer'}`;
  const members = Array.from({length: WRITERS}, (_, i) => `user:${tool}-writer-${i}@example.com`);
  const argsFor = (m) => ['projects', 'add-iam-policy-binding', s.project, `--member=${m}`, `--role=${role}`, '--format=none'];
  const conflictsBefore = await statusCount(s.url, '409');
  const started = process.hrtime.bigint();
  const results = await Promise.all(
    members.map((m) => (tool === 'gcauth' ? run(process.execPath, [cli, ...argsFor(m)], s.env) : run(GCLOUD, argsFor(m), s.gcloudEnv))),
  );
  const wallMs = round(Number(process.hrtime.bigint() - started) / 1e6);
  const policy = JSON.parse((await run(process.execPath, [cli, 'projects', 'get-iam-policy', s.project, '--format=json'], s.env, {mustSucceed: true})).stdout);
  const held = new Set((policy.bindings ?? []).filter((b) => b.role === role).flatMap((b) => b.members));
  return {
    tool,
    writers: WRITERS,
    wallMs,
    failed: results.filter((r) => r.code !== 0).length,
    conflicts: (await statusCount(s.url, '409')) - conflictsBefore,
    bindingsPresent: members.filter((m) => held.has(m)).length,
  };
}

/**
 * Issue 10 §3: what `docker build` (classic builder) costs with every configure-docker host mapped: one `get` per
 * host, in sequence, wall time, for the sh fast path, the Node helper (forced) and gcloud's helper.
 *
 * The loop is driven by a small sh (LOOP_DRIVER), as Docker drives it from a small Go process: Node's own spawn
 * forks this bench's whole heap each time (about 6 ms a call here, and more as the heap grows), which is the
 * harness's cost, not the helper's. `/bin/true` in the same driver is the floor, reported beside them.
 */
async function helperLoops(s) {
  const hosts = [...GCR_DEFAULT_HOSTS, ...ARTIFACT_REGISTRY_HOSTS];
  const tools = [
    ['/bin/true (the driver\'s own cost)', '/bin/true', s.env, isExecutable('/bin/true')],
    ['docker-credential-gcauth (sh fast path)', FAST_HELPER, s.env, isExecutable(FAST_HELPER)],
    ['docker-credential-gcauth (Node, GCAUTH_HELPER_NO_FAST=1)', FAST_HELPER, {...s.env, GCAUTH_HELPER_NO_FAST: '1'}, isExecutable(FAST_HELPER)],
    ['docker-credential-gcloud', GCLOUD_HELPER, s.gcloudEnv, isExecutable(GCLOUD_HELPER) && isExecutable(GCLOUD)],
  ];
  const loops = [];
  for (const [label, file, env, available] of tools) {
    if (!available) {
      loops.push({label, hosts: hosts.length, skipped: `${file} not installed`});
      continue;
    }
    // The short loops (a second or so) run FAST_LOOP_RUNS times and their median is the figure; the slow ones once.
    const fast = file === FAST_HELPER && !env.GCAUTH_HELPER_NO_FAST;
    const samples = [];
    let failed = 0;
    for (let i = 0; i < (fast || file === '/bin/true' ? FAST_LOOP_RUNS : 1); i++) {
      const r = await run('/bin/sh', ['-c', LOOP_DRIVER, 'loop', file], env, {mustSucceed: true, input: `${hosts.join('\n')}\n`, timeoutMs: hosts.length * RUN_TIMEOUT_MS});
      failed += Number(r.stdout.trim());
      samples.push(round(r.ms));
    }
    const wallMs = median(samples);
    loops.push({label, hosts: hosts.length, wallMs, samples, failed, ...(fast ? {target: {maxMs: LOOP_TARGET_MS, met: wallMs < LOOP_TARGET_MS && failed === 0}} : {})});
  }
  return loops;
}

/** One `get` per host line on stdin, each host on the helper's stdin with no newline (as Docker sends it); prints the failures. */
const LOOP_DRIVER = `failed=0
while IFS= read -r host; do
  printf '%s' "$host" | "$1" get >/dev/null 2>&1 || failed=$((failed + 1))
done
echo "$failed"`;

async function statusCount(url, status) {
  const res = await fetch(`${url}/__admin/stats`);
  return (await res.json()).byStatus[status] ?? 0;
}

// gcloud probes for the GCE metadata server unless its config dir says it is not on GCE.
function writeGceMarker(gcloudConfig) {
  mkdirSync(gcloudConfig, {recursive: true, mode: 0o700});
  writeFileSync(path.join(gcloudConfig, 'gce'), 'False');
}

async function timedRun(r, s, {record}) {
  await r.row.before?.(s);
  const [file, args, env, input] = r.row.cmd(s);
  const before = r.row.baseline ? 0 : await tokenRequestCount(s.url);
  const result = await run(file, args, env, {input});
  if (!(r.row.okCodes ?? [0]).includes(result.code)) throw new Error(`${r.row.label} exited ${result.code ?? result.signal}:\n${result.stderr}`);
  r.row.expect?.(result.stdout, s);
  if (!record) return;
  r.times.push(result.ms);
  if (!r.row.baseline) r.tokenRequests += (await tokenRequestCount(s.url)) - before;
}

const round = (x, digits = 1) => Number(x.toFixed(digits));

function renderTable(report) {
  const head = ['command', 'median ms', 'x node', 'min-max ms', 'peak RSS MB', 'token reqs', 'vs, targets'];
  const lines = report.rows.map((r) => {
    const t = r.targets ?? {};
    const targets = [
      ...(r.compare ? [`${r.compare.ratio.toFixed(2)}x ${r.compare.name}`] : []),
      ...(t.ratio ? [`ratio <= ${t.ratio.max.toFixed(2)}x: ${t.ratio.met ? 'met' : 'NOT met'}`] : []),
      ...(t.rssMb ? [`RSS <= ${t.rssMb.max} MB: ${t.rssMb.met === null ? 'n/a' : t.rssMb.met ? 'met' : 'NOT met'}`] : []),
      ...(t.ratioTo ? [`${t.ratioTo.ratio.toFixed(2)}x ${t.ratioTo.name} <= ${t.ratioTo.max}x: ${t.ratioTo.met ? 'met' : 'NOT met'}`] : []),
    ].join('; ');
    return [
      r.label,
      r.medianMs.toFixed(1),
      `${r.ratio.toFixed(2)}x`,
      `${r.minMs.toFixed(0)}-${r.maxMs.toFixed(0)}`,
      r.peakRssMb === null ? 'n/a' : r.peakRssMb.toFixed(1),
      r.tokenRequests === null ? '-' : `${r.tokenRequests}/${report.runs}`,
      targets,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const out = [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)];
  out.push('');
  out.push(`${report.runs} timed runs per row, alternating; peak RSS over ${report.rssRuns} runs via ${report.rssMethod}.`);
  out.push(
    `token reqs: token-endpoint and STS requests the emulator saw during the timed runs (0 = served from the cache); ` +
      `it saw ${report.setupTokenRequests} during setup (activations, logins).`,
  );
  out.push(`machine: ${report.machine.cpus} CPUs, load average ${report.machine.loadavg1} at the end, node ${report.machine.node}.`);
  for (const c of report.contention) {
    out.push(
      `contention: ${c.writers} concurrent ${c.tool} add-iam-policy-binding processes, ${c.writers} different members: ` +
        `${c.wallMs.toFixed(0)} ms wall, ${c.failed} failed, ${c.conflicts} etag conflicts (409) answered, ${c.bindingsPresent}/${c.writers} bindings present after.`,
    );
  }
  for (const l of report.loops ?? []) {
    out.push(
      l.skipped
        ? `docker build loop: ${l.label}: skipped (${l.skipped})`
        : `docker build loop: ${l.hosts} sequential gets, one per configure-docker --include-artifact-registry host, ${l.label}: ${l.wallMs.toFixed(0)} ms wall${l.samples.length > 1 ? ` (median of ${l.samples.map((ms) => ms.toFixed(0)).join(', ')})` : ''}, ${l.failed} failed` +
            (l.target ? ` (< ${l.target.maxMs} ms: ${l.target.met ? 'met' : 'NOT met'})` : ''),
    );
  }
  for (const s of report.skipped) out.push(`skipped: ${s.label} (${s.reason})`);
  return `${out.join('\n')}\n`;
}

async function main() {
  const {values} = parseArgs({
    options: {
      runs: {type: 'string', default: '15'},
      'rss-runs': {type: 'string', default: '3'},
      json: {type: 'boolean', default: false},
      check: {type: 'boolean', default: false},
      rows: {type: 'string'},
    },
  });
  const only = values.rows?.split(',').map((id) => id.trim()).filter(Boolean);
  const unknown = only?.filter((id) => !ROWS.some((row) => row.id === id));
  if (unknown?.length) throw new Error(`--rows: no row ${unknown.join(', ')}; rows: ${ROWS.map((row) => row.id).join(', ')}`);
  const runs = Number.parseInt(values.runs, 10);
  const rssRuns = Number.parseInt(values['rss-runs'], 10);
  if (!(runs >= 1) || !(rssRuns >= 0)) throw new Error('--runs must be >= 1 and --rss-runs >= 0');
  if (!values.json) process.stderr.write(`bench: ${runs} alternating runs per row...\n`);
  const report = await measure({runs, rssRuns, only});
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderTable(report));
  const unmet = report.rows.some((r) => r.targets && Object.values(r.targets).some((t) => t.met === false)) || (report.loops ?? []).some((l) => l.target?.met === false);
  if (values.check && unmet) process.exitCode = 1;
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});

