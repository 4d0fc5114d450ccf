import {specCommand} from '../../lib/cli/base-command.js';
import {printAccessTokenSpec} from '../../lib/specs/auth/print-access-token.js';

export default class PrintAccessToken extends specCommand(printAccessTokenSpec) {}
