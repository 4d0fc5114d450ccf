import {specCommand} from '../../../../lib/cli/base-command.js';
import {keyStateSpec} from '../../../../lib/specs/iam/key-state.js';

export const spec = keyStateSpec(false);

export default class Enable extends specCommand(spec) {}
