/**
 * `gcauth services enable | disable | list` through oclif's parser against an in-process emulator whose project starts
 * with nothing enabled (the page's first step), and the one-line errors gcauth makes of SERVICE_DISABLED and of an
 * organization policy that forbids keys.
 */
import path from 'node:path';

import KeysCreate from '../../../src/commands/iam/service-accounts/keys/create.js';
import SaList from '../../../src/commands/iam/service-accounts/list.js';
import GetPolicy from '../../../src/commands/projects/get-iam-policy.js';
import Disable from '../../../src/commands/services/disable.js';
import Enable from '../../../src/commands/services/enable.js';
import List from '../../../src/commands/services/list.js';
import type {RunningEmulator} from '../../../src/emulator/server.js';
import {adminState, tmpDir} from '../../helpers/emulator.js';
import {startActivatedEmulator} from '../../helpers/in-process-emulator.js';
import {runCommand} from '../../helpers/run-command.js';

let emu: RunningEmulator;
let run: (Cmd: Parameters<typeof runCommand>[0], argv: string[]) => ReturnType<typeof runCommand>;
let number: string;

beforeAll(async () => {
  const activated = await startActivatedEmulator({services: []});
  emu = activated.emu;
  const env = {...activated.env, GCAUTH_CORE_PROJECT: emu.project};
  run = (Cmd, argv) => runCommand(Cmd, argv, {configDir: activated.configDir, env});
  number = emu.state.project(emu.project)!.projectNumber;
});
afterAll(() => emu.close());

const admin = (route: string, body: unknown) => fetch(`${emu.url}/__admin/${route}`, {method: 'POST', body: JSON.stringify(body)});

describe('services on a project with nothing enabled', () => {
  it('lists no enabled service as gcloud does (Listed 0 items.), and the available ones as NAME and TITLE', async () => {
    expect(await run(List, [])).toEqual({code: 0, stdout: '', stderr: 'Listed 0 items.\n'});
    const available = await run(List, ['--available']);
    expect(available.code).toBe(0);
    expect(available.stdout.split('\n')[0]).toMatch(/^NAME +TITLE$/);
    expect(available.stdout).toMatch(/^artifactregistry\.googleapis\.com +Artifact Registry API$/m);
    expect((await run(List, ['--enabled', '--available'])).code).toBe(2);
  });

  it('turns SERVICE_DISABLED from another API into one ERROR line naming the service and the command that enables it', async () => {
    const r = await run(GetPolicy, [emu.project]);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `ERROR: Cloud Resource Manager API (cloudresourcemanager.googleapis.com) is not enabled on project ${emu.project}, so project [${emu.project}] cannot be used; ` +
        `enable it with: gcauth services enable cloudresourcemanager.googleapis.com --project=${emu.project}\n`,
    });
    const iam = await run(SaList, []);
    expect(iam.stderr).toBe(
      `ERROR: Identity and Access Management (IAM) API (iam.googleapis.com) is not enabled on project ${number}, so project [${emu.project}] cannot be used; ` +
        `enable it with: gcauth services enable iam.googleapis.com --project=${number}\n`,
    );
  });

  it('enables one service, waiting for its operation as gcloud does, then the API answers', async () => {
    const r = await run(Enable, ['iam.googleapis.com']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^Operation "operations/acf\\.p2-${number}-[0-9a-f-]{36}" finished successfully\\.\\n$`));
    expect(emu.state.enabledServices(emu.project)).toEqual(['iam.googleapis.com']);
    expect((await run(SaList, [])).code).toBe(0);
    // Already enabled: Google answers a done no-op, and gcloud prints nothing.
    expect(await run(Enable, ['iam.googleapis.com'])).toEqual({code: 0, stdout: '', stderr: ''});
  });

  it('enables several in one batch call, and --async does not wait', async () => {
    emu.resetStats();
    const r = await run(Enable, ['cloudresourcemanager.googleapis.com', 'artifactregistry.googleapis.com', '--async']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Asynchronous operation is in progress...');
    expect(emu.stats().byRoute['POST /serviceusage/v1/projects/{project}/services:batchEnable']).toBe(1);
    expect(emu.stats().byRoute['GET /serviceusage/v1/operations/{operation}']).toBeUndefined();
    const listed = await run(List, ['--format=value(config.name)']);
    expect(listed.stdout).toBe('artifactregistry.googleapis.com\ncloudresourcemanager.googleapis.com\niam.googleapis.com\n');
  });

  it('disables services, one call each', async () => {
    const r = await run(Disable, ['artifactregistry.googleapis.com', 'cloudresourcemanager.googleapis.com', '--force']);
    expect(r.code).toBe(0);
    expect(r.stderr.match(/finished successfully/g)).toHaveLength(2);
    expect(emu.state.enabledServices(emu.project)).toEqual(['iam.googleapis.com']);
  });

  it('refuses bad input with one ERROR line and changes nothing', async () => {
    const before = await adminState(emu.url);
    emu.resetStats();
    expect(await run(Enable, ['Bad/Name'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'ERROR: Invalid service name [Bad/Name]: expected a service name such as artifactregistry.googleapis.com.\n',
    });
    expect(emu.stats().total).toBe(0);
    const unknown = await run(Enable, ['nope.googleapis.com', 'run.googleapis.com']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(
      'ERROR: PERMISSION_DENIED: Not found or permission denied for service(s): nope.googleapis.com.\ngcauth services list --available lists the services a project may enable.\n',
    );
    const other = await run(Enable, ['run.googleapis.com', '--project=not-my-project']);
    expect(other.code).toBe(1);
    expect(other.stderr).toBe(`ERROR: ${emu.ownerEmail} lacks permission serviceusage.services.enable on project [not-my-project].\n` + other.stderr.split('\n').slice(1).join('\n'));
    expect(other.stderr.split('\n').filter((l) => l.startsWith('ERROR:'))).toHaveLength(1);
    expect(await adminState(emu.url)).toEqual(before);
  });
});

describe('keys create under iam.disableServiceAccountKeyCreation', () => {
  it('fails with one ERROR line naming the constraint and the keyless ways, and writes no file', async () => {
    await admin('org-policy', {project: emu.project, constraint: 'iam.disableServiceAccountKeyCreation', enforced: true});
    const file = path.join(tmpDir(), 'key.json');
    const r = await run(KeysCreate, [file, `--iam-account=${emu.ownerEmail}`]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `ERROR: Key creation is not allowed on service account [${emu.ownerEmail}]: the organization policy constraint constraints/iam.disableServiceAccountKeyCreation ` +
        'is enforced on its project. Act as the account without a key: impersonate it (grant roles/iam.serviceAccountTokenCreator, then pass ' +
        `--impersonate-service-account=${emu.ownerEmail}), federate an outside identity (gcauth iam workload-identity-pools create-cred-config POOL_PROVIDER ` +
        `--service-account=${emu.ownerEmail} --output-file=FILE), or, on Google Cloud, attach it to the VM or workload and let the metadata server serve its tokens.`,
    );
    const {existsSync} = await import('node:fs');
    expect(existsSync(file)).toBe(false);
  });
});
