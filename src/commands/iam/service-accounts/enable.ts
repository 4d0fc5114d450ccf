import {specCommand} from '../../../lib/cli/base-command.js';
import {accountStateSpec} from '../../../lib/specs/iam/account-state.js';

export const spec = accountStateSpec(false);

export default class Enable extends specCommand(spec) {}
