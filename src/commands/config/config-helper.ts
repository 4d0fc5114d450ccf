import {specCommand} from '../../lib/cli/base-command.js';
import {configConfigHelperSpec} from '../../lib/specs/config/config-helper.js';

export default class ConfigHelper extends specCommand(configConfigHelperSpec) {}
