import type {AppContext} from '../context.js';
import {fsErrorReason, readRegularFile} from '../fs/read-file.js';
import {type CheckResult, type DoctorSystem, result} from './types.js';

const CHECK = 'docker-group';

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** Parses group(5) lines (`name:password:gid:member,...`); comments and malformed lines are skipped. */
export function parseGroupFile(text: string): GroupEntry[] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'))
    .filter((fields) => fields.length >= 4 && /^\d+$/.test(fields[2]!))
    .map(([name, , gid, members]) => ({name: name!, gid: Number(gid), members: (members ?? '').split(',').map((m) => m.trim()).filter(Boolean)}));
}

/** A DOCKER_HOST that is not the local daemon's socket makes local group membership irrelevant. */
function remoteDockerHost(env: Record<string, string | undefined>): string | undefined {
  const host = env.DOCKER_HOST;
  return host && !host.startsWith('unix://') && !host.startsWith('npipe://') ? host : undefined;
}

async function windowsCheck(system: DoctorSystem): Promise<CheckResult> {
  const how = 'from `whoami /groups`';
  let text: string;
  try {
    text = system.windowsGroups ? await system.windowsGroups() : '';
  } catch (error) {
    return result(CHECK, 'warn', `could not list this user's groups (${(error as Error).message})`, 'whoami /groups');
  }
  // CSV rows: "DOMAIN\\group","type","SID","attributes"; the local group is "<MACHINE>\\docker-users".
  const member = text.split(/\r?\n/).some((row) => /^"?(?:[^"\\]*\\)?docker-users"?,/i.test(row.trim()));
  return member
    ? result(CHECK, 'ok', `${system.userName} is in docker-users (${how})`)
    : result(CHECK, 'fail', `${system.userName} is not in the docker-users group (${how}), so Docker Desktop refuses the CLI`, `net localgroup docker-users "${system.userName}" /add   (as an administrator, then sign out and in)`);
}

/**
 * The user may talk to the Docker daemon: root, or a member of `docker` (Linux, from the group database and
 * this process's groups) or `docker-users` (Windows). macOS's Docker Desktop needs no group.
 */
export async function checkDockerGroup(ctx: Pick<AppContext, 'env' | 'platform'>, system: DoctorSystem): Promise<CheckResult> {
  const remote = remoteDockerHost(ctx.env);
  if (remote) return result(CHECK, 'skip', `DOCKER_HOST=${remote} is not a local socket, so local groups do not matter`);
  if (ctx.platform === 'win32') return windowsCheck(system);
  if (ctx.platform === 'darwin') return result(CHECK, 'skip', 'Docker Desktop on macOS needs no group membership');
  if (system.uid === 0) return result(CHECK, 'ok', 'running as root, which needs no group');
  let entries: GroupEntry[];
  try {
    entries = parseGroupFile(readRegularFile(system.groupFile));
  } catch (error) {
    return result(CHECK, 'warn', `cannot read ${system.groupFile} (${fsErrorReason(error)})`, 'id');
  }
  const docker = entries.find((e) => e.name === 'docker');
  const join = `sudo usermod -aG docker ${system.userName}   (then log out and in, or run: newgrp docker)`;
  if (!docker) {
    return result(CHECK, 'warn', `${system.groupFile} has no docker group: Docker is not installed, or runs rootless (then no group is needed)`, 'sudo groupadd docker && ' + join);
  }
  if (system.gids.includes(docker.gid)) return result(CHECK, 'ok', `${system.userName} is in the docker group (gid ${docker.gid}) in this session`);
  if (docker.members.includes(system.userName)) {
    return result(CHECK, 'fail', `${system.userName} is listed in the docker group in ${system.groupFile}, but this session was started before that and does not hold it`, 'newgrp docker   (or log out and in)');
  }
  return result(CHECK, 'fail', `${system.userName} is not in the docker group (gid ${docker.gid} in ${system.groupFile}), so the docker CLI cannot reach the daemon`, join);
}
