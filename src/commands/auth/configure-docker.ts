import {specCommand} from '../../lib/cli/base-command.js';
import {configureDockerSpec} from '../../lib/specs/auth/configure-docker.js';

export default class ConfigureDocker extends specCommand(configureDockerSpec) {}
