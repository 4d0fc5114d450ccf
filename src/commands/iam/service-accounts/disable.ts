import {specCommand} from '../../../lib/cli/base-command.js';
import {accountStateSpec} from '../../../lib/specs/iam/account-state.js';

export const spec = accountStateSpec(true);

export default class Disable extends specCommand(spec) {}
