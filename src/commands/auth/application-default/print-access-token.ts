import {specCommand} from '../../../lib/cli/base-command.js';
import {applicationDefaultPrintAccessTokenSpec} from '../../../lib/specs/auth/application-default/print-access-token.js';

export default class ApplicationDefaultPrintAccessToken extends specCommand(applicationDefaultPrintAccessTokenSpec) {}
